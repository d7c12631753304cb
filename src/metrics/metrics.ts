import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AppError } from '../errors.js';

/** How many jobs are in each state, by kind (all processes: read from the database). */
export interface JobCount {
  readonly kind: string;
  readonly state: string;
  readonly count: number;
}

/** Connections of the database pool of this process. */
export interface PoolStats {
  readonly inUse: number;
  readonly idle: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
}

/** Where the gauges read at each scrape come from. */
export interface MetricsSources {
  readonly jobCounts?: () => Promise<readonly JobCount[]>;
  readonly poolStats?: () => PoolStats;
}

/** An error the client caused (a refused batch: bad rows, a bad body), as opposed to our own failure. */
function isClientError(error: unknown): boolean {
  if (AppError.is(error)) return error.kind !== 'internal' && error.kind !== 'unavailable';
  // Fastify's and the parsers' errors carry the HTTP status they answer with.
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const JOB_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/**
 * The service's Prometheus metrics, in a registry of their own (one per app, so tests and several
 * apps in a process never share counters). Names are listed in the README ("Metrics").
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'route' | 'status_code'>;
  readonly #requestSeconds: Histogram<'method' | 'route' | 'status_code'>;
  readonly #jobRuns: Counter<'kind' | 'outcome'>;
  readonly #jobRunSeconds: Histogram<'kind' | 'outcome'>;
  readonly #jobWaitSeconds: Histogram<'kind'>;
  readonly #ingestedRecords: Counter;
  readonly #ingestBatches: Counter<'outcome'>;
  readonly #exportBytes: Counter;

  constructor(sources: MetricsSources = {}, options: { readonly processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'usage_insights_http_requests_total', help: 'HTTP requests answered, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'], registers,
    });
    this.#requestSeconds = new Histogram({
      name: 'usage_insights_http_request_duration_seconds', help: 'Time to answer an HTTP request, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status_code'], buckets: SECONDS, registers,
    });
    this.#jobRuns = new Counter({
      name: 'usage_insights_job_runs_total', help: 'Job runs by the workers of this process, by kind and outcome.',
      labelNames: ['kind', 'outcome'], registers,
    });
    this.#jobRunSeconds = new Histogram({
      name: 'usage_insights_job_run_duration_seconds', help: 'Run time of a job run in this process, by kind and outcome.',
      labelNames: ['kind', 'outcome'], buckets: JOB_SECONDS, registers,
    });
    this.#jobWaitSeconds = new Histogram({
      name: 'usage_insights_job_queue_wait_seconds', help: 'Time from a job\'s submission to the start of its first run, by kind.',
      labelNames: ['kind'], buckets: JOB_SECONDS, registers,
    });
    this.#ingestedRecords = new Counter({
      name: 'usage_insights_ingested_records_total', help: 'Usage records stored by ingestion batches (not dry runs, not duplicates).', registers,
    });
    this.#ingestBatches = new Counter({
      name: 'usage_insights_ingest_batches_total',
      help: 'Usage ingestion batches by outcome: stored, dry_run, refused (bad input: nothing stored) or failed (our error).',
      labelNames: ['outcome'], registers,
    });
    this.#exportBytes = new Counter({ name: 'usage_insights_export_bytes_total', help: 'Bytes of export files written.', registers });
    if (sources.jobCounts) {
      const jobCounts = sources.jobCounts;
      new Gauge({
        name: 'usage_insights_jobs', help: 'Jobs by kind and state, over every process of the database (read at each scrape).',
        labelNames: ['kind', 'state'], registers,
        async collect() {
          this.reset();
          for (const { kind, state, count } of await jobCounts()) this.set({ kind, state }, count);
        },
      });
    }
    if (sources.poolStats) {
      const poolStats = sources.poolStats;
      new Gauge({
        name: 'usage_insights_db_pool_connections', help: 'Database connections of this process, by state (in_use, idle).',
        labelNames: ['state'], registers,
        collect() {
          const stats = poolStats();
          this.set({ state: 'in_use' }, stats.inUse);
          this.set({ state: 'idle' }, stats.idle);
        },
      });
      new Gauge({
        name: 'usage_insights_db_pool_waiting', help: 'Callers of this process waiting for a database connection.', registers,
        collect() { this.set(poolStats().waiting); },
      });
    }
    // Memory, CPU, event-loop lag, heap and GC of this process (prom-client's standard names).
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** One HTTP request answered; `route` is the route's pattern (`/…/:id`), never the raw URL. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const labels = { method, route, status_code: String(statusCode) };
    this.#requests.inc(labels);
    this.#requestSeconds.observe(labels, seconds);
  }

  /** A worker of this process started a job; `waitSeconds` only for a first attempt. */
  jobStarted(kind: string, waitSeconds: number | undefined): void {
    if (waitSeconds !== undefined) this.#jobWaitSeconds.observe({ kind }, Math.max(0, waitSeconds));
  }

  /** A run ended: `outcome` is succeeded, failed, canceled, requeued (the server stopped) or lost (its lease). */
  jobEnded(kind: string, outcome: string, seconds: number): void {
    this.#jobRuns.inc({ kind, outcome });
    this.#jobRunSeconds.observe({ kind, outcome }, seconds);
  }

  /** Counts an ingestion batch by its outcome, and the records it stored; passes its result or error on. */
  async observeIngest<T extends { readonly inserted: number; readonly dryRun: boolean }>(batch: Promise<T>): Promise<T> {
    try {
      const summary = await batch;
      this.#ingestBatches.inc({ outcome: summary.dryRun ? 'dry_run' : 'stored' });
      if (!summary.dryRun) this.#ingestedRecords.inc(summary.inserted);
      return summary;
    } catch (error) {
      this.#ingestBatches.inc({ outcome: isClientError(error) ? 'refused' : 'failed' });
      throw error;
    }
  }

  exportWritten(bytes: number): void {
    this.#exportBytes.inc(bytes);
  }

  /** The Prometheus text exposition of every metric. */
  async render(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
