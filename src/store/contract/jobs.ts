import type { JobStateCount } from './store.js';
import type { InsightsReportQuery } from './reports.js';

/** Internal job states (STYLE.md §2); each API maps them to its own words at the HTTP edge. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'expired';
export type JobKind = 'usage-query' | 'export';

export interface NewJob {
  readonly id: string;
  readonly kind: JobKind;
  readonly api: 'insights' | 'tokenflex';
  readonly ownerUserId: string;
  readonly tenantKey: string;
  /** The normalised request, stored as JSON. */
  readonly request: unknown;
  readonly requestHash: string;
  readonly idempotencyKey?: string;
  readonly maxAttempts: number;
  /**
   * Creates the job already claimed by this worker (state `running`, first attempt), for a submit
   * that found an idle worker in its own process: one write instead of a queue insert plus a claim.
   */
  readonly claimedBy?: string;
  /** When it is created (default: when the store writes it); the submitter's clock, so it knows the row. */
  readonly createdAt?: Date;
}

/** The row a store writes for a new job, as `createJob` returns it. */
export function jobOfNew(job: NewJob, now: Date): Job {
  const claimed = job.claimedBy !== undefined;
  const at = now.toISOString();
  return Object.freeze({
    id: job.id, kind: job.kind, api: job.api, ownerUserId: job.ownerUserId, tenantKey: job.tenantKey, state: claimed ? 'running' : 'queued',
    request: JSON.parse(JSON.stringify(job.request)) as unknown, requestHash: job.requestHash,
    idempotencyKey: job.idempotencyKey ?? null, attempts: claimed ? 1 : 0, maxAttempts: job.maxAttempts, workerId: job.claimedBy ?? null,
    cancelRequested: false, createdAt: at, updatedAt: at, startedAt: claimed ? at : null, finishedAt: null, expiresAt: null,
    errorTitle: null, errorDetail: null, columns: null, rowCount: null, files: Object.freeze([]), readFlag: false,
  });
}

export interface Job {
  readonly id: string;
  readonly kind: JobKind;
  readonly api: 'insights' | 'tokenflex';
  readonly ownerUserId: string;
  readonly tenantKey: string;
  readonly state: JobState;
  readonly request: unknown;
  readonly requestHash: string;
  readonly idempotencyKey: string | null;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly workerId: string | null;
  readonly cancelRequested: boolean;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly expiresAt: string | null;
  readonly errorTitle: string | null;
  readonly errorDetail: string | null;
  readonly columns: readonly string[] | null;
  readonly rowCount: number | null;
  /** Files an export produced (empty until it succeeds). */
  readonly files: readonly JobFile[];
  /** Token Flex `readFlag`. */
  readonly readFlag: boolean;
}

/** One file of a finished export. */
export interface JobFile {
  /** The report or query it holds, e.g. `SUBSCRIPTIONS`, `TOKENFLEX_EXPORT`. */
  readonly type: string;
  readonly key: string;
  readonly fileName: string;
  readonly byteSize: number;
  readonly sha256: string;
  readonly rowCount: number;
}

/** A Token Flex export schedule (spec §4). */
export interface ExportSchedule {
  readonly id: string;
  readonly contractNumber: string;
  readonly ownerUserId: string;
  readonly dateRangeExpression: string;
  readonly enabled: boolean;
  readonly frequencyExpression: string;
  readonly scheduleObjects: readonly { readonly usageCategory: string; readonly aggregationLevel: readonly string[] }[];
  /** ISO 8601 UTC, or null. */
  readonly lastRanAt: string | null;
  readonly nextRunAt: string | null;
}

export interface ScheduleStore {
  saveSchedule(schedule: ExportSchedule): Promise<void>;
  getSchedule(id: string): Promise<ExportSchedule | undefined>;
  listSchedules(ownerUserId: string, contractNumber: string): Promise<readonly ExportSchedule[]>;
  deleteSchedule(id: string): Promise<void>;
  /** Enabled schedules whose next run is due at `now`. */
  listDueSchedules(now: Date): Promise<readonly ExportSchedule[]>;
  /**
   * Records one firing: moves `next_run_at` from `expectedNextRunAt` to `nextRunAt`. Fenced by the
   * expected value, so of several schedulers (or a restart racing a slow one) exactly one wins.
   */
  claimScheduleFiring(id: string, expectedNextRunAt: string, nextRunAt: Date | null, ranAt: Date): Promise<boolean>;
}

/** A read-only query whose rows are streamed (exports). */
export interface StreamQuery {
  readonly sql: string;
  readonly parameters: readonly (string | number | boolean)[];
}

/** A query to run and store as a job's result, with the order its rows are numbered in. */
export interface ResultQuery {
  readonly sql: string;
  readonly parameters: readonly (string | number | boolean)[];
  readonly columns: readonly string[];
  /** Output columns to number the rows by, in order; ties are broken by the remaining columns. */
  readonly order: readonly { readonly column: string; readonly direction: 'asc' | 'desc' }[];
}

/** What `completeQueryJob` committed: exactly the values now in the job's row. */
export interface CompletedQuery {
  readonly rowCount: number;
  /** ISO 8601 UTC, millisecond precision, as the row's `finished_at`/`updated_at`. */
  readonly finishedAt: string;
  readonly expiresAt: string;
}

export interface JobStore extends ScheduleStore {
  /**
   * Writes a query's rows as an RFC 4180 CSV file (header row, CRLF) at `path`, inside the
   * database, and returns the row count. Cells of the `textColumns` that start with `=`, `+`, `-`,
   * `@`, tab or CR get a leading apostrophe (formula injection). Aborting interrupts it.
   */
  copyCsv(query: StreamQuery, columns: readonly string[], textColumns: readonly string[], path: string, signal: AbortSignal): Promise<number>;
  /** The SQL of an Insights report, ready for `streamRows`. */
  buildReportQuery(query: InsightsReportQuery): StreamQuery;
  /** Streams a query's rows in chunks; aborting the signal interrupts the statement. */
  streamRows(query: StreamQuery, signal: AbortSignal): AsyncIterable<unknown[]>;
  /** Marks a running export succeeded with its files. Owner-fenced. */
  completeExportJob(id: string, workerId: string, files: readonly JobFile[], retentionMs: number): Promise<void>;
  /** An owner's jobs of a kind and API (and tenant, when given) created in [from, to), newest first. */
  listJobs(filter: { readonly ownerUserId: string; readonly kind: JobKind; readonly api: 'insights' | 'tokenflex'; readonly tenantKey?: string; readonly from: Date; readonly to: Date; readonly offset?: number; readonly limit?: number }): Promise<readonly Job[]>;
  /** Jobs of an owner and kind still waiting or running. */
  countPendingJobs(ownerUserId: string, kind: JobKind): Promise<number>;
  /** Jobs by kind and state, over the whole database (the metrics' gauge). */
  countJobsByState(): Promise<readonly JobStateCount[]>;
  /** Sets the read flag of the owner's jobs among `ids`; returns the ids whose flag changed. */
  markJobsRead(ownerUserId: string, ids: readonly string[]): Promise<readonly string[]>;
  /** Puts a failed job back in the queue with fresh attempts; false when it was not failed. */
  retryFailedJob(id: string): Promise<boolean>;
  /** Inserts a queued job. */
  createJob(job: NewJob): Promise<Job>;
  getJob(id: string): Promise<Job | undefined>;
  /** A succeeded, unexpired job of this owner with the same request hash, newest first. */
  findReusableJob(ownerUserId: string, requestHash: string): Promise<Job | undefined>;
  /** The job an owner created with an idempotency key since the given time. */
  findJobByIdempotencyKey(ownerUserId: string, key: string, since: Date): Promise<Job | undefined>;
  /** Moves the oldest due queued job of the given kinds to running for this worker; never hands one job to two workers. */
  claimNextJob(workerId: string, kinds: readonly JobKind[]): Promise<Job | undefined>;
  /** Claims one particular queued job (undefined when it is not queued or someone else got it). */
  claimJob(id: string, workerId: string): Promise<Job | undefined>;
  /** Refreshes the lease; throws JobLeaseLostError when the worker no longer owns the job. Returns whether cancel was asked. */
  heartbeatJob(id: string, workerId: string): Promise<{ readonly cancelRequested: boolean }>;
  /**
   * Runs the query, stores every row as the job's result and marks the job succeeded: a reader sees
   * the job succeeded with its whole result, or not succeeded. Aborting the signal interrupts the
   * database statement (QueryInterruptedError). `rowWritten`, for a job whose row is still being
   * created (see WorkerReservation), resolves once it is: the query may start before, the row is
   * changed only after.
   */
  completeQueryJob(
    id: string, workerId: string, query: ResultQuery, retentionMs: number, signal: AbortSignal, rowWritten?: Promise<unknown>,
  ): Promise<CompletedQuery>;
  /** Fails the job, or re-queues it with backoff when `retry` and attempts remain. Owner-fenced. */
  failJob(id: string, workerId: string, error: { readonly title: string; readonly detail: string; readonly retry: boolean }): Promise<Job>;
  /** Cancels a queued job at once, or flags a running one for its worker. Returns the job after the change. */
  requestCancel(id: string): Promise<Job | undefined>;
  /** Marks a running job canceled (its worker saw the flag). Owner-fenced. */
  markCanceled(id: string, workerId: string, detail: string): Promise<void>;
  /** Removes a job and its stored result. */
  deleteJob(id: string): Promise<void>;
  /**
   * Running jobs whose heartbeat is older than `staleBefore` go back to the queue, or fail when
   * their attempts are spent: a crashed worker never leaves a job running forever.
   */
  sweepStaleJobs(staleBefore: Date): Promise<{ readonly requeued: number; readonly failed: number }>;
  /**
   * Succeeded jobs past their retention become expired and their stored rows are deleted. Returns
   * the files those jobs had, for the caller to delete from the file store.
   */
  expireJobs(now: Date): Promise<readonly JobFile[]>;
  /** Deletes jobs that ended (expired, failed, canceled) before `before`, so the table stays small. */
  purgeFinishedJobs(before: Date): Promise<number>;
  /** Rows `offset`..`offset+limit-1` of a job's stored result, each an array in column order. */
  readResultPage(id: string, offset: number, limit: number): Promise<unknown[][]>;
}
