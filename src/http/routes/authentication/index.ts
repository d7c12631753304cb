import type { FastifyPluginAsync } from 'fastify';
import type { OAuthProvider, SigningKeys } from '../../../auth/index.js';
import type { Store } from '../../../store/index.js';
import { useErrorFamily } from '../../errors/index.js';
import { registerAuthorizeRoutes } from './authorize-routes.js';
import { parseFormBodies } from './forms.js';
import { registerRateLimits } from './rate-limit.js';
import { parseBasicAuth } from './forms.js';
import { registerTokenRoutes } from './token-routes.js';

export { openIdRoutes } from './openid-routes.js';
export type { OpenIdOptions } from './openid-routes.js';

export interface AuthenticationOptions {
  readonly keys: SigningKeys;
  readonly provider: OAuthProvider;
  /** `iss` of tokens; also sent back on authorization responses (RFC 9207). */
  readonly issuer: string;
  /** Cookies get `Secure` when the public URL is https. */
  readonly secureCookies: boolean;
  /**
   * Requests per minute; 0 turns a limit off. `token` applies to every endpoint that checks a
   * client secret (/token, /introspect, /revoke), per client address and per client id; `signIn`
   * to the sign-in form, per address.
   */
  readonly rateLimits: { readonly token: number; readonly signIn: number };
  /** The store: its shared counters (PostgreSQL) make the limits one budget across processes. */
  readonly store: Store;
  /** Clients of this service itself (the console): a signed-in user is not asked to consent to them. */
  readonly firstPartyClientIds?: readonly string[];
}

const jwksSchema = {
  type: 'object',
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kty: { type: 'string' }, kid: { type: 'string' }, use: { type: 'string' }, alg: { type: 'string' },
          n: { type: 'string' }, e: { type: 'string' },
        },
        required: ['kty', 'kid', 'n', 'e'],
      },
    },
  },
  required: ['keys'],
} as const;

/** The APS Authentication v2 endpoints (spec §2); errors in the RFC 6749 §5.2 shape. */
export const authenticationRoutes: FastifyPluginAsync<AuthenticationOptions> = async (app, options) => {
  useErrorFamily(app, 'oauth');
  parseFormBodies(app);
  const limit = await registerRateLimits(app, options.store);
  const perAddress = limit('secret-ip', options.rateLimits.token, (request) => request.ip);
  // Per client id as well: a guesser spread over many addresses still has one budget per client.
  const perClient = limit('secret-client', options.rateLimits.token, (request) => {
    try {
      const basic = parseBasicAuth(request.headers.authorization);
      if (basic) return basic.id;
    } catch {
      // Malformed Basic: the handler answers invalid_client; counted per address only.
    }
    const clientId = (request.body as Record<string, unknown> | undefined)?.client_id;
    return typeof clientId === 'string' ? clientId : undefined;
  });
  registerTokenRoutes(app, { provider: options.provider, limitAddress: perAddress, limitClient: perClient });
  registerAuthorizeRoutes(app, {
    provider: options.provider, secureCookies: options.secureCookies, issuer: options.issuer,
    firstPartyClientIds: new Set(options.firstPartyClientIds ?? []),
    limitRate: limit('sign-in-ip', options.rateLimits.signIn, (request) => request.ip),
  });
  app.get('/keys', {
    schema: {
      tags: ['authentication'],
      summary: 'JSON Web Key Set with the public keys that sign access tokens.',
      response: { 200: jwksSchema },
    },
  }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return options.keys.jwks;
  });
};
