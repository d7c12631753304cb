import type { FastifyInstance } from 'fastify';
import { createTeam, deleteTeam, getTeam, listTeams, updateTeam } from '../../../admin/index.js';
import type { Store } from '../../../store/index.js';
import { typedRoutes } from '../../type-provider.js';
import { created, pageReply } from './paging.js';
import { createTeamRoute, deleteTeamRoute, getTeamRoute, listTeamsRoute, updateTeamRoute } from './schemas.js';

/** `/admin/v1/teams` (spec §6): Insights contexts with their administrators and members. */
export function registerAdminTeams(untyped: FastifyInstance, store: Store): void {
  // Body, query and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  app.post('/teams', { schema: createTeamRoute }, async (request, reply) => {
    const team = await createTeam(store, request.body);
    return created(reply, `/admin/v1/teams/${encodeURIComponent(team.teamId)}`, team);
  });

  app.get('/teams', { schema: listTeamsRoute }, async (request) =>
    pageReply(await listTeams(store, request.query), request.query, (team) => team));

  app.get('/teams/:teamId', { schema: getTeamRoute }, async (request) => getTeam(store, request.params.teamId));

  app.patch('/teams/:teamId', { schema: updateTeamRoute }, async (request) =>
    updateTeam(store, request.params.teamId, request.body));

  app.delete('/teams/:teamId', { schema: deleteTeamRoute }, async (request, reply) => {
    await deleteTeam(store, request.params.teamId);
    return reply.code(204).send();
  });
}
