import type { FastifyPluginAsync } from 'fastify';
import type { SigningKeys } from '../../../auth/index.js';
import { useErrorFamily } from '../../errors/index.js';

export interface AuthenticationOptions {
  readonly keys: SigningKeys;
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

/** The APS Authentication v2 endpoints that exist so far: the public signing keys. */
export const authenticationRoutes: FastifyPluginAsync<AuthenticationOptions> = async (app, options) => {
  useErrorFamily(app, 'problem');
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
