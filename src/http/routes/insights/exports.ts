import type { FastifyInstance } from 'fastify';
import { pickLanguage, type InsightsExportService } from '../../../exports/index.js';
import type { Job, JobState, Store } from '../../../store/index.js';
import { setSubmitHeaders } from '../../job-headers.js';
import { principalOf } from '../../plugins/auth.js';
import { typedRoutes } from '../../type-provider.js';
import { deleteExportRoute, getExportRoute, listExportsRoute, submitExportRoute } from './schemas.js';

/** Insights export status words (spec §3.5): a running export still shows SUBMITTED. */
const EXPORT_STATUS = {
  queued: 'SUBMITTED',
  running: 'SUBMITTED',
  succeeded: 'COMPLETED',
  failed: 'ERROR',
  canceled: 'ERROR',
  expired: 'EXPIRED',
} as const satisfies Record<JobState, string>;

function describe(service: InsightsExportService, job: Job): Record<string, unknown> {
  const request = job.request as { outputFormat: string; reports: string[]; teamId: string | null; teamName: string | null };
  const body: Record<string, unknown> = {
    id: job.id,
    timestamp: `${job.createdAt.slice(0, 19)}Z`,
    downloads: job.state === 'succeeded'
      ? service.links(job).map(({ file, url, expiresAt }) => ({
        type: file.type, downloadURL: url, fileName: file.fileName, rowCount: file.rowCount, byteSize: file.byteSize, sha256: file.sha256, expiresAt,
      }))
      : [],
    status: EXPORT_STATUS[job.state],
    outputFormat: request.outputFormat,
    teamId: request.teamId,
    teamName: request.teamName,
    reports: request.reports,
  };
  if (job.state === 'succeeded') body.expiresAt = job.expiresAt;
  if ((job.state === 'failed' || job.state === 'canceled') && job.errorTitle) body.error = { title: job.errorTitle, detail: job.errorDetail ?? '' };
  return body;
}

/** `POST/GET/DELETE /insights/v1/exports` (spec §3.4, §3.5, seed 001). */
export function registerInsightsExports(untyped: FastifyInstance, service: InsightsExportService, store: Store): void {
  // Body, query and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  app.post('/exports', { schema: submitExportRoute }, async (request, reply) => {
    const principal = principalOf(request);
    const userId = principal.user?.id ?? '';
    const teams = userId ? await store.listAdministeredTeams(userId) : [];
    let team: { id: string; name: string } | null = null;
    if (request.body.teamId !== undefined && request.body.teamId !== null) {
      await principal.assertTeam(request.body.teamId);
      const found = teams.find((t) => t.teamId === request.body.teamId);
      team = { id: request.body.teamId, name: found?.name ?? '' };
    }
    const language = pickLanguage(request.headers['accept-language']);
    const job = await service.submit(userId, { teamIds: team ? [team.id] : teams.map((t) => t.teamId), team }, request.body, language);
    setSubmitHeaders(reply, `/insights/v1/exports/${job.id}`);
    reply.header('content-language', language);
    return describe(service, job);
  });

  app.get('/exports', { schema: listExportsRoute }, async (request) => {
    const principal = principalOf(request);
    if (request.query.teamId !== undefined) await principal.assertTeam(request.query.teamId);
    const jobs = await service.list(principal.user?.id ?? '', request.query.teamId);
    const { offset, limit } = request.query;
    return {
      exports: jobs.slice(offset, offset + limit).map((job) => describe(service, job)),
      pagination: { offset, limit, totalResults: jobs.length },
    };
  });

  app.get('/exports/:exportId', { schema: getExportRoute }, async (request) =>
    describe(service, await service.get(principalOf(request).user?.id ?? '', request.params.exportId)));

  app.delete('/exports/:exportId', { schema: deleteExportRoute }, async (request, reply) => {
    await service.cancelOrDelete(await service.get(principalOf(request).user?.id ?? '', request.params.exportId));
    return reply.code(204).send();
  });
}
