import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ClientCredentials, OAuthProvider } from '../../../auth/index.js';
import { AppError } from '../../../errors.js';
import { typedRoutes } from '../../type-provider.js';
import { parseBasicAuth } from './forms.js';
import { introspectSchema, revokeSchema, tokenSchema } from './schemas.js';

/** The client fields every form of these routes has. */
type Form = { readonly client_id?: string; readonly client_secret?: string };

/** The form as its schema types it; a request without one is refused. */
function formOf<F extends Form>(body: F | undefined | null): F {
  if (body === undefined || body === null || typeof body !== 'object') {
    throw new AppError('OAUTH_INVALID_REQUEST', 'The body must be application/x-www-form-urlencoded.');
  }
  return body;
}

/** Client credentials from `Authorization: Basic` and from the form (`client_id`, `client_secret`). */
function credentialsOf(request: FastifyRequest, form: Form): ClientCredentials {
  const basic = parseBasicAuth(request.headers.authorization);
  return {
    ...(basic ? { basic } : {}),
    ...(form.client_id !== undefined ? { formClientId: form.client_id } : {}),
    ...(form.client_secret !== undefined ? { formClientSecret: form.client_secret } : {}),
  };
}

function clientOf(provider: OAuthProvider, request: FastifyRequest, form: Form) {
  return provider.authenticateClient(credentialsOf(request, form));
}

/** `POST /token`, `/introspect`, `/revoke`: thin shells over OAuthProvider. */
export function registerTokenRoutes(untyped: FastifyInstance, options: {
  readonly provider: OAuthProvider;
  /** Before the body is read: per client address. */
  readonly limitAddress: (request: FastifyRequest) => Promise<void>;
  /** After the form is parsed: per client id (Basic or form). */
  readonly limitClient: (request: FastifyRequest) => Promise<void>;
}): void {
  const { provider } = options;
  // Form types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  // Every endpoint that checks a client secret shares the token endpoint's limits (issue 19 item 5).
  const limited = { onRequest: options.limitAddress, preHandler: options.limitClient };

  app.post('/token', { schema: tokenSchema, ...limited }, async (request, reply) => {
    const form = formOf(request.body);
    const client = await provider.authenticateTokenClient(credentialsOf(request, form));
    const response = await provider.grant(client, form);
    // RFC 6749 §5.1: token responses must not be cached.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return response;
  });

  app.post('/introspect', { schema: introspectSchema, ...limited }, async (request, reply) => {
    const form = formOf(request.body);
    const client = await clientOf(provider, request, form);
    if (!form.token) throw new AppError('OAUTH_INVALID_REQUEST', 'token is required.');
    reply.header('cache-control', 'no-store');
    return provider.introspect(client, form.token);
  });

  app.post('/revoke', { schema: revokeSchema, ...limited }, async (request) => {
    const form = formOf(request.body);
    const client = await clientOf(provider, request, form);
    if (!form.token) throw new AppError('OAUTH_INVALID_REQUEST', 'token is required.');
    await provider.revoke(client, form.token);
    return {};
  });
}
