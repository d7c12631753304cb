import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../../errors.js';
import { useErrorFamily } from '../../errors/index.js';
import { principalOf, requireBearerToken, type AuthOptions } from '../../plugins/auth.js';
import { registerAdminClients } from './clients.js';
import { registerAdminContracts } from './contracts.js';
import { registerAdminProducts } from './products.js';
import { registerAdminSubscriptions } from './subscriptions.js';
import { registerAdminTeams } from './teams.js';
import { registerAdminUsers } from './users.js';
import { adminUsageRoutes } from './usage.js';
import type { IngestObserver } from '../../control-usage-import.js';

export interface AdminOptions extends AuthOptions {
  readonly observeIngest?: IngestObserver;
  /** The inflated size of a gzip usage batch past which it is refused (default MAX_INFLATED_BODY_BYTES). */
  readonly maxInflatedBodyBytes?: number;
}

/**
 * Administration API (`/admin/v1`, spec §6): the operator's own surface, not part of either
 * Autodesk API, so its errors are RFC 9457 problem+json. Every route needs a bearer token with the
 * route's scope and a user holding the `admin` role.
 */
export const adminRoutes: FastifyPluginAsync<AdminOptions> = async (app, options) => {
  useErrorFamily(app, 'problem');
  requireBearerToken(app, options);
  // An empty body under `Content-Type: application/json` is no body, as most APIs take it (issue 22:
  // a client's fixed header set sends it on `POST /clients/:id/secret` and `DELETE /clients/:id`).
  // Anything else is JSON, parsed by Fastify's own parser (prototype poisoning refused).
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (String(body).trim() === '') {
      done(null, undefined);
      return;
    }
    json(request, String(body), done);
  });
  // onRequest, after the bearer hook: a caller without the role is refused before its body is read.
  app.addHook('onRequest', async (request) => {
    const user = principalOf(request).user;
    if (!user?.roles.includes('admin')) {
      throw new AppError('ROLE_REQUIRED', 'This operation needs a user with the "admin" role.');
    }
  });
  // Authentication caches users and their teams and contracts for a few seconds (plugins/principal.ts);
  // a change made here is forgotten there before the answer leaves, so the caller's next request
  // already sees it.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) options.tenancyCache.clear();
    return payload;
  });

  registerAdminUsers(app, options.store);
  registerAdminClients(app, options.store);
  registerAdminTeams(app, options.store);
  registerAdminContracts(app, options.store);
  registerAdminProducts(app, options.store);
  registerAdminSubscriptions(app, options.store);
  await app.register(adminUsageRoutes, {
    store: options.store, ...(options.observeIngest ? { observeIngest: options.observeIngest } : {}),
    ...(options.maxInflatedBodyBytes !== undefined ? { maxInflatedBodyBytes: options.maxInflatedBodyBytes } : {}),
  });
};
