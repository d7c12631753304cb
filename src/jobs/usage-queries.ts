import { createHash, randomBytes } from 'node:crypto';
import { catalogFor, normaliseUsageCategory, type ApiName, type Dialect } from '../catalog/index.js';
import { AppError } from '../errors.js';
import { personalDataMask, pseudonymsIn } from '../privacy/index.js';
import { compileUsageQuery, planUsageQuery, type UsageQueryPlan, type UsageQueryScope, type UsageQuerySpec } from '../query/index.js';
import { jobOfNew, type Job, type NewJob, type ResultQuery, type Store } from '../store/index.js';
import type { JobHandler, WorkerReservation } from './runner.js';

/** What a caller asks, in either API's words, before validation. */
export interface UsageQueryRequest {
  readonly fields: readonly string[];
  readonly metrics: readonly string[];
  readonly where?: string;
  readonly orderBy?: string;
  readonly usageCategories?: readonly string[];
  /** Other names of fields: a contract's enrichment category names → `customFieldN` (Token Flex). */
  readonly fieldAliases?: Readonly<Record<string, string>>;
}

/** The request as stored on the job: enough to plan it again, identical for identical queries. */
interface StoredQuery {
  readonly api: ApiName;
  readonly fields: readonly string[];
  readonly metrics: readonly string[];
  readonly where: string;
  readonly orderBy: string;
  readonly usageCategories: readonly string[] | null;
  readonly scope: UsageQueryScope;
  /** Present only when the request used an alias, so the stored form (and hash) of other queries is unchanged. */
  readonly fieldAliases?: Readonly<Record<string, string>>;
  /** Hashes of personal values the `where` names → the values (UsageQuerySpec.pseudonyms); present only when there are some. */
  readonly pseudonyms?: Readonly<Record<string, string>>;
}

/** The aliases a request actually uses (in `fields`, `where` or `orderBy`); absent when none. */
function usedAliases(request: UsageQueryRequest): { fieldAliases?: Readonly<Record<string, string>> } {
  if (!request.fieldAliases) return {};
  const text = `${request.where ?? ''} ${request.orderBy ?? ''}`;
  const used = Object.entries(request.fieldAliases).filter(([alias]) => request.fields.includes(alias) || text.includes(alias));
  return used.length > 0 ? { fieldAliases: Object.fromEntries(used.sort(([a], [b]) => (a < b ? -1 : 1))) } : {};
}

export interface UsageQueryServiceOptions {
  readonly store: Store;
  readonly dialect: Dialect;
  /** How long a completed result stays readable. */
  readonly retentionMs: number;
  /** Called after a job is queued, so an idle worker starts it at once. */
  readonly onQueued?: (jobId: string) => void;
  /** An idle worker of this process to create a job already claimed by (see JobRunner.reserveWorker). */
  readonly reserveWorker?: () => WorkerReservation | undefined;
  /** Called when a running job should stop (cancel); returns whether this process ran it. */
  readonly abortRunning?: (jobId: string) => boolean;
  /** Resolves when a job settles in this process, or after the given time. */
  readonly waitForSettled?: (jobId: string, ms: number) => Promise<void>;
  /**
   * Unfinished (queued or running) queries a user may have at once, over both APIs; a submit past
   * it is refused with QUERY_QUEUE_FULL (429, Retry-After). 0 or absent: no cap.
   */
  readonly maxPendingPerUser?: number;
}

/** What a refused submit tells the client to wait before trying again. */
const QUEUE_FULL_RETRY_AFTER_SECONDS = 5;

/** How stale a status poll of an unfinished job may be (see UsageQueryService#pending). */
const PENDING_READ_MS = 100;

/** Idempotency keys are honoured for this long (spec §1). */
const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

function toSpec(query: StoredQuery, allAliases?: Readonly<Record<string, string>>): UsageQuerySpec {
  const fieldAliases = allAliases ?? query.fieldAliases;
  return {
    fields: query.fields,
    metrics: query.metrics,
    where: query.where,
    orderBy: query.orderBy,
    ...(query.usageCategories ? { usageCategories: query.usageCategories } : {}),
    scope: query.scope,
    purpose: 'query',
    ...(fieldAliases ? { fieldAliases } : {}),
    ...(query.pseudonyms ? { pseudonyms: query.pseudonyms } : {}),
  };
}

/** The stored-result query of a plan: the compiled SQL, numbered in the plan's order. */
export function buildResultQuery(plan: UsageQueryPlan, dialect: Dialect): ResultQuery {
  const compiled = compileUsageQuery(plan, dialect);
  return {
    sql: compiled.sql,
    parameters: compiled.parameters,
    columns: compiled.columns.map((c) => c.name),
    order: plan.orderBy.map((item) => ({
      column: item.kind === 'field' ? item.field.name : item.metric.name,
      direction: item.direction,
    })),
  };
}

/**
 * Submitting, reading and canceling usage queries, shared by the Insights and Token Flex routes.
 * Validation happens at submit (so a bad query is a 400, never a failed job); the worker plans the
 * stored request again, which is deterministic.
 */
export class UsageQueryService {
  readonly #options: UsageQueryServiceOptions;
  /**
   * Recent reads of unfinished jobs: a poll that reads DuckDB competes for its threads with the
   * very query being waited for (docs/measurements.md). A pending job is re-read at most every
   * PENDING_READ_MS, and at once when this process's worker settles it (`forget`), so a finished
   * query is seen immediately; one finished by another process is seen within PENDING_READ_MS.
   */
  readonly #pending = new Map<string, { readonly job: Job; readonly at: number }>();
  /** Jobs this process's worker just completed, for ten seconds (see `handler`). */
  readonly #finished = new Map<string, Job>();
  /** The last submit of each user under way in this process (see #oneAtATime). */
  readonly #submitting = new Map<string, Promise<void>>();

  constructor(options: UsageQueryServiceOptions) {
    this.#options = options;
  }

  /** Drops the cached read of a job (its worker in this process settled it). */
  forget(jobId: string): void {
    this.#pending.delete(jobId);
  }

  /** Drops what this process knows of a job without the database (it was canceled or deleted). */
  #drop(jobId: string): void {
    this.#pending.delete(jobId);
    this.#finished.delete(jobId);
  }

  async #read(id: string): Promise<Job | undefined> {
    const finished = this.#finished.get(id);
    if (finished) return finished;
    const cached = this.#pending.get(id);
    if (cached && Date.now() - cached.at < PENDING_READ_MS) return cached.job;
    const job = await this.#options.store.getJob(id);
    if (job) this.#remember(job);
    else this.#pending.delete(id);
    return job;
  }

  /** Caches a read of a job while it is pending (see #pending); forgets it once it is not. */
  #remember(job: Job): void {
    if (job.state === 'queued' || job.state === 'running') {
      if (this.#pending.size > 10_000) this.#pending.clear();
      this.#pending.set(job.id, { job, at: Date.now() });
    } else {
      this.#pending.delete(job.id);
    }
  }

  /**
   * Validates a query as `submit` does, without running it: throws the same errors (a `where`
   * error with its position and caret snippet), or returns the columns the result would have.
   */
  check(api: ApiName, scope: UsageQueryScope, request: UsageQueryRequest): { readonly columns: readonly string[] } {
    const plan = planUsageQuery(toSpec({
      api, fields: [...request.fields], metrics: [...request.metrics], where: (request.where ?? '').trim(), orderBy: (request.orderBy ?? '').trim(),
      usageCategories: request.usageCategories && request.usageCategories.length > 0 ? [...request.usageCategories] : null, scope,
    }, request.fieldAliases), catalogFor(api));
    return { columns: [...plan.fields.map((f) => f.name), ...plan.metrics.map((m) => m.name)] };
  }

  /**
   * Validates and queues a query, or returns the live result of an identical earlier one
   * (`reused: true`), or the job an earlier request with the same idempotency key created.
   */
  async submit(api: ApiName, ownerUserId: string, scope: UsageQueryScope, request: UsageQueryRequest, idempotencyKey?: string): Promise<{ readonly job: Job; readonly reused: boolean }> {
    const where = (request.where ?? '').trim();
    // Token Flex filters on personal fields; a person may be named by the hash an answer showed.
    const pseudonyms = scope.kind === 'contract' ? await pseudonymsIn(this.#options.store, scope.contractNumber, where) : undefined;
    const stored: StoredQuery = {
      api,
      fields: [...request.fields],
      metrics: [...request.metrics],
      where,
      orderBy: (request.orderBy ?? '').trim(),
      usageCategories: request.usageCategories && request.usageCategories.length > 0
        ? [...new Set(request.usageCategories.map((c) => normaliseUsageCategory(c) ?? c))].sort()
        : null,
      scope: scope.kind === 'teams' ? { kind: 'teams', teamIds: [...scope.teamIds].sort() } : scope,
      ...usedAliases(request),
      ...(pseudonyms ? { pseudonyms } : {}),
    };
    // Checked against every alias (so a misspelt one gets its "did you mean"); stored with the used ones.
    planUsageQuery(toSpec(stored, request.fieldAliases), catalogFor(api));
    const requestHash = createHash('sha256').update(JSON.stringify([ownerUserId, stored])).digest('hex');
    const { store } = this.#options;

    if (idempotencyKey !== undefined) {
      const earlier = await store.findJobByIdempotencyKey(ownerUserId, idempotencyKey, new Date(Date.now() - IDEMPOTENCY_WINDOW_MS));
      if (earlier) {
        if (earlier.requestHash !== requestHash) {
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request; use a new key for a new request.');
        }
        return { job: earlier, reused: true };
      }
    }
    // A request with its own idempotency key asks for its own run; one without reuses a live result.
    if (idempotencyKey === undefined) {
      const live = await store.findReusableJob(ownerUserId, requestHash);
      if (live) return { job: live, reused: true };
    }

    const createdAt = new Date();
    const newJob: NewJob = {
      id: randomBytes(32).toString('hex'),
      kind: 'usage-query',
      api,
      ownerUserId,
      tenantKey: stored.scope.kind === 'teams' ? stored.scope.teamIds.join(',') : stored.scope.contractNumber,
      request: stored,
      requestHash,
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      maxAttempts: 3,
      createdAt,
    };
    const max = this.#options.maxPendingPerUser ?? 0;
    if (max <= 0) return this.#create(newJob, createdAt);
    // One submit of a user at a time in this process, so a burst cannot pass the count together.
    return this.#oneAtATime(ownerUserId, async () => {
      const pending = await store.countPendingJobs(ownerUserId, 'usage-query');
      if (pending >= max) {
        throw new AppError('QUERY_QUEUE_FULL',
          `You already have ${pending} queries queued or running; at most ${max} may be unfinished at once. Try again when some have completed.`,
          { retryAfterSeconds: QUEUE_FULL_RETRY_AFTER_SECONDS, extra: { queued: pending, limit: max } });
      }
      return this.#create(newJob, createdAt);
    });
  }

  /** Runs `work` after the owner's earlier submits in this process have settled. */
  async #oneAtATime<T>(ownerUserId: string, work: () => Promise<T>): Promise<T> {
    const run = (this.#submitting.get(ownerUserId) ?? Promise.resolve()).then(work);
    const settled = run.then(() => undefined, () => undefined);
    this.#submitting.set(ownerUserId, settled);
    try {
      return await run;
    } finally {
      if (this.#submitting.get(ownerUserId) === settled) this.#submitting.delete(ownerUserId);
    }
  }

  /** Writes a new job: claimed by an idle worker of this process, or queued. */
  async #create(newJob: NewJob, createdAt: Date): Promise<{ readonly job: Job; readonly reused: boolean }> {
    const { store } = this.#options;
    const reservation = this.#options.reserveWorker?.();
    if (!reservation) {
      const job = await store.createJob(newJob);
      this.#remember(job);
      this.#options.onQueued?.(job.id);
      return { job, reused: false };
    }
    // An idle worker here: the job is created already claimed by it, and the worker starts the
    // query while the row is written (it changes the row only after): the write is off the
    // critical path.
    const claimed: NewJob = { ...newJob, claimedBy: reservation.workerId };
    const written = store.createJob(claimed);
    reservation.start(jobOfNew(claimed, createdAt), written);
    const job = await written;
    // The row as created is what a read would return now: the client's first polls, which come
    // while the query runs, need no read competing with it.
    // (A worker as fast as this write has already settled it; then its copy in #finished answers.)
    if (!this.#finished.has(job.id)) this.#remember(job);
    return { job, reused: false };
  }

  /** The caller's query of this API; 404 when unknown, 403 when another user's. */
  async get(api: ApiName, ownerUserId: string, id: string): Promise<Job> {
    const job = await this.#read(id);
    if (!job || job.kind !== 'usage-query' || job.api !== api) throw new AppError('NOT_FOUND', `No query has the id ${id}.`);
    if (job.ownerUserId !== ownerUserId) throw new AppError('ACCESS_DENIED', 'This query belongs to another user.');
    return job;
  }

  /**
   * Waits up to `ms` for a pending job to finish (RFC 7240 `Prefer: wait`), then returns it as it
   * is. Re-reads the store every 250 ms too, so a job finished by another process is seen.
   */
  async waitFor(job: Job, ms: number): Promise<Job> {
    const deadline = Date.now() + ms;
    let current = job;
    while ((current.state === 'queued' || current.state === 'running') && Date.now() < deadline) {
      const slice = Math.min(250, deadline - Date.now());
      // Listen before looking, so a job that settles in between is not missed.
      const settled = this.#options.waitForSettled
        ? this.#options.waitForSettled(job.id, slice)
        : new Promise<void>((resolve) => setTimeout(resolve, slice));
      // A job this process settled before we listened is in memory; one settled elsewhere is seen
      // by the re-read after each slice. (Reading the row here too would compete with the query.)
      const local = this.#finished.get(job.id);
      if (local) return local;
      await settled;
      current = this.#finished.get(job.id) ?? (await this.#options.store.getJob(job.id)) ?? current;
    }
    return current;
  }

  /**
   * A page of a completed query's stored result. Personal values are hashed here, as they are
   * read (the stored result keeps them), so a changed personal-data switch applies to every later
   * read, a reused result's too.
   */
  async readPage(job: Job, offset: number, limit: number): Promise<unknown[][]> {
    const [rows, mask] = await Promise.all([
      this.#options.store.readResultPage(job.id, offset, limit),
      personalDataMask(this.#options.store, job.columns ?? []),
    ]);
    return mask ? rows.map(mask) : rows;
  }

  /** Cancels a query in progress, or deletes a finished one with its result. */
  async cancelOrDelete(api: ApiName, ownerUserId: string, id: string): Promise<'canceled' | 'deleted'> {
    const job = await this.get(api, ownerUserId, id);
    this.#drop(id);
    if (job.state === 'queued' || job.state === 'running') {
      await this.#options.store.requestCancel(id);
      this.#options.abortRunning?.(id);
      return 'canceled';
    }
    await this.#options.store.deleteJob(id);
    return 'deleted';
  }

  /** The worker side: runs a claimed usage-query job and stores its result. */
  handler(): JobHandler {
    return async (job, { workerId, signal, rowWritten }) => {
      const stored = job.request as StoredQuery;
      const plan = planUsageQuery(toSpec(stored), catalogFor(stored.api));
      const query = buildResultQuery(plan, this.#options.dialect);
      const done = await this.#options.store.completeQueryJob(job.id, workerId, query, this.#options.retentionMs, signal, rowWritten);
      // The committed row, known without reading it back: waiters and pollers in this process get
      // it at once (it is what a read of the row would return).
      this.#finished.set(job.id, Object.freeze({
        ...job, state: 'succeeded', updatedAt: done.finishedAt, finishedAt: done.finishedAt, expiresAt: done.expiresAt,
        errorTitle: null, errorDetail: null, columns: Object.freeze([...query.columns]), rowCount: done.rowCount,
      }));
      setTimeout(() => this.#finished.delete(job.id), 10_000).unref();
    };
  }
}
