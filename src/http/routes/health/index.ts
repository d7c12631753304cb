import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../../../store/index.js';

export interface HealthOptions {
  readonly store: Store;
  /** False while the service is still preparing (e.g. seeding demo data) or shutting down. */
  readonly isReady: () => boolean;
}

const statusSchema = {
  type: 'object',
  properties: { status: { type: 'string' }, backend: { type: 'string' }, detail: { type: 'string' } },
  required: ['status'],
} as const;

/** Liveness and readiness probes: no token, no body parsing, nothing secret in the answer. */
export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, options) => {
  app.get('/healthz', {
    schema: { tags: ['health'], summary: 'Liveness: the process answers.', response: { 200: statusSchema } },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      tags: ['health'],
      summary: 'Readiness: the database answers and start-up work is done.',
      response: { 200: statusSchema, 503: statusSchema },
    },
  }, async (request, reply) => {
    if (!options.isReady()) return reply.code(503).send({ status: 'starting', backend: options.store.backend });
    try {
      await options.store.ping();
      return { status: 'ready', backend: options.store.backend };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness probe failed');
      return reply.code(503).send({ status: 'unavailable', backend: options.store.backend, detail: 'the database does not answer' });
    }
  });
};
