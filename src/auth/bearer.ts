import { AppError } from '../errors.js';

/**
 * Extracts the token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1). The scheme is
 * case-insensitive; the token must be a b64token.
 */
export function parseBearerHeader(header: string | undefined): string {
  if (header === undefined || header.trim() === '') {
    throw new AppError('AUTH_TOKEN_MISSING', 'The Authorization header with a Bearer token is missing.');
  }
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (!match?.[1]) throw new AppError('AUTH_TOKEN_INVALID', 'The Authorization header must be "Bearer <token>".');
  return match[1];
}
