import type { Dialect } from '../catalog/index.js';
import type { Store } from '../store/index.js';
import { JobRunner, type RunnerOptions } from './runner.js';
import { UsageQueryService } from './usage-queries.js';

export interface JobSettings {
  /** Workers in this process. */
  readonly concurrency: number;
  /** Execution cap of a usage query. */
  readonly queryTimeoutMs: number;
  /** How long a completed query result stays readable (never under 5 minutes). */
  readonly resultRetentionMs: number;
}

export interface JobServices {
  readonly runner: JobRunner;
  readonly queries: UsageQueryService;
}

/** Wires the worker pool and the services that queue work for it, over one store. */
export function createJobServices(store: Store, dialect: Dialect, settings: JobSettings, log?: RunnerOptions['log']): JobServices {
  const runner: JobRunner = new JobRunner({
    store,
    handlers: { 'usage-query': (job, context) => runQuery(job, context) },
    concurrency: settings.concurrency,
    executionCapMs: settings.queryTimeoutMs,
    ...(log ? { log } : {}),
  });
  const queries = new UsageQueryService({
    store,
    dialect,
    retentionMs: Math.max(settings.resultRetentionMs, 5 * 60_000),
    onQueued: () => runner.wake(),
    abortRunning: (id) => runner.abort(id),
    waitForSettled: (id, ms) => runner.waitForSettled(id, ms),
  });
  const runQuery = queries.handler();
  runner.onSettled((id) => queries.forget(id));
  return { runner, queries };
}
