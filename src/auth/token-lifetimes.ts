/** Lifetime of access tokens (and id tokens) minted by the token endpoint. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/** Longest lifetime `insights token` may give an access token. */
export const MAX_CLI_TOKEN_TTL_SECONDS = 365 * 24 * 3600;

/**
 * No access or id token we sign outlives this: a signing key that stopped signing this long ago
 * has no live token left, so it may leave the JWKS and verification (see keys.ts).
 */
export const MAX_TOKEN_LIFETIME_SECONDS = Math.max(ACCESS_TOKEN_TTL_SECONDS, MAX_CLI_TOKEN_TTL_SECONDS);
