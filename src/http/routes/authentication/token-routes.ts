import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OAuthProvider } from '../../../auth/index.js';
import { AppError } from '../../../errors.js';
import { parseBasicAuth } from './forms.js';
import { introspectSchema, revokeSchema, tokenSchema } from './schemas.js';

type Form = Readonly<Record<string, string | undefined>>;

function formOf(request: FastifyRequest): Form {
  if (request.body === undefined || request.body === null || typeof request.body !== 'object') {
    throw new AppError('OAUTH_INVALID_REQUEST', 'The body must be application/x-www-form-urlencoded.');
  }
  return request.body as Form;
}

async function clientOf(provider: OAuthProvider, request: FastifyRequest, form: Form) {
  const basic = parseBasicAuth(request.headers.authorization);
  return provider.authenticateClient({
    ...(basic ? { basic } : {}),
    ...(form.client_id !== undefined ? { formClientId: form.client_id } : {}),
  });
}

/** `POST /token`, `/introspect`, `/revoke`: thin shells over OAuthProvider. */
export function registerTokenRoutes(app: FastifyInstance, options: {
  readonly provider: OAuthProvider; readonly limitRate: (request: FastifyRequest) => Promise<void>;
}): void {
  const { provider } = options;

  app.post('/token', { schema: tokenSchema, onRequest: options.limitRate }, async (request, reply) => {
    const form = formOf(request);
    const client = await clientOf(provider, request, form);
    const response = await provider.grant(client, form);
    // RFC 6749 §5.1: token responses must not be cached.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return response;
  });

  app.post('/introspect', { schema: introspectSchema, onRequest: options.limitRate }, async (request, reply) => {
    const form = formOf(request);
    const client = await clientOf(provider, request, form);
    if (!form.token) throw new AppError('OAUTH_INVALID_REQUEST', 'token is required.');
    reply.header('cache-control', 'no-store');
    return provider.introspect(client, form.token);
  });

  app.post('/revoke', { schema: revokeSchema }, async (request) => {
    const form = formOf(request);
    const client = await clientOf(provider, request, form);
    if (!form.token) throw new AppError('OAUTH_INVALID_REQUEST', 'token is required.');
    await provider.revoke(client, form.token);
    return {};
  });
}
