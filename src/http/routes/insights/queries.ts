import type { FastifyInstance } from 'fastify';
import type { Job, JobState } from '../../../store/index.js';
import type { UsageQueryService } from '../../../jobs/index.js';
import { answerNotModified, setSubmitHeaders, statusWaitMs, submitWaitMs } from '../../job-headers.js';
import { principalOf } from '../../plugins/auth.js';
import { typedRoutes } from '../../type-provider.js';
import { checkQueryRoute, deleteQueryRoute, getQueryRoute, submitQueryRoute } from './schemas.js';

/** Insights status words (spec §3.3); canceled queries show as ERROR with title CANCELED. */
const INSIGHTS_STATUS = {
  queued: 'SUBMITTED',
  running: 'RUNNING',
  succeeded: 'COMPLETED',
  failed: 'ERROR',
  canceled: 'ERROR',
  expired: 'EXPIRED',
} as const satisfies Record<JobState, string>;


function startTime(job: Job): number {
  return Math.floor(Date.parse(job.createdAt) / 1000);
}

async function describeJob(queries: UsageQueryService, job: Job, offset: number, limit: number) {
  const body: Record<string, unknown> = { id: job.id, status: INSIGHTS_STATUS[job.state] };
  if (job.state === 'succeeded') {
    body.columns = job.columns ?? [];
    body.rows = await queries.readPage(job, offset, limit);
    body.pagination = { totalResults: job.rowCount ?? 0, offset, limit };
    body.rowCount = job.rowCount;
    body.expiresAt = job.expiresAt;
  }
  if ((job.state === 'failed' || job.state === 'canceled') && job.errorTitle) {
    body.error = { title: job.errorTitle, detail: job.errorDetail ?? '' };
  }
  return body;
}

/** `POST/GET/DELETE /insights/v1/usage-queries` (spec §3.2, §3.3). */
export function registerInsightsQueries(untyped: FastifyInstance, queries: UsageQueryService, submitHoldMs: number): void {
  // Body, query and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  app.post('/usage-queries', { schema: submitQueryRoute, config: { scope: 'data:read' } }, async (request, reply) => {
    const principal = principalOf(request);
    const body = request.body;
    const contextId = body.contextId ?? body.context ?? request.query.contextId ?? request.query.context;
    let teamIds: string[];
    if (contextId !== undefined) {
      await principal.assertTeam(contextId);
      teamIds = [contextId];
    } else {
      teamIds = [...(await principal.teamIds())];
    }
    const idempotencyKey = request.headers['idempotency-key'] as string | undefined;
    const { job: submitted } = await queries.submit('insights', principal.user?.id ?? '', { kind: 'teams', teamIds }, {
      fields: body.fields ?? [],
      metrics: body.metrics ?? [],
      ...(body.where !== undefined ? { where: body.where } : {}),
      ...(body.orderBy !== undefined ? { orderBy: body.orderBy } : {}),
    }, idempotencyKey);
    setSubmitHeaders(reply, `/insights/v1/usage-queries/${submitted.id}`);
    const wait = submitWaitMs(request, reply, submitHoldMs);
    const job = wait > 0 ? await queries.waitFor(submitted, wait) : submitted;
    if (job.state === 'succeeded') {
      return { ...(await describeJob(queries, job, request.query.offset, request.query.limit)), startTime: startTime(job) };
    }
    // A submit answers COMPLETED or SUBMITTED, never RUNNING (README, seed 000's flow): what
    // happened after the worker picked it up, a poll tells.
    return { id: job.id, status: INSIGHTS_STATUS.queued, startTime: startTime(job) };
  });

  app.post('/usage-queries/check', { schema: checkQueryRoute, config: { scope: 'data:read' } }, async (request) => {
    const principal = principalOf(request);
    const body = request.body;
    const contextId = body.contextId ?? body.context ?? request.query.contextId ?? request.query.context;
    if (contextId !== undefined) await principal.assertTeam(contextId);
    const teamIds = contextId !== undefined ? [contextId] : [...(await principal.teamIds())];
    const { columns } = queries.check('insights', { kind: 'teams', teamIds }, {
      fields: body.fields ?? [], metrics: body.metrics ?? [],
      ...(body.where !== undefined ? { where: body.where } : {}), ...(body.orderBy !== undefined ? { orderBy: body.orderBy } : {}),
    });
    return { valid: true, columns };
  });

  app.get('/usage-queries/:queryId', { schema: getQueryRoute }, async (request, reply) => {
    const found = await queries.get('insights', principalOf(request).user?.id ?? '', request.params.queryId);
    const job = await queries.waitFor(found, statusWaitMs(request, reply));
    const { offset, limit } = request.query;
    if (answerNotModified(request, reply, job, `${offset}:${limit}`)) return reply;
    return describeJob(queries, job, offset, limit);
  });

  app.delete('/usage-queries/:queryId', { schema: deleteQueryRoute }, async (request, reply) => {
    const outcome = await queries.cancelOrDelete('insights', principalOf(request).user?.id ?? '', request.params.queryId);
    reply.header('x-outcome', outcome);
    return reply.code(204).send();
  });
}

