import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  JobLeaseLostError, QueryInterruptedError, type Job, type JobFile, type JobKind, type JobStore,
} from '../store/index.js';
import { JOB_ERROR_TITLES } from './job-state.js';

/**
 * What a job kind does once claimed. It must honour the signal (abort = stop now). `rowWritten` is
 * set for a job handed over while its row is still being written (WorkerReservation.start): the
 * handler may start its work at once, but must await it before it changes the job's row.
 */
export type JobHandler = (job: Job, context: {
  readonly workerId: string; readonly signal: AbortSignal; readonly rowWritten?: Promise<unknown>;
}) => Promise<void>;

/** What a run of a job ended in, as the worker that ran it saw it. */
export type JobRunOutcome = 'succeeded' | 'failed' | 'canceled' | 'requeued' | 'lost';

/** Told of every run of a job in this process (the metrics). */
export interface JobRunObserver {
  /** A run starts; `waitSeconds` (since submission) only for a job's first attempt. */
  jobStarted(kind: JobKind, waitSeconds: number | undefined): void;
  jobEnded(kind: JobKind, outcome: JobRunOutcome, seconds: number): void;
}

/** A job handed to an idle worker, with the write of its row when that is still under way. */
interface Handover { readonly job: Job; readonly rowWritten?: Promise<unknown> }

export interface RunnerOptions {
  readonly store: JobStore;
  readonly handlers: Readonly<Partial<Record<JobKind, JobHandler>>>;
  /** Jobs run at once in this process. */
  readonly concurrency: number;
  /** Execution cap of one attempt; past it the statement is interrupted and the job fails QUERY_TIMEOUT. */
  readonly executionCapMs: number;
  /** Caps for particular kinds (exports have none of the 5-minute query cap). */
  readonly executionCapMsByKind?: Readonly<Partial<Record<JobKind, number>>>;
  readonly heartbeatMs?: number;
  /** A running job whose heartbeat is older than this is considered abandoned. */
  readonly staleAfterMs?: number;
  /** How often idle workers look for work that other processes queued, and sweep. */
  readonly pollMs?: number;
  /** Deletes the files of jobs that just expired (export files). */
  readonly deleteExpiredFiles?: (files: readonly JobFile[]) => Promise<void>;
  readonly log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  readonly observer?: JobRunObserver;
}

type Reason = 'timeout' | 'cancel' | 'shutdown';

interface IdleWorker {
  readonly workerId: string;
  timer: NodeJS.Timeout;
  resume(handover: Handover | undefined): void;
}

/** An idle worker set aside for a job being created already claimed by it (`JobRunner.reserveWorker`). */
export interface WorkerReservation {
  readonly workerId: string;
  /**
   * Hands the job (state `running`, claimed by `workerId`) to the worker. With `rowWritten`, the
   * job's row is still being created: the worker starts now and touches the row only once it is
   * written; when the write fails, the job ends there.
   */
  start(job: Job, rowWritten?: Promise<unknown>): void;
}

/** How long ended jobs (expired, failed, canceled) stay before they are deleted. */
const FINISHED_JOB_KEEP_MS = 30 * 24 * 3600 * 1000;

/**
 * The worker pool of one process: claims queued jobs, runs their handlers under an execution cap,
 * keeps their lease alive, honours cancel requests, and sweeps abandoned and expired jobs.
 * Submitters call `wake()` so a new job starts at once rather than at the next poll.
 */
export class JobRunner {
  readonly #options: Required<Omit<RunnerOptions, 'log' | 'executionCapMsByKind' | 'deleteExpiredFiles' | 'observer'>>
    & Pick<RunnerOptions, 'log' | 'executionCapMsByKind' | 'deleteExpiredFiles' | 'observer'>;
  readonly #id = `worker-${randomUUID().slice(0, 8)}`;
  readonly #events = new EventEmitter();
  readonly #running = new Map<string, AbortController>();
  readonly #hints: string[] = [];
  /** Idle workers, in the order they went idle: woken one per hint, all for a scan, or handed a job. */
  readonly #idleWorkers = new Set<IdleWorker>();
  /** Workers reserved for a job not yet handed over (`reserveWorker`): `stop` releases them. */
  readonly #reserved = new Set<(handover: Handover | undefined) => void>();
  /**
   * Whether the queue may hold jobs nobody hinted: true at start, after a general wake (the
   * housekeeping tick, an export queued) and after a scan that found a job; false after a scan
   * that found none. A worker that finishes a hinted job skips the scan while it is false, so a
   * query submitted here costs one claim by primary key and no queue scans beside it.
   */
  #queueMayHaveWork = true;
  /** Counts general wakes, so a scan that raced one does not clear `#queueMayHaveWork`. */
  #wakeEpoch = 0;
  #loops: Promise<void>[] = [];
  #stopped = true;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RunnerOptions) {
    this.#options = {
      heartbeatMs: 5_000,
      staleAfterMs: 30_000,
      pollMs: 1_000,
      ...options,
    };
    this.#events.setMaxListeners(0);
  }

  get workerId(): string {
    return this.#id;
  }

  /** Starts the workers. `recover` first returns jobs left running by a crashed process to the queue. */
  async start(options: { readonly recoverAll?: boolean } = {}): Promise<void> {
    if (!this.#stopped) return;
    this.#stopped = false;
    // With one process per database (DuckDB), every running job at start-up was left by a process
    // that died: recover them all at once instead of waiting for their heartbeats to age.
    const staleBefore = options.recoverAll ? new Date(Date.now() + 1000) : new Date(Date.now() - this.#options.staleAfterMs);
    const swept = await this.#options.store.sweepStaleJobs(staleBefore);
    if (swept.requeued || swept.failed) this.#options.log?.warn(swept, 'recovered jobs left running by a stopped worker');
    this.#timer = setInterval(() => void this.#housekeeping(), this.#options.pollMs);
    this.#timer.unref();
    for (let i = 0; i < this.#options.concurrency; i++) this.#loops.push(this.#loop(i));
  }

  /**
   * Tells idle workers there is work. With the id of a job just queued in this process, an idle
   * worker claims that very job by primary key, cheaper than scanning the queue.
   */
  wake(jobId?: string): void {
    if (jobId !== undefined) {
      this.#hints.push(jobId);
      // One worker per hint: waking the others would only have them scan the queue for nothing.
      const first = this.#idleWorkers.values().next();
      if (!first.done) first.value.resume(undefined);
      return;
    }
    this.#queueMayHaveWork = true;
    this.#wakeEpoch++;
    for (const worker of [...this.#idleWorkers]) worker.resume(undefined);
  }

  /** Aborts a job running in this process (cancel); false when it is not running here. */
  abort(jobId: string): boolean {
    const controller = this.#running.get(jobId);
    if (!controller) return false;
    controller.abort('cancel' satisfies Reason);
    return true;
  }

  /** Stops claiming, interrupts running jobs (they go back to the queue), and waits for the loops. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const controller of this.#running.values()) controller.abort('shutdown' satisfies Reason);
    for (const release of [...this.#reserved]) release(undefined);
    this.wake();
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  async #housekeeping(): Promise<void> {
    try {
      // On PostgreSQL this is how the jobs of a server process that died are found, by any process.
      const swept = await this.#options.store.sweepStaleJobs(new Date(Date.now() - this.#options.staleAfterMs));
      if (swept.requeued || swept.failed) this.#options.log?.warn(swept, 'recovered jobs left running by a stopped worker');
      const files = await this.#options.store.expireJobs(new Date());
      if (files.length > 0) await this.#options.deleteExpiredFiles?.(files);
      // Ended jobs are kept a while for their status pages and lists (Insights lists 14 days of
      // exports), then deleted, so the lookups that scan `jobs` stay cheap.
      await this.#options.store.purgeFinishedJobs(new Date(Date.now() - FINISHED_JOB_KEEP_MS));
    } catch (error) {
      this.#options.log?.warn({ err: error }, 'job housekeeping failed; will retry');
    }
    this.wake();
  }

  /** Waits for a wake, the poll interval, or a job handed over by `reserveWorker`. */
  #idle(workerId: string): Promise<Handover | undefined> {
    return new Promise((resolve) => {
      const worker: IdleWorker = {
        workerId,
        timer: setTimeout(() => {
          // A worker waking on its own polls the queue (work queued by other processes, retries).
          this.#queueMayHaveWork = true;
          this.#wakeEpoch++;
          worker.resume(undefined);
        }, this.#options.pollMs),
        resume: (handover) => {
          clearTimeout(worker.timer);
          this.#idleWorkers.delete(worker);
          resolve(handover);
        },
      };
      this.#idleWorkers.add(worker);
    });
  }

  /**
   * Takes an idle worker of this process for a job the caller is about to create already claimed by
   * it (`NewJob.claimedBy`): the submit writes one row and the worker starts at once, with no
   * claim. Undefined when every worker is busy (then queue the job and `wake` with its id). The
   * caller must `start` the job, with the write of its row when that is under way (a failed write
   * ends the job there).
   */
  reserveWorker(): WorkerReservation | undefined {
    if (this.#stopped) return undefined;
    const first = this.#idleWorkers.values().next();
    if (first.done) return undefined;
    const worker = first.value;
    clearTimeout(worker.timer);
    this.#idleWorkers.delete(worker);
    let settled = false;
    const handOver = (handover: Handover | undefined) => {
      if (settled) return;
      settled = true;
      this.#reserved.delete(handOver);
      worker.resume(handover);
    };
    this.#reserved.add(handOver);
    return {
      workerId: worker.workerId,
      start: (job, rowWritten) => handOver({ job, ...(rowWritten ? { rowWritten } : {}) }),
    };
  }

  async #loop(slot: number): Promise<void> {
    const workerId = `${this.#id}-${slot}`;
    const kinds = Object.keys(this.#options.handlers) as JobKind[];
    while (!this.#stopped) {
      let job: Job | undefined;
      let handover: Handover | undefined;
      try {
        // A hint is claimed by primary key when it is the only job waiting here; a backlog of hints
        // (a burst) is left to the queue's claim, whose order is fair between owners.
        let hint: string | undefined;
        if (this.#hints.length === 1) hint = this.#hints.shift();
        else if (this.#hints.length > 1) {
          this.#hints.length = 0;
          this.#queueMayHaveWork = true;
          this.#wakeEpoch++;
        }
        job = hint !== undefined ? await this.#options.store.claimJob(hint, workerId) : undefined;
        if (!job && this.#queueMayHaveWork) {
          const epoch = this.#wakeEpoch;
          job = await this.#options.store.claimNextJob(workerId, kinds);
          if (job) this.#queueMayHaveWork = true;
          else if (epoch === this.#wakeEpoch) this.#queueMayHaveWork = false;
        }
      } catch (error) {
        this.#options.log?.error({ err: error }, 'claiming a job failed');
      }
      // A hint queued while this worker was claiming found no idle worker to wake: take it now.
      if (!job && this.#hints.length === 0) {
        handover = await this.#idle(workerId);
        job = handover?.job;
      }
      if (!job) continue;
      await this.#run(job, workerId, handover?.rowWritten);
    }
  }

  async #run(job: Job, workerId: string, rowWritten: Promise<unknown> | undefined): Promise<void> {
    const { store } = this.#options;
    const handler = this.#options.handlers[job.kind];
    const controller = new AbortController();
    this.#running.set(job.id, controller);
    const capMs = this.#options.executionCapMsByKind?.[job.kind] ?? this.#options.executionCapMs;
    const cap = setTimeout(() => controller.abort('timeout' satisfies Reason), capMs);
    // One heartbeat at a time: a slow one is not overtaken, so waiting for `beating` waits for them all.
    let beating: Promise<void> | undefined;
    const beat = setInterval(() => {
      if (beating) return;
      beating = store.heartbeatJob(job.id, workerId)
        .then(({ cancelRequested }) => { if (cancelRequested) controller.abort('cancel' satisfies Reason); })
        .catch((error: unknown) => {
          if (error instanceof JobLeaseLostError) controller.abort('shutdown' satisfies Reason);
        })
        .finally(() => { beating = undefined; });
    }, this.#options.heartbeatMs);
    const startedAt = performance.now();
    let outcome: JobRunOutcome = 'succeeded';
    this.#options.observer?.jobStarted(job.kind, job.attempts <= 1 ? (Date.now() - Date.parse(job.createdAt)) / 1000 : undefined);
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`);
      if (job.cancelRequested) controller.abort('cancel' satisfies Reason);
      // A job handed over while the runner stopped goes back to the queue through the shutdown path.
      if (this.#stopped) controller.abort('shutdown' satisfies Reason);
      await handler(job, { workerId, signal: controller.signal, ...(rowWritten ? { rowWritten } : {}) });
    } catch (error) {
      // The outcome goes on the job's row, so it must be there (when its write fails, there is none);
      // and no heartbeat may update the row meanwhile (on DuckDB two updates of one row conflict).
      clearInterval(beat);
      await beating;
      if (rowWritten) await rowWritten.catch(() => undefined);
      outcome = await this.#settleFailure(job, workerId, controller.signal, error);
    } finally {
      clearTimeout(cap);
      clearInterval(beat);
      this.#options.observer?.jobEnded(job.kind, outcome, (performance.now() - startedAt) / 1000);
      this.#running.delete(job.id);
      this.#events.emit('settled', job.id);
    }
  }

  /** Calls `listener(jobId)` each time a job run by this process settles. */
  onSettled(listener: (jobId: string) => void): void {
    this.#events.on('settled', listener);
  }

  /**
   * Resolves when a job run by this process settles, or after `ms`, whichever comes first.
   * Jobs run by other processes are not seen here: callers re-read the job afterwards anyway.
   */
  waitForSettled(jobId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const onSettled = (id: string) => {
        if (id === jobId) done();
      };
      const done = () => {
        clearTimeout(timer);
        this.#events.off('settled', onSettled);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#events.on('settled', onSettled);
    });
  }

  /** Records how a run that threw ended, and returns that outcome. */
  async #settleFailure(job: Job, workerId: string, signal: AbortSignal, error: unknown): Promise<JobRunOutcome> {
    const { store, log } = this.#options;
    let outcome: JobRunOutcome = 'failed';
    try {
      if (error instanceof JobLeaseLostError) {
        log?.warn({ jobId: job.id }, 'lost the lease of a job; another worker or the sweeper has it');
        return 'lost';
      }
      const reason = (signal.aborted ? signal.reason : undefined) as Reason | undefined;
      if (error instanceof QueryInterruptedError || reason) {
        if (reason === 'timeout') {
          await store.failJob(job.id, workerId, {
            title: JOB_ERROR_TITLES.timeout,
            detail: `The job ran longer than its execution cap of ${Math.round((this.#options.executionCapMsByKind?.[job.kind] ?? this.#options.executionCapMs) / 1000)} s and was stopped.`,
            retry: false,
          });
        } else if (reason === 'cancel') {
          outcome = 'canceled';
          await store.markCanceled(job.id, workerId, 'The query was canceled while it ran.');
        } else {
          // Shutdown: back to the queue so the next process start (or another process) runs it.
          outcome = 'requeued';
          await store.failJob(job.id, workerId, { title: JOB_ERROR_TITLES.workerLost, detail: 'The server stopped while the job ran.', retry: true });
        }
        return outcome;
      }
      log?.error({ err: error, jobId: job.id }, 'job failed');
      await store.failJob(job.id, workerId, {
        title: JOB_ERROR_TITLES.failed,
        detail: job.kind === 'export'
          ? 'The export could not be written. Quote the export id when reporting it.'
          : 'The query failed in the database. Quote the query id when reporting it.',
        retry: false,
      });
    } catch (settleError) {
      if (settleError instanceof JobLeaseLostError) return 'lost';
      log?.error({ err: settleError, jobId: job.id }, 'could not record the outcome of a job');
    }
    return outcome;
  }
}
