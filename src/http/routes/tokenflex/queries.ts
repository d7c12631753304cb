import type { FastifyInstance } from 'fastify';
import { AppError } from '../../../errors.js';
import type { UsageQueryService } from '../../../jobs/index.js';
import type { Job, JobState } from '../../../store/index.js';
import { answerNotModified, setSubmitHeaders, statusWaitMs, submitWaitMs } from '../../job-headers.js';
import { principalOf } from '../../plugins/auth.js';
import { typedRoutes } from '../../type-provider.js';
import { checkQueryRoute, getQueryRoute, submitQueryRoute } from './schemas.js';

/** Token Flex status words (spec §4); a query stopped by the execution cap is TIMEOUT. */
const TOKENFLEX_STATUS = {
  queued: 'QUEUED',
  running: 'PROCESSING',
  succeeded: 'DONE',
  failed: 'FAILED',
  canceled: 'FAILED',
  expired: 'EXPIRED',
} as const satisfies Record<JobState, string>;

function statusOf(job: Job): string {
  return job.state === 'failed' && job.errorTitle === 'QUERY_TIMEOUT' ? 'TIMEOUT' : TOKENFLEX_STATUS[job.state];
}


async function describeJob(queries: UsageQueryService, job: Job, contractNumber: string, offset: number, limit: number) {
  const body: Record<string, unknown> = {
    status: statusOf(job),
    id: job.id,
    detail_uri: `/tokenflex/v1/usage/${contractNumber}/query/${job.id}`,
  };
  if (job.state === 'succeeded') {
    body.result = { columns: job.columns ?? [], rows: await queries.readPage(job, offset, limit), total: job.rowCount ?? 0, offset, limit };
    body.expiresAt = job.expiresAt;
  }
  if ((job.state === 'failed' || job.state === 'canceled') && job.errorTitle) {
    body.error = { title: job.errorTitle, detail: job.errorDetail ?? '' };
  }
  return body;
}

/** `POST /usage/:c/query` and `GET /usage/:c/query/:id` (spec §4). */
export function registerTokenflexQueries(
  untyped: FastifyInstance, queries: UsageQueryService, submitHoldMs: number,
  aliasesOf: (contractNumber: string) => Promise<Readonly<Record<string, string>>>,
): void {
  // Body, query and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  app.post('/usage/:contract_number/query/check', { schema: checkQueryRoute, config: { scope: 'data:read' } }, async (request) => {
    const contractNumber = request.params.contract_number;
    await principalOf(request).assertContract(contractNumber);
    const body = request.body;
    const { columns } = queries.check('tokenflex', { kind: 'contract', contractNumber }, {
      fields: body.fields ?? [], metrics: body.metrics ?? [], fieldAliases: await aliasesOf(contractNumber),
      ...(body.where !== undefined ? { where: body.where } : {}),
      ...(body.usageCategory !== undefined ? { usageCategories: ([] as string[]).concat(body.usageCategory) } : {}),
    });
    return { valid: true, columns };
  });

  app.post('/usage/:contract_number/query', { schema: submitQueryRoute, config: { scope: 'data:read' } }, async (request, reply) => {
    const principal = principalOf(request);
    const contractNumber = request.params.contract_number;
    await principal.assertContract(contractNumber);
    const body = request.body;
    const { job: submitted } = await queries.submit('tokenflex', principal.user?.id ?? '', { kind: 'contract', contractNumber }, {
      fields: body.fields ?? [],
      metrics: body.metrics ?? [],
      fieldAliases: await aliasesOf(contractNumber),
      ...(body.where !== undefined ? { where: body.where } : {}),
      ...(body.usageCategory !== undefined ? { usageCategories: ([] as string[]).concat(body.usageCategory) } : {}),
    }, request.headers['idempotency-key'] as string | undefined);
    setSubmitHeaders(reply, `/tokenflex/v1/usage/${contractNumber}/query/${submitted.id}`);
    const wait = submitWaitMs(request, reply, submitHoldMs);
    const job = wait > 0 ? await queries.waitFor(submitted, wait) : submitted;
    if (job.state === 'succeeded') return describeJob(queries, job, contractNumber, 0, 100);
    // A submit answers DONE or QUEUED, never PROCESSING (spec §4): a poll tells the rest.
    return { status: TOKENFLEX_STATUS.queued, id: job.id, detail_uri: `/tokenflex/v1/usage/${contractNumber}/query/${job.id}` };
  });

  app.get('/usage/:contract_number/query/:id', { schema: getQueryRoute }, async (request, reply) => {
    const principal = principalOf(request);
    const contractNumber = request.params.contract_number;
    await principal.assertContract(contractNumber);
    const found = await queries.get('tokenflex', principal.user?.id ?? '', request.params.id);
    if (found.tenantKey !== contractNumber) throw new AppError('NOT_FOUND', `Contract ${contractNumber} has no query with the id ${found.id}.`);
    const job = await queries.waitFor(found, statusWaitMs(request, reply));
    const { offset, limit } = request.query;
    if (answerNotModified(request, reply, job, `${offset}:${limit}`)) return reply;
    return describeJob(queries, job, contractNumber, offset, limit);
  });
}
