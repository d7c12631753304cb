import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../../errors.js';
import { useErrorFamily } from '../../errors/index.js';
import { principalOf, requireBearerToken, type AuthOptions } from '../../plugins/auth.js';

export type AdminOptions = AuthOptions;

/**
 * Administration API (`/admin/v1`, spec §6): the operator's own surface, not part of either
 * Autodesk API, so its errors are RFC 9457 problem+json. Every route needs a bearer token with the
 * route's scope and a user holding the `admin` role.
 */
export const adminRoutes: FastifyPluginAsync<AdminOptions> = async (app, options) => {
  useErrorFamily(app, 'problem');
  requireBearerToken(app, options);
  app.addHook('preHandler', async (request) => {
    const user = principalOf(request).user;
    if (!user?.roles.includes('admin')) {
      throw new AppError('ROLE_REQUIRED', 'This operation needs a user with the "admin" role.');
    }
  });
};
