import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { renderError, type ErrorFamily } from './families.js';
import { normaliseError } from './normalise.js';

export type { ErrorFamily } from './families.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Absolute URL of the error-code reference under the public base URL (set once at the root). */
    errorDocsUrl: string;
  }
}

/** Node's error on a request stream whose client closed the connection before the body ended. */
function isClientAbort(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'ECONNRESET' && message === 'aborted';
}

async function send(family: ErrorFamily, error: unknown, request: FastifyRequest, reply: FastifyReply) {
  // A client that hangs up mid-upload is not a fault of ours: logged as what it is, answered (to
  // nobody) as a bad request, never as an unexpected error with a stack.
  const normalised = normaliseError(isClientAbort(error)
    ? new AppError('REQUEST_INVALID', 'The request body ended early: the client closed the connection.')
    : error);
  if (normalised.unexpected) request.log.error({ err: error }, 'unexpected error');
  else request.log.info({ code: normalised.code, status: normalised.status }, normalised.message);
  const rendered = renderError(family, normalised, request.id, request.server.errorDocsUrl);
  return reply.code(rendered.status).headers(rendered.headers).type(rendered.contentType).send(rendered.body);
}

/**
 * Installs the error and not-found handlers of one API family on an encapsulated context. A
 * context without a prefix of its own (routes at the root) sets no not-found handler: the root's answers.
 */
export function useErrorFamily(app: FastifyInstance, family: ErrorFamily, options: { readonly notFound?: boolean } = {}): void {
  app.setErrorHandler((error: FastifyError, request, reply) => send(family, error, request, reply));
  if (options.notFound === false) return;
  app.setNotFoundHandler((request, reply) =>
    send(family, new AppError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`), request, reply));
}

/** The API family a path belongs to, for errors answered before any route is found. */
function familyOfPath(url: string): ErrorFamily {
  const path = url.replace(/^\/+/, '/');
  if (path.startsWith('/insights/')) return 'insights';
  if (path.startsWith('/tokenflex/')) return 'tokenflex';
  if (path.startsWith('/authentication/')) return 'oauth';
  return 'problem';
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot decode (400) or a path parameter over its length
 * limit (414), answered in the family's shape like every other error, not Fastify's own.
 */
export function sendFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? 'A path parameter is longer than the service accepts (100 characters).'
    : 'The URL is not valid: a percent-encoded sequence cannot be decoded.';
  return send(familyOfPath(request.raw.url ?? '/'), Object.assign(new Error(message), { statusCode: error.statusCode ?? 400 }), request, reply);
}
