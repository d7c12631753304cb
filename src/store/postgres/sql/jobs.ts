import { jobOfNew, JobLeaseLostError, type Job, type JobFile, type JobKind, type JobState, type JobStateCount, type NewJob, type ResultQuery } from '../../store.js';
import { instant, isoMs, textOrNull, type Queryable } from './db.js';

const JOB_COLUMNS = `id, kind, api, owner_user_id, tenant_key, state, request, request_hash, idempotency_key, attempts,
  max_attempts, worker_id, cancel_requested,
  ${isoMs('created_at')} as created_at, ${isoMs('updated_at')} as updated_at,
  ${isoMs('started_at')} as started_at, ${isoMs('finished_at')} as finished_at,
  ${isoMs('expires_at')} as expires_at, error_title, error_detail, result_columns, row_count::float8 as row_count,
  files, read_flag`;

function toJob(row: Record<string, unknown>): Job {
  return Object.freeze({
    id: String(row.id),
    kind: String(row.kind) as JobKind,
    api: String(row.api) as Job['api'],
    ownerUserId: String(row.owner_user_id),
    tenantKey: String(row.tenant_key),
    state: String(row.state) as Job['state'],
    request: JSON.parse(String(row.request)) as unknown,
    requestHash: String(row.request_hash),
    idempotencyKey: textOrNull(row.idempotency_key),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    workerId: textOrNull(row.worker_id),
    cancelRequested: Boolean(row.cancel_requested),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    startedAt: textOrNull(row.started_at),
    finishedAt: textOrNull(row.finished_at),
    expiresAt: textOrNull(row.expires_at),
    errorTitle: textOrNull(row.error_title),
    errorDetail: textOrNull(row.error_detail),
    columns: row.result_columns ? Object.freeze(JSON.parse(String(row.result_columns)) as string[]) : null,
    rowCount: row.row_count === null || row.row_count === undefined ? null : Number(row.row_count),
    files: Object.freeze(row.files ? (JSON.parse(String(row.files)) as JobFile[]) : []),
    readFlag: Boolean(row.read_flag),
  });
}

async function one(db: Queryable, sql: string, values: unknown[]): Promise<Job | undefined> {
  const row = (await db.query(sql, values)).rows[0];
  return row ? toJob(row) : undefined;
}

/** Inserts a job, queued, or already running for `job.claimedBy` (a submit that found an idle local worker). */
export async function insertJob(db: Queryable, job: NewJob, now: Date): Promise<Job> {
  const claimed = job.claimedBy !== undefined;
  await db.query(
    `insert into jobs (id, kind, api, owner_user_id, tenant_key, state, request, request_hash, idempotency_key,
                       max_attempts, created_at, updated_at, run_at, worker_id, attempts, started_at, heartbeat_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz, $11::timestamptz, $11::timestamptz,
             $12, $13, $14::timestamptz, $14::timestamptz)`,
    [job.id, job.kind, job.api, job.ownerUserId, job.tenantKey, claimed ? 'running' : 'queued', JSON.stringify(job.request),
      job.requestHash, job.idempotencyKey ?? null, job.maxAttempts, instant(now), job.claimedBy ?? null, claimed ? 1 : 0,
      claimed ? instant(now) : null]);
  return jobOfNew(job, now);
}

export function selectJob(db: Queryable, id: string): Promise<Job | undefined> {
  return one(db, `select ${JOB_COLUMNS} from jobs where id = $1`, [id]);
}

export function selectReusableJob(db: Queryable, ownerUserId: string, requestHash: string, now: Date) {
  return one(db,
    `select ${JOB_COLUMNS} from jobs
      where owner_user_id = $1 and request_hash = $2 and state = 'succeeded' and expires_at > $3::timestamptz
      order by created_at desc limit 1`,
    [ownerUserId, requestHash, instant(now)]);
}

export function selectJobByIdempotencyKey(db: Queryable, ownerUserId: string, key: string, since: Date) {
  return one(db,
    `select ${JOB_COLUMNS} from jobs
      where owner_user_id = $1 and idempotency_key = $2 and created_at >= $3::timestamptz
      order by created_at desc limit 1`,
    [ownerUserId, key, instant(since)]);
}

/**
 * Claims the oldest due queued job in one statement (STYLE.md §5): the CTE picks it in claim order
 * and locks it with `for update skip locked`, so concurrent claimers, in this process or another,
 * each skip the rows the others are taking instead of queueing behind them
 * (https://www.postgresql.org/docs/current/sql-select.html#SQL-FOR-UPDATE-SHARE). A job is never
 * claimed twice: the row stays locked until this update commits, and then it is no longer queued.
 */
export function claimJob(db: Queryable, workerId: string, kinds: readonly JobKind[], now: Date) {
  return one(db,
    `with next as (
       select id as next_id from jobs
        where state = 'queued' and run_at <= $2::timestamptz and kind = any($3::text[])
        order by run_at, created_at, id
        limit 1
        for update skip locked
     )
     update jobs j
        set state = 'running', worker_id = $1, attempts = j.attempts + 1, started_at = $2::timestamptz,
            heartbeat_at = $2::timestamptz, updated_at = $2::timestamptz
       from next
      where j.id = next.next_id
      returning ${JOB_COLUMNS}`,
    [workerId, instant(now), [...kinds]]);
}

/**
 * Claims one known job (the one a local submit just queued): a primary-key update. A concurrent
 * claim of the same row waits for ours to commit, then re-checks `state = 'queued'` and gets none
 * (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED).
 */
export function claimJobById(db: Queryable, id: string, workerId: string, now: Date) {
  return one(db,
    `update jobs
        set state = 'running', worker_id = $2, attempts = attempts + 1, started_at = $3::timestamptz,
            heartbeat_at = $3::timestamptz, updated_at = $3::timestamptz
      where id = $1 and state = 'queued' and run_at <= $3::timestamptz
      returning ${JOB_COLUMNS}`,
    [id, workerId, instant(now)]);
}

export async function touchJob(db: Queryable, id: string, workerId: string, now: Date) {
  const row = (await db.query(
    `update jobs set heartbeat_at = $3::timestamptz
      where id = $1 and state = 'running' and worker_id = $2 returning cancel_requested`,
    [id, workerId, instant(now)])).rows[0];
  if (!row) throw new JobLeaseLostError(id);
  return { cancelRequested: Boolean(row.cancel_requested) };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * A JSON array of the given columns of `q`. json_build_array takes at most 100 arguments
 * (FUNC_MAX_ARGS, https://www.postgresql.org/docs/current/limits.html), so a wider row is built in
 * chunks joined as jsonb.
 */
function jsonArrayOf(columns: readonly string[]): string {
  const chunks: string[] = [];
  for (let i = 0; i < columns.length; i += 90) {
    chunks.push(`json_build_array(${columns.slice(i, i + 90).map((c) => `q.${quote(c)}`).join(', ')})`);
  }
  if (chunks.length === 0) return `'[]'`;
  if (chunks.length === 1) return `${chunks[0]}::text`;
  return `(${chunks.map((c) => `${c}::jsonb`).join(' || ')})::text`;
}

/**
 * Numbers the rows of the query by the requested order (ties broken by every column, so pages
 * never overlap or skip) and stores them as JSON arrays. Column names are catalogue names, quoted.
 */
export async function insertResultRows(db: Queryable, id: string, query: ResultQuery): Promise<number> {
  const ordered = new Set(query.order.map((o) => o.column));
  const orderSql = [
    ...query.order.map((o) => `q.${quote(o.column)} ${o.direction} nulls last`),
    ...query.columns.filter((c) => !ordered.has(c)).map((c) => `q.${quote(c)} asc nulls last`),
  ].join(', ');
  const parameterCount = query.parameters.length;
  const result = await db.query(
    `insert into job_results (job_id, ordinal, row_json)
     select $${parameterCount + 1}::text, row_number() over (order by ${orderSql}) - 1, ${jsonArrayOf(query.columns)}
       from (${query.sql}) q`,
    [...query.parameters, id]);
  return result.rowCount ?? 0;
}

export async function finishJob(
  db: Queryable, id: string, workerId: string, columns: readonly string[], rowCount: number, now: Date, expiresAt: Date,
): Promise<void> {
  const result = await db.query(
    `update jobs set state = 'succeeded', finished_at = $3::timestamptz, updated_at = $3::timestamptz,
            expires_at = $4::timestamptz, result_columns = $5, row_count = $6, worker_id = null,
            error_title = null, error_detail = null
      where id = $1 and state = 'running' and worker_id = $2`,
    [id, workerId, instant(now), instant(expiresAt), JSON.stringify(columns), rowCount]);
  if (result.rowCount !== 1) throw new JobLeaseLostError(id);
}

/**
 * Fails a job or puts it back in the queue, decided in the statement itself: a retry happens only
 * while attempts remain, after an exponential backoff of 2^attempts seconds capped at 5 minutes.
 */
export async function updateFailedJob(
  db: Queryable, id: string, workerId: string, error: { title: string; detail: string; retry: boolean }, now: Date,
): Promise<Job> {
  const job = await one(db,
    `update jobs
        set state = case when $5 and attempts < max_attempts then 'queued' else 'failed' end,
            run_at = $6::timestamptz + make_interval(secs => least(power(2, attempts), 300)),
            finished_at = case when $5 and attempts < max_attempts then null else $6::timestamptz end,
            updated_at = $6::timestamptz, worker_id = null, error_title = $3, error_detail = $4
      where id = $1 and state = 'running' and worker_id = $2 returning ${JOB_COLUMNS}`,
    [id, workerId, error.title, error.detail, error.retry, instant(now)]);
  if (!job) throw new JobLeaseLostError(id);
  return job;
}

export function cancelJob(db: Queryable, id: string, now: Date): Promise<Job | undefined> {
  return one(db,
    `update jobs
        set state = case when state = 'queued' then 'canceled' else state end,
            cancel_requested = case when state = 'running' then true else cancel_requested end,
            finished_at = case when state = 'queued' then $2::timestamptz else finished_at end,
            error_title = case when state = 'queued' then 'CANCELED' else error_title end,
            error_detail = case when state = 'queued' then 'The query was canceled before it started.' else error_detail end,
            updated_at = $2::timestamptz
      where id = $1 returning ${JOB_COLUMNS}`,
    [id, instant(now)]);
}

export async function markJobCanceled(db: Queryable, id: string, workerId: string, detail: string, now: Date) {
  const result = await db.query(
    `update jobs set state = 'canceled', finished_at = $3::timestamptz, updated_at = $3::timestamptz,
            worker_id = null, error_title = 'CANCELED', error_detail = $4
      where id = $1 and state = 'running' and worker_id = $2`,
    [id, workerId, instant(now), detail]);
  if (result.rowCount !== 1) throw new JobLeaseLostError(id);
}

export async function deleteResultRows(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query('delete from job_results where job_id = any($1::text[])', [[...ids]]);
}

export async function deleteJobRow(db: Queryable, id: string): Promise<void> {
  await db.query('delete from jobs where id = $1', [id]);
}

export async function requeueStaleJobs(db: Queryable, staleBefore: Date, now: Date) {
  const result = await db.query(
    `update jobs
        set state = case when attempts < max_attempts then 'queued' else 'failed' end,
            worker_id = null, updated_at = $2::timestamptz, run_at = $2::timestamptz,
            finished_at = case when attempts < max_attempts then null else $2::timestamptz end,
            error_title = case when attempts < max_attempts then error_title else 'WORKER_LOST' end,
            error_detail = case when attempts < max_attempts then error_detail
                                else 'The worker running this job stopped and its attempts are spent.' end
      where state = 'running' and heartbeat_at < $1::timestamptz
      returning state`,
    [instant(staleBefore), instant(now)]);
  const states = result.rows.map((row) => row.state);
  return { requeued: states.filter((s) => s === 'queued').length, failed: states.filter((s) => s === 'failed').length };
}

/** Marks succeeded jobs past their retention expired; returns their ids and files. */
export async function expireSucceededJobs(db: Queryable, now: Date): Promise<{ ids: string[]; files: JobFile[] }> {
  const result = await db.query(
    `update jobs set state = 'expired', updated_at = $1::timestamptz
      where state = 'succeeded' and expires_at <= $1::timestamptz returning id, files`,
    [instant(now)]);
  return {
    ids: result.rows.map((row) => String(row.id)),
    files: result.rows.flatMap((row) => (row.files ? (JSON.parse(String(row.files)) as JobFile[]) : [])),
  };
}

export async function selectResultPage(db: Queryable, id: string, offset: number, limit: number): Promise<unknown[][]> {
  const result = await db.query(
    'select row_json from job_results where job_id = $1 and ordinal >= $2 and ordinal < $3 order by ordinal',
    [id, offset, offset + limit]);
  return result.rows.map((row) => JSON.parse(String(row.row_json)) as unknown[]);
}

export async function finishExportJob(
  db: Queryable, id: string, workerId: string, files: readonly JobFile[], now: Date, expiresAt: Date,
): Promise<void> {
  const result = await db.query(
    `update jobs set state = 'succeeded', finished_at = $3::timestamptz, updated_at = $3::timestamptz,
            expires_at = $4::timestamptz, files = $5, row_count = $6, worker_id = null, error_title = null, error_detail = null
      where id = $1 and state = 'running' and worker_id = $2`,
    [id, workerId, instant(now), instant(expiresAt), JSON.stringify(files), files.reduce((sum, f) => sum + f.rowCount, 0)]);
  if (result.rowCount !== 1) throw new JobLeaseLostError(id);
}

export async function selectJobs(
  db: Queryable,
  filter: { ownerUserId: string; kind: JobKind; api: string; tenantKey?: string; from: Date; to: Date; offset?: number; limit?: number },
): Promise<Job[]> {
  const values: (string | number)[] = [filter.ownerUserId, filter.kind, filter.api, instant(filter.from), instant(filter.to)];
  let tenant = '';
  if (filter.tenantKey !== undefined) {
    values.push(filter.tenantKey);
    tenant = ` and tenant_key = $${values.length}`;
  }
  values.push(filter.limit ?? 1000, filter.offset ?? 0);
  const result = await db.query(
    `select ${JOB_COLUMNS} from jobs
      where owner_user_id = $1 and kind = $2 and api = $3 and created_at >= $4::timestamptz and created_at < $5::timestamptz${tenant}
      order by created_at desc, id desc limit $${values.length - 1} offset $${values.length}`,
    values);
  return result.rows.map(toJob);
}

export async function countPending(db: Queryable, ownerUserId: string, kind: JobKind): Promise<number> {
  const result = await db.query(
    `select count(*)::int as n from jobs where owner_user_id = $1 and kind = $2 and state in ('queued', 'running')`,
    [ownerUserId, kind]);
  return Number(result.rows[0]?.n ?? 0);
}

export async function countByState(db: Queryable): Promise<JobStateCount[]> {
  const result = await db.query(`select kind, state, count(*)::int as n from jobs group by kind, state order by kind, state`);
  return result.rows.map((row) => ({ kind: row.kind as JobKind, state: row.state as JobState, count: Number(row.n) }));
}

export async function setReadFlags(db: Queryable, ownerUserId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await db.query(
    'update jobs set read_flag = true where owner_user_id = $1 and not read_flag and id = any($2::text[]) returning id',
    [ownerUserId, [...ids]]);
  return result.rows.map((row) => String(row.id));
}

export async function requeueFailedJob(db: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await db.query(
    `update jobs set state = 'queued', attempts = 0, run_at = $2::timestamptz, updated_at = $2::timestamptz,
            finished_at = null, error_title = null, error_detail = null, cancel_requested = false
      where id = $1 and state = 'failed'`,
    [id, instant(now)]);
  return result.rowCount === 1;
}

export async function deleteFinishedJobs(db: Queryable, before: Date): Promise<number> {
  const result = await db.query(
    `delete from jobs where state in ('expired', 'failed', 'canceled') and updated_at < $1::timestamptz`,
    [instant(before)]);
  return result.rowCount ?? 0;
}
