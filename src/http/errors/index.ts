import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { renderError, type ErrorFamily } from './families.js';
import { normaliseError } from './normalise.js';

export type { ErrorFamily } from './families.js';

async function send(family: ErrorFamily, error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const normalised = normaliseError(error);
  if (normalised.unexpected) request.log.error({ err: error }, 'unexpected error');
  else request.log.info({ code: normalised.code, status: normalised.status }, normalised.message);
  const rendered = renderError(family, normalised, request.id);
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
