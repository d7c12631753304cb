export { parseBearerHeader } from './bearer.js';
export { loadSigningKeys, SIGNING_ALGORITHM } from './keys.js';
export type { SigningKeys } from './keys.js';
export { parseScopeList, SCOPES } from './scopes.js';
export type { RequiredScope, Scope } from './scopes.js';
export { createTokenVerifier, mintAccessToken } from './tokens.js';
export type { AccessClaims, MintOptions, TokenSettings } from './tokens.js';
export { CLI_CLIENT_ID, issueUserToken, MAX_CLI_TOKEN_TTL_SECONDS } from './issue-token.js';
export type { UserTokenRequest } from './issue-token.js';
