import type { FastifyInstance } from 'fastify';
import { getUser, listUsers, updateUser, type UserUpdate } from '../../../admin/index.js';
import { createUser, setUserPasswordById, type NewUserInput } from '../../../auth/index.js';
import type { PageRequest, Store } from '../../../store/index.js';
import { created, pageReply } from './paging.js';
import { createUserRoute, getUserRoute, listUsersRoute, setPasswordRoute, updateUserRoute } from './schemas.js';

type UserParams = { Params: { userId: string } };

/** `/admin/v1/users` (spec §6): the people who sign in. Password hashes never leave the store. */
export function registerAdminUsers(app: FastifyInstance, store: Store): void {
  app.post<{ Body: NewUserInput }>('/users', { schema: createUserRoute }, async (request, reply) => {
    const user = await createUser(store, request.body);
    return created(reply, `/admin/v1/users/${encodeURIComponent(user.id)}`, user);
  });

  app.get<{ Querystring: PageRequest }>('/users', { schema: listUsersRoute }, async (request) =>
    pageReply(await listUsers(store, request.query), request.query, (user) => user));

  app.get<UserParams>('/users/:userId', { schema: getUserRoute }, async (request) => getUser(store, request.params.userId));

  app.patch<UserParams & { Body: UserUpdate }>('/users/:userId', { schema: updateUserRoute }, async (request) =>
    updateUser(store, request.params.userId, request.body));

  app.put<UserParams & { Body: { password: string } }>('/users/:userId/password', { schema: setPasswordRoute }, async (request, reply) => {
    await setUserPasswordById(store, request.params.userId, request.body.password);
    return reply.code(204).send();
  });
}
