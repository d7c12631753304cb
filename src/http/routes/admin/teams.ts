import type { FastifyInstance } from 'fastify';
import { createTeam, deleteTeam, getTeam, listTeams, updateTeam, type TeamInput } from '../../../admin/index.js';
import type { PageRequest, Store, TeamPatch } from '../../../store/index.js';
import { created, pageReply } from './paging.js';
import { createTeamRoute, deleteTeamRoute, getTeamRoute, listTeamsRoute, updateTeamRoute } from './schemas.js';

type TeamParams = { Params: { teamId: string } };

/** `/admin/v1/teams` (spec §6): Insights contexts with their administrators and members. */
export function registerAdminTeams(app: FastifyInstance, store: Store): void {
  app.post<{ Body: TeamInput }>('/teams', { schema: createTeamRoute }, async (request, reply) => {
    const team = await createTeam(store, request.body);
    return created(reply, `/admin/v1/teams/${encodeURIComponent(team.teamId)}`, team);
  });

  app.get<{ Querystring: PageRequest }>('/teams', { schema: listTeamsRoute }, async (request) =>
    pageReply(await listTeams(store, request.query), request.query, (team) => team));

  app.get<TeamParams>('/teams/:teamId', { schema: getTeamRoute }, async (request) => getTeam(store, request.params.teamId));

  app.patch<TeamParams & { Body: TeamPatch }>('/teams/:teamId', { schema: updateTeamRoute }, async (request) =>
    updateTeam(store, request.params.teamId, request.body));

  app.delete<TeamParams>('/teams/:teamId', { schema: deleteTeamRoute }, async (request, reply) => {
    await deleteTeam(store, request.params.teamId);
    return reply.code(204).send();
  });
}
