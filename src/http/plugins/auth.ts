import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseBearerHeader, resolvePersonalAccessToken, type AccessClaims, type RequiredScope } from '../../auth/index.js';
import { AppError } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { Principal, type TenancyCache } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every authenticated route. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Scope the route needs (any one of a list); by default `data:read` for GET/HEAD and `data:write` otherwise. */
    scope?: RequiredScope | readonly RequiredScope[];
  }
}

export interface AuthOptions {
  readonly store: Store;
  readonly verifyAccessToken: (token: string) => Promise<AccessClaims>;
  readonly tenancyCache: TenancyCache;
  /** Also accept `Authorization: <jwt>` without the `Bearer` scheme (only `/userinfo`, as the APS SDK calls it). */
  readonly allowBareToken?: boolean;
}

/** The principal of an authenticated request; a programming error to call it elsewhere. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf() called on a route outside the authenticated context');
  return request.principal;
}

/**
 * Requires a valid bearer token with the route's scope on every route of the context it is called
 * in. It runs `onRequest`, before the body is read, so anonymous callers cannot make us parse
 * (or buffer) request bodies. Routes also get the bearer security requirement in the OpenAPI document.
 */
export function requireBearerToken(app: FastifyInstance, options: AuthOptions): void {
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, security: [{ bearerAuth: [] }] } as typeof route.schema;
  });
  app.addHook('onRequest', (request) => authenticate(request, options));
}

/**
 * Checks the request's bearer token against the route's scope and sets `request.principal`;
 * throws the AppError to answer otherwise. `requireBearerToken`'s hook, for a route that needs
 * a token only sometimes (`/metrics` from another machine).
 */
export async function authenticate(request: FastifyRequest, options: AuthOptions): Promise<void> {
  const token = parseBearerHeader(request.headers.authorization, { allowBare: options.allowBareToken ?? false });
  const claims = await options.verifyAccessToken(token);
  const required = request.routeOptions.config.scope
    ?? (request.method === 'GET' || request.method === 'HEAD' ? 'data:read' : 'data:write');
  const anyOf: readonly RequiredScope[] = typeof required === 'string' ? [required] : required;
  if (!anyOf.some((scope) => claims.scopes.includes(scope))) {
    throw new AppError('AUTH_SCOPE_MISSING', `This operation needs the ${anyOf.map((s) => `"${s}"`).join(' or ')} scope; the token has ${claims.scopes.length ? claims.scopes.map((s) => `"${s}"`).join(', ') : 'none'}.`);
  }
  const pat = request.headers['adsk-pat'];
  let user;
  if (pat !== undefined) {
    user = await personalAccessTokenUser(options, claims, Array.isArray(pat) ? pat.join(',') : pat);
  } else if (claims.subject !== undefined) {
    user = await options.tenancyCache.user(claims.subject);
    if (!user) throw new AppError('AUTH_TOKEN_INVALID', 'The user of this access token no longer exists.');
    if (user.status !== 'active') throw new AppError('AUTH_TOKEN_INVALID', 'The user of this access token is disabled.');
  }
  request.principal = new Principal(claims, user, options.tenancyCache);
}

/**
 * The user an `ADSK-PAT` header acts as (spec §2, the Insights PAT variant). The bearer token must
 * be two-legged: a client_credentials token of a confidential client, which carries no user or
 * the client's bound one. A three-legged or CLI token already names a user, and a PAT must not
 * let it switch to another. The bearer token's scopes still decide what the request may do.
 */
async function personalAccessTokenUser(options: AuthOptions, claims: AccessClaims, header: string) {
  const client = await options.store.findOAuthClient(claims.clientId);
  const twoLegged = client !== undefined && !client.isPublic
    && (claims.subject === undefined || claims.subject === client.boundUserId);
  if (!twoLegged) throw new AppError('AUTH_TOKEN_INVALID', 'ADSK-PAT is accepted only next to a two-legged (client_credentials) bearer token.');
  const pat = await resolvePersonalAccessToken(options.store, header.trim());
  const user = await options.tenancyCache.user(pat.userId);
  if (!user || user.status !== 'active') throw new AppError('AUTH_TOKEN_INVALID', 'The user of this ADSK-PAT personal access token is disabled.');
  return user;
}
