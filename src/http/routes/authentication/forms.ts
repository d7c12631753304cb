import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.js';

/**
 * Parses `application/x-www-form-urlencoded` bodies (RFC 6749 §4.1.3 and §3.2) into a flat object
 * of strings. A parameter sent twice is refused: RFC 6749 §3.1 says parameters must not repeat,
 * and silently picking one would let a proxy and this service read different values.
 */
export function parseFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    const params = new URLSearchParams(String(body));
    const result: Record<string, string> = {};
    for (const [name, value] of params) {
      if (Object.hasOwn(result, name)) {
        done(new AppError('OAUTH_INVALID_REQUEST', `The parameter "${name}" is repeated.`), undefined);
        return;
      }
      result[name] = value;
    }
    done(null, result);
  });
}

/** Reads `Authorization: Basic` client credentials (RFC 6749 §2.3.1: id and secret are form-urlencoded first). */
export function parseBasicAuth(header: string | undefined): { readonly id: string; readonly secret: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header ?? '');
  if (!match?.[1]) {
    if (header && /^Basic/i.test(header)) throw new AppError('OAUTH_INVALID_CLIENT', 'The Basic credentials are malformed.');
    return undefined;
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new AppError('OAUTH_INVALID_CLIENT', 'The Basic credentials are malformed.');
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw new AppError('OAUTH_INVALID_CLIENT', 'The Basic credentials are malformed.');
  }
}

/** The cookies of a request, by name. */
export function readCookies(request: FastifyRequest): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    try {
      cookies[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // A cookie we did not set; ignore it.
    }
  }
  return cookies;
}

/**
 * Appends a cookie that scripts cannot read (HttpOnly), that cross-site POSTs do not carry
 * (SameSite=Lax), scoped to the authentication pages, and Secure when the service is on https.
 */
export function setCookie(reply: FastifyReply, name: string, value: string, options: { readonly secure: boolean; readonly maxAgeSeconds: number }): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/authentication/v2', 'HttpOnly', 'SameSite=Lax', `Max-Age=${options.maxAgeSeconds}`];
  if (options.secure) parts.push('Secure');
  const previous = reply.getHeader('set-cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)];
  reply.header('set-cookie', [...list, parts.join('; ')]);
}
