import type { FastifyPluginAsync } from 'fastify';
import type { OAuthProvider, SigningKeys } from '../../../auth/index.js';
import { useErrorFamily } from '../../errors/index.js';
import { registerAuthorizeRoutes } from './authorize-routes.js';
import { parseFormBodies } from './forms.js';
import { createRateLimiter } from './rate-limit.js';
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
  /** Requests per minute per client address; 0 turns the limit off. */
  readonly rateLimits: { readonly token: number; readonly signIn: number };
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
  registerTokenRoutes(app, { provider: options.provider, limitRate: createRateLimiter(options.rateLimits.token) });
  registerAuthorizeRoutes(app, {
    provider: options.provider, secureCookies: options.secureCookies, issuer: options.issuer,
    firstPartyClientIds: new Set(options.firstPartyClientIds ?? []),
    limitRate: createRateLimiter(options.rateLimits.signIn),
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
