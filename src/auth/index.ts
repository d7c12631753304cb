export { parseBearerHeader } from './bearer.js';
export { loadSigningKeys, SIGNING_ALGORITHM } from './keys.js';
export type { SigningKeyOptions, SigningKeys } from './keys.js';
export { MAX_TOKEN_LIFETIME_SECONDS } from './token-lifetimes.js';
export { parseScopeList, SCOPES, STANDARD_SCOPES } from './scopes.js';
export type { RequiredScope, Scope } from './scopes.js';
export { createTokenVerifier, mintAccessToken } from './tokens.js';
export type { AccessClaims, MintOptions, TokenSettings } from './tokens.js';
export { CLI_CLIENT_ID, issueUserToken, MAX_CLI_TOKEN_TTL_SECONDS } from './issue-token.js';
export type { UserTokenRequest } from './issue-token.js';
export { ACCESS_TOKEN_TTL_SECONDS, OAuthProvider } from './oauth-provider.js';
export type { AuthorizationCheck, AuthorizationParams, AuthorizationRequest, ClientCredentials, TokenResponse } from './oauth-provider.js';
export {
  createClient, createUser, deleteClient, disableUser, MIN_PASSWORD_LENGTH, personNames, rotateClientSecret, runAccountCommand, setUserPassword,
  setUserPasswordById, updateClient,
} from './accounts.js';
export type { CreatedClient, NewUserInput } from './accounts.js';
export { safeEqual } from './secrets.js';
export { createPersonalAccessToken, MAX_PAT_TTL_SECONDS, resolvePersonalAccessToken, revokePersonalAccessToken } from './personal-access-tokens.js';
export type { CreatedPersonalAccessToken } from './personal-access-tokens.js';
export { startCredentialHousekeeping } from './credential-housekeeping.js';
export type { CredentialHousekeeping, CredentialHousekeepingOptions } from './credential-housekeeping.js';
