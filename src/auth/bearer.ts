import { AppError } from '../errors.js';

/**
 * Extracts the token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1). The scheme is
 * case-insensitive; the token must be a b64token.
 */
export function parseBearerHeader(header: string | undefined, options: { readonly allowBare?: boolean } = {}): string {
  if (header === undefined || header.trim() === '') {
    throw new AppError('AUTH_TOKEN_MISSING', 'The Authorization header with a Bearer token is missing.');
  }
  // The APS SDK's getUserInfo sends the token with no scheme (spec §2, `/userinfo`): a bare JWT.
  const bare = options.allowBare ? /^ *([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+) *$/.exec(header) : null;
  if (bare?.[1]) return bare[1];
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match?.[1]) throw new AppError('AUTH_TOKEN_INVALID', 'The Authorization header must be "Bearer <token>".');
  return match[1];
}
