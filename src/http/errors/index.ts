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
