import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { jobOfNew, JobLeaseLostError, type Job, type JobFile, type JobKind, type JobState, type JobStateCount, type NewJob, type ResultQuery } from '../../store.js';
import { runPrepared } from '../prepared.js';

const ISO = "'%Y-%m-%dT%H:%M:%S.%gZ'";
const JOB_COLUMNS = `id, kind, api, owner_user_id, tenant_key, state, request, request_hash, idempotency_key, attempts,
  max_attempts, worker_id, cancel_requested,
  strftime(created_at, ${ISO}) as created_at, strftime(updated_at, ${ISO}) as updated_at,
  strftime(started_at, ${ISO}) as started_at, strftime(finished_at, ${ISO}) as finished_at,
  strftime(expires_at, ${ISO}) as expires_at, error_title, error_detail, result_columns, cast(row_count as double) as row_count,
  files, read_flag`;

/** Timestamps are written as UTC ISO strings cast to TIMESTAMP, never from the session time zone. */
function utc(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

function toJob(row: Record<string, unknown>): Job {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return Object.freeze({
    id: String(row.id),
    kind: String(row.kind) as JobKind,
    api: String(row.api) as Job['api'],
    ownerUserId: String(row.owner_user_id),
    tenantKey: String(row.tenant_key),
    state: String(row.state) as Job['state'],
    request: JSON.parse(String(row.request)) as unknown,
    requestHash: String(row.request_hash),
    idempotencyKey: text(row.idempotency_key),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    workerId: text(row.worker_id),
    cancelRequested: Boolean(row.cancel_requested),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    startedAt: text(row.started_at),
    finishedAt: text(row.finished_at),
    expiresAt: text(row.expires_at),
    errorTitle: text(row.error_title),
    errorDetail: text(row.error_detail),
    columns: row.result_columns ? Object.freeze(JSON.parse(String(row.result_columns)) as string[]) : null,
    rowCount: row.row_count === null || row.row_count === undefined ? null : Number(row.row_count),
    files: Object.freeze(row.files ? (JSON.parse(String(row.files)) as JobFile[]) : []),
    readFlag: Boolean(row.read_flag),
  });
}

async function one(connection: DuckDBConnection, sql: string, values: DuckDBValue[]): Promise<Job | undefined> {
  const row = (await runPrepared(connection, sql, values)).getRowObjectsJson()[0];
  return row ? toJob(row) : undefined;
}

/** True when a fenced update matched its row (its RETURNING gave one). */
function fenced(reader: { getRowsJson(): unknown[][] }): boolean {
  return reader.getRowsJson().length > 0;
}

/** DuckDB reports a write-write conflict between concurrent transactions with this text. */
export function isTransactionConflict(error: unknown): boolean {
  return /conflict/i.test(String((error as Error)?.message));
}

export async function insertJob(connection: DuckDBConnection, job: NewJob, now: Date): Promise<Job> {
  const claimed = job.claimedBy !== undefined;
  // No RETURNING: every column is known here, and a RETURNING costs DuckDB another pass.
  await runPrepared(connection,
    `insert into jobs (id, kind, api, owner_user_id, tenant_key, state, request, request_hash, idempotency_key,
                       max_attempts, created_at, updated_at, run_at, worker_id, attempts, started_at, heartbeat_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, cast($11 as timestamp), cast($11 as timestamp), cast($11 as timestamp),
             $12, $13, cast($14 as timestamp), cast($14 as timestamp))`,
    [job.id, job.kind, job.api, job.ownerUserId, job.tenantKey, claimed ? 'running' : 'queued', JSON.stringify(job.request),
      job.requestHash, job.idempotencyKey ?? null, job.maxAttempts, utc(now), job.claimedBy ?? null, claimed ? 1 : 0,
      claimed ? utc(now) : null]);
  return jobOfNew(job, now);
}

export function selectJob(connection: DuckDBConnection, id: string): Promise<Job | undefined> {
  return one(connection, `select ${JOB_COLUMNS} from jobs where id = $1`, [id]);
}

/** What the in-memory job lookups are built from (see JobLookups). */
export async function selectJobLookupKeys(connection: DuckDBConnection) {
  const rows = (await connection.runAndReadAll('select id, owner_user_id, idempotency_key, request_hash from jobs')).getRowsJson();
  return rows.map((row) => ({
    id: String(row[0]), ownerUserId: String(row[1]), idempotencyKey: row[2] === null ? null : String(row[2]), requestHash: String(row[3]),
  }));
}

/**
 * Claims the oldest due queued job. DuckDB runs one writer process with optimistic concurrency
 * (https://duckdb.org/docs/stable/connect/concurrency): when two connections update the same row,
 * the second fails with a conflict. The `state = 'queued'` fence plus that conflict guarantee a job
 * is never claimed twice; the caller treats a conflict as "someone else got it".
 */
export function claimJob(connection: DuckDBConnection, workerId: string, kinds: readonly JobKind[], now: Date) {
  const kindList = kinds.map((_, i) => `$${i + 3}`).join(', ');
  return one(connection,
    `update jobs
        set state = 'running', worker_id = $1, attempts = attempts + 1, started_at = cast($2 as timestamp),
            heartbeat_at = cast($2 as timestamp), updated_at = cast($2 as timestamp), error_title = null, error_detail = null
      where id = (select id from jobs where state = 'queued' and run_at <= cast($2 as timestamp) and kind in (${kindList})
                   order by run_at, created_at, id limit 1)
        and state = 'queued'
      returning ${JOB_COLUMNS}`,
    [workerId, utc(now), ...kinds]);
}

/** Claims one known job (the one a local submit just queued): a primary-key update, no queue scan. */
export function claimJobById(connection: DuckDBConnection, id: string, workerId: string, now: Date) {
  return one(connection,
    `update jobs
        set state = 'running', worker_id = $2, attempts = attempts + 1, started_at = cast($3 as timestamp),
            heartbeat_at = cast($3 as timestamp), updated_at = cast($3 as timestamp), error_title = null, error_detail = null
      where id = $1 and state = 'queued' and run_at <= cast($3 as timestamp)
      returning ${JOB_COLUMNS}`,
    [id, workerId, utc(now)]);
}

export async function touchJob(connection: DuckDBConnection, id: string, workerId: string, now: Date) {
  const row = (await runPrepared(connection,
    `update jobs set heartbeat_at = cast($3 as timestamp)
      where id = $1 and state = 'running' and worker_id = $2 returning cancel_requested`,
    [id, workerId, utc(now)])).getRowsJson()[0];
  if (!row) throw new JobLeaseLostError(id);
  return { cancelRequested: Boolean(row[0]) };
}

/**
 * Numbers the rows of the query by the requested order (ties broken by every column, so pages
 * never overlap or skip) and stores them as JSON arrays. Column names are catalogue names, quoted.
 */
export async function insertResultRows(connection: DuckDBConnection, id: string, query: ResultQuery): Promise<number> {
  const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
  const ordered = new Set(query.order.map((o) => o.column));
  const orderSql = [
    ...query.order.map((o) => `q.${quote(o.column)} ${o.direction} nulls last`),
    ...query.columns.filter((c) => !ordered.has(c)).map((c) => `q.${quote(c)} asc nulls last`),
  ].join(', ');
  const values = query.columns.map((c) => `q.${quote(c)}`).join(', ');
  const parameterCount = query.parameters.length;
  const reader = await connection.runAndReadAll(
    `insert into job_results (job_id, ordinal, row_json)
     select $${parameterCount + 1}, row_number() over (order by ${orderSql}) - 1, cast(json_array(${values}) as varchar)
       from (${query.sql}) q`,
    [...query.parameters, id]);
  return Number(reader.getRowsJson()[0]?.[0] ?? 0);
}

/**
 * Marks a running job succeeded. It sets no more columns than it must: DuckDB's UPDATE costs about
 * half a millisecond a column here (measured on a 10M-record file), on every query's critical path.
 * A claim has already cleared the error of an earlier attempt, and the worker id stays as a record
 * of who ran it (only a running job's worker id means anything). No RETURNING: the changed-row
 * count is the fence.
 */
export async function finishJob(
  connection: DuckDBConnection, id: string, workerId: string, columns: readonly string[], rowCount: number, now: Date, expiresAt: Date,
): Promise<void> {
  const reader = await runPrepared(connection,
    `update jobs set state = 'succeeded', finished_at = cast($3 as timestamp), updated_at = cast($3 as timestamp),
            expires_at = cast($4 as timestamp), result_columns = $5, row_count = $6
      where id = $1 and state = 'running' and worker_id = $2`,
    [id, workerId, utc(now), utc(expiresAt), JSON.stringify(columns), rowCount]);
  if (reader.rowsChanged !== 1) throw new JobLeaseLostError(id);
}

/**
 * Fails a job or puts it back in the queue, decided in the statement itself: a retry happens only
 * while attempts remain, after an exponential backoff of 2^attempts seconds capped at 5 minutes.
 */
export async function updateFailedJob(
  connection: DuckDBConnection, id: string, workerId: string, error: { title: string; detail: string; retry: boolean }, now: Date,
): Promise<Job> {
  const job = await one(connection,
    `update jobs
        set state = case when $5 and attempts < max_attempts then 'queued' else 'failed' end,
            run_at = cast($6 as timestamp) + to_seconds(cast(least(power(2, attempts), 300) as bigint)),
            finished_at = case when $5 and attempts < max_attempts then null else cast($6 as timestamp) end,
            updated_at = cast($6 as timestamp), worker_id = null, error_title = $3, error_detail = $4
      where id = $1 and state = 'running' and worker_id = $2 returning ${JOB_COLUMNS}`,
    [id, workerId, error.title, error.detail, error.retry, utc(now)]);
  if (!job) throw new JobLeaseLostError(id);
  return job;
}

export async function cancelJob(connection: DuckDBConnection, id: string, now: Date): Promise<Job | undefined> {
  return one(connection,
    `update jobs
        set state = case when state = 'queued' then 'canceled' else state end,
            cancel_requested = case when state = 'running' then true else cancel_requested end,
            finished_at = case when state = 'queued' then cast($2 as timestamp) else finished_at end,
            error_title = case when state = 'queued' then 'CANCELED' else error_title end,
            error_detail = case when state = 'queued' then 'The query was canceled before it started.' else error_detail end,
            updated_at = cast($2 as timestamp)
      where id = $1 returning ${JOB_COLUMNS}`,
    [id, utc(now)]);
}

export async function markJobCanceled(connection: DuckDBConnection, id: string, workerId: string, detail: string, now: Date) {
  const reader = await connection.runAndReadAll(
    `update jobs set state = 'canceled', finished_at = cast($3 as timestamp), updated_at = cast($3 as timestamp),
            worker_id = null, error_title = 'CANCELED', error_detail = $4
      where id = $1 and state = 'running' and worker_id = $2 returning id`,
    [id, workerId, utc(now), detail]);
  if (!fenced(reader)) throw new JobLeaseLostError(id);
}

export async function deleteResultRows(connection: DuckDBConnection, id: string): Promise<void> {
  await connection.run('delete from job_results where job_id = $1', [id]);
}

export async function deleteJobRows(connection: DuckDBConnection, id: string): Promise<void> {
  await deleteResultRows(connection, id);
  await connection.run('delete from jobs where id = $1', [id]);
}

export async function requeueStaleJobs(connection: DuckDBConnection, staleBefore: Date, now: Date) {
  const reader = await connection.runAndReadAll(
    `update jobs
        set state = case when attempts < max_attempts then 'queued' else 'failed' end,
            worker_id = null, updated_at = cast($2 as timestamp), run_at = cast($2 as timestamp),
            finished_at = case when attempts < max_attempts then null else cast($2 as timestamp) end,
            error_title = case when attempts < max_attempts then error_title else 'WORKER_LOST' end,
            error_detail = case when attempts < max_attempts then error_detail
                                else 'The worker running this job stopped and its attempts are spent.' end
      where state = 'running' and heartbeat_at < cast($1 as timestamp)
      returning id, state`,
    [utc(staleBefore), utc(now)]);
  const swept = reader.getRowsJson();
  // A job completed while its row was being written stores its result before it marks the row
  // (DuckDbStore#completeBeforeRow): a crash in between leaves result rows of a job that is not
  // succeeded, which its next attempt would add to.
  if (swept.length > 0) {
    const list = swept.map((_, i) => `$${i + 1}`).join(', ');
    await connection.run(`delete from job_results where job_id in (${list})`, swept.map((row) => String(row[0])));
  }
  const states = swept.map((row) => row[1]);
  return { requeued: states.filter((s) => s === 'queued').length, failed: states.filter((s) => s === 'failed').length };
}

export async function expireSucceededJobs(connection: DuckDBConnection, now: Date): Promise<JobFile[]> {
  const reader = await connection.runAndReadAll(
    `update jobs set state = 'expired', updated_at = cast($1 as timestamp)
      where state = 'succeeded' and expires_at <= cast($1 as timestamp) returning id, files`,
    [utc(now)]);
  const expired = reader.getRowsJson();
  if (expired.length > 0) {
    await connection.run(`delete from job_results where job_id in (select id from jobs where state = 'expired')`);
  }
  return expired.flatMap((row) => (row[1] ? (JSON.parse(String(row[1])) as JobFile[]) : []));
}

export async function selectResultPage(connection: DuckDBConnection, id: string, offset: number, limit: number): Promise<unknown[][]> {
  const reader = await runPrepared(connection,
    `select row_json from job_results where job_id = $1 and ordinal >= $2 and ordinal < $3 order by ordinal`,
    [id, offset, offset + limit]);
  return reader.getRowsJson().map((row) => JSON.parse(String(row[0])) as unknown[]);
}

export async function finishExportJob(
  connection: DuckDBConnection, id: string, workerId: string, files: readonly JobFile[], now: Date, expiresAt: Date,
): Promise<void> {
  const reader = await connection.runAndReadAll(
    `update jobs set state = 'succeeded', finished_at = cast($3 as timestamp), updated_at = cast($3 as timestamp),
            expires_at = cast($4 as timestamp), files = $5, row_count = $6, worker_id = null, error_title = null, error_detail = null
      where id = $1 and state = 'running' and worker_id = $2 returning id`,
    [id, workerId, utc(now), utc(expiresAt), JSON.stringify(files), files.reduce((sum, f) => sum + f.rowCount, 0)]);
  if (!fenced(reader)) throw new JobLeaseLostError(id);
}

export async function selectJobs(
  connection: DuckDBConnection,
  filter: { ownerUserId: string; kind: JobKind; api: string; tenantKey?: string; from: Date; to: Date; offset?: number; limit?: number },
): Promise<Job[]> {
  const values: (string | number)[] = [filter.ownerUserId, filter.kind, filter.api, utc(filter.from), utc(filter.to)];
  let tenant = '';
  if (filter.tenantKey !== undefined) {
    values.push(filter.tenantKey);
    tenant = ` and tenant_key = $${values.length}`;
  }
  values.push(filter.limit ?? 1000, filter.offset ?? 0);
  const reader = await connection.runAndReadAll(
    `select ${JOB_COLUMNS} from jobs
      where owner_user_id = $1 and kind = $2 and api = $3 and created_at >= cast($4 as timestamp) and created_at < cast($5 as timestamp)${tenant}
      order by created_at desc, id desc limit $${values.length - 1} offset $${values.length}`,
    values);
  return reader.getRowObjectsJson().map(toJob);
}

export async function countPending(connection: DuckDBConnection, ownerUserId: string, kind: JobKind): Promise<number> {
  const reader = await connection.runAndReadAll(
    `select cast(count(*) as integer) from jobs where owner_user_id = $1 and kind = $2 and state in ('queued', 'running')`,
    [ownerUserId, kind]);
  return Number(reader.getRowsJson()[0]?.[0] ?? 0);
}

export async function countByState(connection: DuckDBConnection): Promise<JobStateCount[]> {
  const reader = await connection.runAndReadAll(`select kind, state, cast(count(*) as integer) from jobs group by kind, state order by kind, state`);
  return reader.getRowsJson().map(([kind, state, count]) => ({ kind: kind as JobKind, state: state as JobState, count: Number(count) }));
}

export async function setReadFlags(connection: DuckDBConnection, ownerUserId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const list = ids.map((_, i) => `$${i + 2}`).join(', ');
  const reader = await connection.runAndReadAll(
    `update jobs set read_flag = true where owner_user_id = $1 and not read_flag and id in (${list}) returning id`,
    [ownerUserId, ...ids]);
  return reader.getRowsJson().map((row) => String(row[0]));
}

export async function requeueFailedJob(connection: DuckDBConnection, id: string, now: Date): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `update jobs set state = 'queued', attempts = 0, run_at = cast($2 as timestamp), updated_at = cast($2 as timestamp),
            finished_at = null, error_title = null, error_detail = null, cancel_requested = false
      where id = $1 and state = 'failed' returning id`,
    [id, utc(now)]);
  return fenced(reader);
}

/** Deletes the jobs that ended before a time; returns their ids. */
export async function deleteFinishedJobs(connection: DuckDBConnection, before: Date): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `delete from jobs where state in ('expired', 'failed', 'canceled') and updated_at < cast($1 as timestamp) returning id`,
    [utc(before)]);
  return reader.getRowsJson().map((row) => String(row[0]));
}
