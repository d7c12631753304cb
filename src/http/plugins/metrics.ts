import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.js';
import type { Metrics } from '../../metrics/index.js';
import { problemSchema } from '../routes/admin/schemas.js';
import { authenticatedProblemErrors } from '../schemas.js';
import { authenticate, principalOf, type AuthOptions } from './auth.js';

/** Who may read `/metrics` (setting `METRICS`; `off` registers nothing). */
export type MetricsAccess = 'loopback' | 'token';

export interface MetricsPluginOptions extends AuthOptions {
  readonly metrics: Metrics;
  readonly access: MetricsAccess;
}

/** A peer on this machine: IPv4 127/8, IPv6 ::1, or IPv4 loopback mapped into IPv6. */
function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (/^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address));
}

/**
 * Counts every request (by method, route pattern and status, with its latency) and serves the
 * Prometheus text exposition at `GET /metrics`. Not encapsulated (fastify-plugin), so the counting
 * hook is the root context's and sees the routes of every API.
 *
 * Security: metrics name routes and show load, not data, but are still the operator's. With
 * `loopback` they are open to the machine itself (a local Prometheus or agent) and need an admin
 * token from anywhere else; behind a reverse proxy on the same machine every caller looks local,
 * so such a setup must use `token`.
 */
const countAndServeMetrics: FastifyPluginAsync<MetricsPluginOptions> = async (app, options) => {
  app.addHook('onResponse', async (request, reply) => {
    // The pattern, never the raw URL: ids and query strings would make a series per request.
    options.metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  await app.register(async (scope) => {
    // This context's hook guards /metrics only.
    scope.addHook('onRequest', async (request) => {
      if (options.access === 'loopback' && isLoopback(request.socket.remoteAddress)) return;
      await authenticate(request, options);
      if (!principalOf(request).user?.roles.includes('admin')) {
        throw new AppError('ROLE_REQUIRED', 'The metrics need a user with the "admin" role.');
      }
    });
    scope.get('/metrics', {
      schema: {
        tags: ['operations'],
        summary: 'Prometheus metrics (text exposition format).',
        description: 'Open to requests from the machine itself unless METRICS=token; from elsewhere, a token of a user with the admin role.',
        security: [{ bearerAuth: [] }],
        response: {
          200: { description: 'The metrics, in the Prometheus text format 0.0.4.', type: 'string' },
          ...authenticatedProblemErrors(problemSchema),
        },
      },
    }, async (_request, reply) => {
      const { contentType, body } = await options.metrics.render();
      return reply.type(contentType).header('cache-control', 'no-store').send(body);
    });
  });
};

export const metricsPlugin = fp(countAndServeMetrics, { name: 'usage-insights-metrics' });
