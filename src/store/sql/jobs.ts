import { canMove, PENDING_STATES } from '../job-state.js';
import {
  jobOfNew, JobLeaseLostError, type Job, type JobFile, type JobKind, type JobState, type JobStateCount, type NewJob, type ResultQuery,
} from '../contract/index.js';
import type { Db, DbRow, SqlDialect } from './dialect.js';

/**
 * The `where` fence of a state change: the job must be in `from`, and ALLOWED_MOVES must allow
 * every move the statement can make. Checked when this module loads, so a statement making a move
 * the table forbids cannot ship.
 */
function fence(from: JobState, ...to: JobState[]): string {
  for (const target of to) {
    if (!canMove(from, target)) throw new Error(`The job move ${from} → ${target} is not in ALLOWED_MOVES.`);
  }
  return `state = '${from}'`;
}

const CLAIM = fence('queued', 'running');
const SUCCEED = fence('running', 'succeeded');
const FAIL_OR_RETRY = fence('running', 'failed', 'queued');
const CANCEL_RUNNING = fence('running', 'canceled');
const CANCEL_QUEUED = fence('queued', 'canceled');
const EXPIRE = fence('succeeded', 'expired');
const RETRY_FAILED = fence('failed', 'queued');
const PENDING = `state in (${PENDING_STATES.map((s) => `'${s}'`).join(', ')})`;

const columnsByDialect = new Map<string, string>();

/** Every column a Job is read from, the timestamps as ISO text. */
function jobColumns(d: SqlDialect): string {
  let columns = columnsByDialect.get(d.name);
  if (!columns) {
    columns = `id, kind, api, owner_user_id, tenant_key, state, request, request_hash, idempotency_key, attempts,
  max_attempts, worker_id, cancel_requested,
  ${d.isoMs('created_at')} as created_at, ${d.isoMs('updated_at')} as updated_at,
  ${d.isoMs('started_at')} as started_at, ${d.isoMs('finished_at')} as finished_at,
  ${d.isoMs('expires_at')} as expires_at, error_title, error_detail, result_columns,
  cast(row_count as double precision) as row_count, files, read_flag`;
    columnsByDialect.set(d.name, columns);
  }
  return columns;
}

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

function toJob(row: DbRow): Job {
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

async function one(db: Db, sql: string, values: readonly unknown[], prepare = false): Promise<Job | undefined> {
  const row = (await db.query(sql, values, { prepare })).rows[0];
  return row ? toJob(row) : undefined;
}

/** Inserts a job, queued, or already running for `job.claimedBy` (a submit that found an idle local worker). */
export async function insertJob(db: Db, job: NewJob, now: Date): Promise<Job> {
  const d = db.dialect;
  const claimed = job.claimedBy !== undefined;
  // No RETURNING: every column is known here, and a RETURNING costs DuckDB another pass.
  await db.query(
    `insert into jobs (id, kind, api, owner_user_id, tenant_key, state, request, request_hash, idempotency_key,
                       max_attempts, created_at, updated_at, run_at, worker_id, attempts, started_at, heartbeat_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ${d.timestamp('$11')}, ${d.timestamp('$11')}, ${d.timestamp('$11')},
             $12, $13, ${d.timestamp('$14')}, ${d.timestamp('$14')})`,
    [job.id, job.kind, job.api, job.ownerUserId, job.tenantKey, claimed ? 'running' : 'queued', JSON.stringify(job.request),
      job.requestHash, job.idempotencyKey ?? null, job.maxAttempts, d.timestampValue(now), job.claimedBy ?? null, claimed ? 1 : 0,
      claimed ? d.timestampValue(now) : null],
    { prepare: true });
  return jobOfNew(job, now);
}

export function selectJob(db: Db, id: string): Promise<Job | undefined> {
  return one(db, `select ${jobColumns(db.dialect)} from jobs where id = $1`, [id], true);
}

export function selectReusableJob(db: Db, ownerUserId: string, requestHash: string, now: Date): Promise<Job | undefined> {
  const d = db.dialect;
  return one(db,
    `select ${jobColumns(d)} from jobs
      where owner_user_id = $1 and request_hash = $2 and state = 'succeeded' and expires_at > ${d.timestamp('$3')}
      order by created_at desc limit 1`,
    [ownerUserId, requestHash, d.timestampValue(now)]);
}

export function selectJobByIdempotencyKey(db: Db, ownerUserId: string, key: string, since: Date): Promise<Job | undefined> {
  const d = db.dialect;
  return one(db,
    `select ${jobColumns(d)} from jobs
      where owner_user_id = $1 and idempotency_key = $2 and created_at >= ${d.timestamp('$3')}
      order by created_at desc limit 1`,
    [ownerUserId, key, d.timestampValue(since)]);
}

/** What an in-memory index of jobs by idempotency key and request hash is built from. */
export async function selectJobLookupKeys(db: Db) {
  const { rows } = await db.query('select id, owner_user_id, idempotency_key, request_hash from jobs');
  return rows.map((row) => ({
    id: String(row.id), ownerUserId: String(row.owner_user_id), idempotencyKey: text(row.idempotency_key), requestHash: String(row.request_hash),
  }));
}

/**
 * A claim sets the worker and clears the error of an earlier attempt, so a running job never
 * shows an old error, and the success that follows need not touch those columns.
 */
const CLAIM_SET = (d: SqlDialect, worker: string, now: string) => `state = 'running', worker_id = ${worker}, attempts = attempts + 1,
            started_at = ${d.timestamp(now)}, heartbeat_at = ${d.timestamp(now)}, updated_at = ${d.timestamp(now)},
            error_title = null, error_detail = null`;

/**
 * Claims the oldest due queued job of the owners with the fewest jobs running, so one user's burst
 * does not starve the others (issue 19): each owner's next job goes before a busier owner's.
 * Never twice, on either database: on PostgreSQL the select locks its row `for update skip
 * locked`, so concurrent claimers skip the rows others are taking and the row stays locked until
 * this update commits; DuckDB has no row locks, and the second of two concurrent updates of a row
 * fails with a conflict (Db.isConflict), which the caller reads as "someone else got it". In both,
 * the `state = 'queued'` fence is re-checked by the update.
 */
export function claimJob(db: Db, workerId: string, kinds: readonly JobKind[], now: Date): Promise<Job | undefined> {
  const d = db.dialect;
  const kindList = d.inList('q.kind', 3, kinds);
  return one(db,
    `update jobs
        set ${CLAIM_SET(d, '$1', '$2')}
      where id = (select q.id from jobs q where q.state = 'queued' and q.run_at <= ${d.timestamp('$2')} and ${kindList.sql}
                   order by (select count(*) from jobs r where r.state = 'running' and r.owner_user_id = q.owner_user_id),
                            q.run_at, q.created_at, q.id
                   limit 1 ${d.skipLocked})
        and ${CLAIM}
      returning ${jobColumns(d)}`,
    [workerId, d.timestampValue(now), ...kindList.values], kinds.length === 1);
}

/**
 * Claims one known job (the one a local submit just queued): a primary-key update. On PostgreSQL
 * a concurrent claim of the row waits for ours to commit, then re-checks the fence and gets none
 * (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED).
 */
export function claimJobById(db: Db, id: string, workerId: string, now: Date): Promise<Job | undefined> {
  const d = db.dialect;
  return one(db,
    `update jobs
        set ${CLAIM_SET(d, '$2', '$3')}
      where id = $1 and ${CLAIM} and run_at <= ${d.timestamp('$3')}
      returning ${jobColumns(d)}`,
    [id, workerId, d.timestampValue(now)], true);
}

export async function touchJob(db: Db, id: string, workerId: string, now: Date): Promise<{ cancelRequested: boolean }> {
  const d = db.dialect;
  const row = (await db.query(
    `update jobs set heartbeat_at = ${d.timestamp('$3')}
      where id = $1 and state = 'running' and worker_id = $2 returning cancel_requested`,
    [id, workerId, d.timestampValue(now)], { prepare: true })).rows[0];
  if (!row) throw new JobLeaseLostError(id);
  return { cancelRequested: Boolean(row.cancel_requested) };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Numbers the rows of the query by the requested order (ties broken by every column, so pages
 * never overlap or skip) and stores them as JSON arrays. Column names are catalogue names, quoted.
 */
export async function insertResultRows(db: Db, id: string, query: ResultQuery): Promise<number> {
  const ordered = new Set(query.order.map((o) => o.column));
  const orderSql = [
    ...query.order.map((o) => `q.${quote(o.column)} ${o.direction} nulls last`),
    ...query.columns.filter((c) => !ordered.has(c)).map((c) => `q.${quote(c)} asc nulls last`),
  ].join(', ');
  const parameterCount = query.parameters.length;
  const result = await db.query(
    `insert into job_results (job_id, ordinal, row_json)
     select cast($${parameterCount + 1} as text), row_number() over (order by ${orderSql}) - 1,
            ${db.dialect.jsonArrayText(query.columns.map((c) => `q.${quote(c)}`))}
       from (${query.sql}) q`,
    [...query.parameters, id]);
  return result.rowCount;
}

/**
 * Marks a running job succeeded. It sets no more columns than it must (on DuckDB every column an
 * UPDATE sets costs time on each query's critical path): the claim has cleared any earlier error,
 * and the worker id stays as the record of who ran it. The changed-row count is the fence.
 */
export async function finishJob(
  db: Db, id: string, workerId: string, columns: readonly string[], rowCount: number, now: Date, expiresAt: Date,
): Promise<void> {
  const d = db.dialect;
  const result = await db.query(
    `update jobs set state = 'succeeded', finished_at = ${d.timestamp('$3')}, updated_at = ${d.timestamp('$3')},
            expires_at = ${d.timestamp('$4')}, result_columns = $5, row_count = $6
      where id = $1 and ${SUCCEED} and worker_id = $2`,
    [id, workerId, d.timestampValue(now), d.timestampValue(expiresAt), JSON.stringify(columns), rowCount], { prepare: true });
  if (result.rowCount !== 1) throw new JobLeaseLostError(id);
}

/** Marks a running export succeeded with its files; like finishJob, the worker id stays. */
export async function finishExportJob(
  db: Db, id: string, workerId: string, files: readonly JobFile[], now: Date, expiresAt: Date,
): Promise<void> {
  const d = db.dialect;
  const result = await db.query(
    `update jobs set state = 'succeeded', finished_at = ${d.timestamp('$3')}, updated_at = ${d.timestamp('$3')},
            expires_at = ${d.timestamp('$4')}, files = $5, row_count = $6
      where id = $1 and ${SUCCEED} and worker_id = $2`,
    [id, workerId, d.timestampValue(now), d.timestampValue(expiresAt), JSON.stringify(files), files.reduce((sum, f) => sum + f.rowCount, 0)]);
  if (result.rowCount !== 1) throw new JobLeaseLostError(id);
}

/**
 * Fails a job or puts it back in the queue, decided in the statement itself: a retry happens only
 * while attempts remain, after an exponential backoff of 2^attempts seconds capped at 5 minutes.
 */
export async function updateFailedJob(
  db: Db, id: string, workerId: string, error: { title: string; detail: string; retry: boolean }, now: Date,
): Promise<Job> {
  const d = db.dialect;
  const job = await one(db,
    `update jobs
        set state = case when $5 and attempts < max_attempts then 'queued' else 'failed' end,
            run_at = ${d.addSeconds(d.timestamp('$6'), 'least(power(2, attempts), 300)')},
            finished_at = case when $5 and attempts < max_attempts then null else ${d.timestamp('$6')} end,
            updated_at = ${d.timestamp('$6')}, worker_id = null, error_title = $3, error_detail = $4
      where id = $1 and ${FAIL_OR_RETRY} and worker_id = $2 returning ${jobColumns(d)}`,
    [id, workerId, error.title, error.detail, error.retry, d.timestampValue(now)], true);
  if (!job) throw new JobLeaseLostError(id);
  return job;
}

/** Cancels a queued job at once; a running one is asked to stop (its worker sees the flag). */
export function cancelJob(db: Db, id: string, now: Date): Promise<Job | undefined> {
  const d = db.dialect;
  return one(db,
    `update jobs
        set state = case when ${CANCEL_QUEUED} then 'canceled' else state end,
            cancel_requested = case when state = 'running' then true else cancel_requested end,
            finished_at = case when ${CANCEL_QUEUED} then ${d.timestamp('$2')} else finished_at end,
            error_title = case when ${CANCEL_QUEUED} then 'CANCELED' else error_title end,
            error_detail = case when ${CANCEL_QUEUED} then 'The query was canceled before it started.' else error_detail end,
            updated_at = ${d.timestamp('$2')}
      where id = $1 returning ${jobColumns(d)}`,
    [id, d.timestampValue(now)]);
}

export async function markJobCanceled(db: Db, id: string, workerId: string, detail: string, now: Date): Promise<void> {
  const d = db.dialect;
  const result = await db.query(
    `update jobs set state = 'canceled', finished_at = ${d.timestamp('$3')}, updated_at = ${d.timestamp('$3')},
            worker_id = null, error_title = 'CANCELED', error_detail = $4
      where id = $1 and ${CANCEL_RUNNING} and worker_id = $2`,
    [id, workerId, d.timestampValue(now), detail]);
  if (result.rowCount !== 1) throw new JobLeaseLostError(id);
}

export async function deleteResultRows(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const list = db.dialect.inList('job_id', 1, ids);
  await db.query(`delete from job_results where ${list.sql}`, list.values);
}

export async function deleteJobRow(db: Db, id: string): Promise<void> {
  await db.query('delete from jobs where id = $1', [id]);
}

/**
 * Returns the running jobs whose heartbeat is older than `staleBefore` to the queue, or fails them
 * when their attempts are spent, and deletes any result rows they left: a job completed while its
 * row was being written stores its result before it marks the row (DuckDB), so a crash in between
 * leaves rows its next attempt would add to.
 */
export async function requeueStaleJobs(db: Db, staleBefore: Date, now: Date): Promise<{ requeued: number; failed: number }> {
  const d = db.dialect;
  const { rows } = await db.query(
    `update jobs
        set state = case when attempts < max_attempts then 'queued' else 'failed' end,
            worker_id = null, updated_at = ${d.timestamp('$2')}, run_at = ${d.timestamp('$2')},
            finished_at = case when attempts < max_attempts then null else ${d.timestamp('$2')} end,
            error_title = case when attempts < max_attempts then error_title else 'WORKER_LOST' end,
            error_detail = case when attempts < max_attempts then error_detail
                                else 'The worker running this job stopped and its attempts are spent.' end
      where ${FAIL_OR_RETRY} and heartbeat_at < ${d.timestamp('$1')}
      returning id, state`,
    [d.timestampValue(staleBefore), d.timestampValue(now)]);
  await deleteResultRows(db, rows.map((row) => String(row.id)));
  const states = rows.map((row) => row.state);
  return { requeued: states.filter((s) => s === 'queued').length, failed: states.filter((s) => s === 'failed').length };
}

/** Marks succeeded jobs past their retention expired; returns their ids and files. */
export async function expireSucceededJobs(db: Db, now: Date): Promise<{ ids: string[]; files: JobFile[] }> {
  const d = db.dialect;
  const { rows } = await db.query(
    `update jobs set state = 'expired', updated_at = ${d.timestamp('$1')}
      where ${EXPIRE} and expires_at <= ${d.timestamp('$1')} returning id, files`,
    [d.timestampValue(now)]);
  return {
    ids: rows.map((row) => String(row.id)),
    files: rows.flatMap((row) => (row.files ? (JSON.parse(String(row.files)) as JobFile[]) : [])),
  };
}

export async function selectResultPage(db: Db, id: string, offset: number, limit: number): Promise<unknown[][]> {
  const { rows } = await db.query(
    'select row_json from job_results where job_id = $1 and ordinal >= $2 and ordinal < $3 order by ordinal',
    [id, offset, offset + limit], { prepare: true });
  return rows.map((row) => JSON.parse(String(row.row_json)) as unknown[]);
}

export async function selectJobs(
  db: Db,
  filter: { ownerUserId: string; kind: JobKind; api: string; tenantKey?: string; from: Date; to: Date; offset?: number; limit?: number },
): Promise<Job[]> {
  const d = db.dialect;
  const values: (string | number)[] = [filter.ownerUserId, filter.kind, filter.api, d.timestampValue(filter.from), d.timestampValue(filter.to)];
  let tenant = '';
  if (filter.tenantKey !== undefined) {
    values.push(filter.tenantKey);
    tenant = ` and tenant_key = $${values.length}`;
  }
  values.push(filter.limit ?? 1000, filter.offset ?? 0);
  const { rows } = await db.query(
    `select ${jobColumns(d)} from jobs
      where owner_user_id = $1 and kind = $2 and api = $3 and created_at >= ${d.timestamp('$4')} and created_at < ${d.timestamp('$5')}${tenant}
      order by created_at desc, id desc limit $${values.length - 1} offset $${values.length}`,
    values);
  return rows.map(toJob);
}

export async function countPending(db: Db, ownerUserId: string, kind: JobKind): Promise<number> {
  const { rows } = await db.query(
    `select cast(count(*) as integer) as n from jobs where owner_user_id = $1 and kind = $2 and ${PENDING}`,
    [ownerUserId, kind]);
  return Number(rows[0]?.n ?? 0);
}

export async function countByState(db: Db): Promise<JobStateCount[]> {
  const { rows } = await db.query('select kind, state, cast(count(*) as integer) as n from jobs group by kind, state order by kind, state');
  return rows.map((row) => ({ kind: row.kind as JobKind, state: row.state as JobState, count: Number(row.n) }));
}

export async function setReadFlags(db: Db, ownerUserId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const list = db.dialect.inList('id', 2, ids);
  const { rows } = await db.query(
    `update jobs set read_flag = true where owner_user_id = $1 and not read_flag and ${list.sql} returning id`,
    [ownerUserId, ...list.values]);
  return rows.map((row) => String(row.id));
}

/** An administrator's retry of a failed job: queued again with its attempts reset. */
export async function requeueFailedJob(db: Db, id: string, now: Date): Promise<boolean> {
  const d = db.dialect;
  const result = await db.query(
    `update jobs set state = 'queued', attempts = 0, run_at = ${d.timestamp('$2')}, updated_at = ${d.timestamp('$2')},
            finished_at = null, error_title = null, error_detail = null, cancel_requested = false
      where id = $1 and ${RETRY_FAILED}`,
    [id, d.timestampValue(now)]);
  return result.rowCount === 1;
}

/** Deletes the jobs that ended before a time; returns their ids. */
export async function deleteFinishedJobs(db: Db, before: Date): Promise<string[]> {
  const d = db.dialect;
  const { rows } = await db.query(
    `delete from jobs where state in ('expired', 'failed', 'canceled') and updated_at < ${d.timestamp('$1')} returning id`,
    [d.timestampValue(before)]);
  return rows.map((row) => String(row.id));
}
