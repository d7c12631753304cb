import type { FastifyInstance } from 'fastify';
import { getUser, listUsers, updateUser } from '../../../admin/index.js';
import { createUser, setUserPasswordById } from '../../../auth/index.js';
import type { Store } from '../../../store/index.js';
import { typedRoutes } from '../../type-provider.js';
import { created, pageReply } from './paging.js';
import { createUserRoute, getUserRoute, listUsersRoute, setPasswordRoute, updateUserRoute } from './schemas.js';

/** `/admin/v1/users` (spec §6): the people who sign in. Password hashes never leave the store. */
export function registerAdminUsers(untyped: FastifyInstance, store: Store): void {
  // Body, query and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  app.post('/users', { schema: createUserRoute }, async (request, reply) => {
    const user = await createUser(store, request.body);
    return created(reply, `/admin/v1/users/${encodeURIComponent(user.id)}`, user);
  });

  app.get('/users', { schema: listUsersRoute }, async (request) =>
    pageReply(await listUsers(store, request.query), request.query, (user) => user));

  app.get('/users/:userId', { schema: getUserRoute }, async (request) => getUser(store, request.params.userId));

  app.patch('/users/:userId', { schema: updateUserRoute }, async (request) =>
    updateUser(store, request.params.userId, request.body));

  app.put('/users/:userId/password', { schema: setPasswordRoute }, async (request, reply) => {
    await setUserPasswordById(store, request.params.userId, request.body.password);
    return reply.code(204).send();
  });
}
