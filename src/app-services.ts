// The composition root: the one place that wires the store, the job runner and the services that
// queue work for it (queries, exports, schedules), and export files with their signed links.
// server.ts and the CLI's in-process commands build their services here, so both run alike.
import type { Dialect } from './catalog/index.js';
import type { Config } from './config.js';
import {
  InsightsExportService, LocalFileStore, loadDownloadSecretFile, ScheduleService, TokenflexExportService, UrlSigner, type FileStore,
} from './exports/index.js';
import { JobRunner, UsageQueryService, type JobHandler, type JobRunObserver, type RunnerOptions } from './jobs/index.js';
import type { Store } from './store/index.js';

export interface JobSettings {
  /** Workers in this process. */
  readonly concurrency: number;
  /** Execution cap of a usage query. */
  readonly queryTimeoutMs: number;
  /** Unfinished usage queries a user may have at once (0 or absent: no cap). */
  readonly maxPendingQueriesPerUser?: number;
  /** How long a completed query result stays readable (never under 5 minutes). */
  readonly resultRetentionMs: number;
  /** A running job whose heartbeat is older than this goes back to the queue (default 30 s). */
  readonly staleAfterMs?: number;
  /** Rows per EXCEL worksheet, header included (default: Excel's limit). */
  readonly xlsxSheetRows?: number;
  /** Told of every job run by this process's workers (the metrics). */
  readonly jobObserver?: JobRunObserver;
  /** The export schedules' clock (default: the system's). */
  readonly scheduleClock?: () => Date;
}

export interface JobServices {
  readonly runner: JobRunner;
  readonly queries: UsageQueryService;
  /** Present when a file store was given. */
  readonly tokenflexExports?: TokenflexExportService;
  readonly insightsExports?: InsightsExportService;
  /** Token Flex export schedules; the caller starts and stops their timer. */
  readonly schedules?: ScheduleService;
}

/** Where export files go and how links to them are signed. */
export interface FileSettings {
  readonly files: FileStore;
  readonly signer: UrlSigner;
}

/** The job settings a configuration gives; `overrides` adds what only the server has (metrics, a test clock). */
export function jobSettingsOf(config: Config, overrides: Partial<JobSettings> = {}): JobSettings {
  return {
    concurrency: config.workerConcurrency,
    queryTimeoutMs: config.queryTimeoutSeconds * 1000,
    maxPendingQueriesPerUser: config.queryQueuePerUser,
    resultRetentionMs: config.resultRetentionSeconds * 1000,
    staleAfterMs: config.jobStaleAfterSeconds * 1000,
    xlsxSheetRows: config.xlsxSheetRows,
    ...overrides,
  };
}

/** The export file store of a configuration and the signer of its download links. */
export async function openFileSettings(config: Config): Promise<FileSettings & { readonly files: LocalFileStore }> {
  return {
    files: new LocalFileStore(config.filesDir),
    signer: new UrlSigner(await loadDownloadSecretFile(config.downloadSecretFile), config.publicUrl),
  };
}

/** Exports are not held to the query execution cap (spec §4: no 5-minute cap); a day bounds a stuck one. */
const EXPORT_CAP_MS = 24 * 3600 * 1000;

/** Wires the worker pool and the services that queue work for it, over one store. */
export function createJobServices(
  store: Store, dialect: Dialect, settings: JobSettings, log?: RunnerOptions['log'], fileSettings?: FileSettings,
): JobServices {
  const runner: JobRunner = new JobRunner({
    store,
    handlers: {
      'usage-query': (job, context) => runQuery(job, context),
      ...(fileSettings ? { export: (job, context) => runExport!(job, context) } : {}),
    },
    executionCapMsByKind: { export: EXPORT_CAP_MS },
    ...(fileSettings ? { deleteExpiredFiles: async (files) => { for (const file of files) await fileSettings.files.delete(file.key); } } : {}),
    concurrency: settings.concurrency,
    executionCapMs: settings.queryTimeoutMs,
    // Three heartbeats per stale period (at most one per 5 s): one late beat never looks like death.
    ...(settings.staleAfterMs ? { staleAfterMs: settings.staleAfterMs, heartbeatMs: Math.min(5_000, Math.floor(settings.staleAfterMs / 3)) } : {}),
    ...(log ? { log } : {}),
    ...(settings.jobObserver ? { observer: settings.jobObserver } : {}),
  });
  const queries = new UsageQueryService({
    store,
    dialect,
    retentionMs: Math.max(settings.resultRetentionMs, 5 * 60_000),
    onQueued: (id) => runner.wake(id),
    reserveWorker: () => runner.reserveWorker(),
    abortRunning: (id) => runner.abort(id),
    waitForSettled: (id, ms) => runner.waitForSettled(id, ms),
    ...(settings.maxPendingQueriesPerUser ? { maxPendingPerUser: settings.maxPendingQueriesPerUser } : {}),
  });
  const runQuery = queries.handler();
  runner.onSettled((id) => queries.forget(id));
  const tokenflexExports = fileSettings
    ? new TokenflexExportService({ store, dialect, ...fileSettings, onQueued: () => runner.wake() })
    : undefined;
  const insightsExports = fileSettings
    ? new InsightsExportService({
      store, ...fileSettings, onQueued: () => runner.wake(), ...(settings.xlsxSheetRows ? { xlsxSheetRows: settings.xlsxSheetRows } : {}),
    })
    : undefined;
  const runTokenflexExport = tokenflexExports?.handler();
  const runInsightsExport = insightsExports?.handler();
  // One job kind, two APIs: each export is run by the service of the API it was submitted to.
  const runExport: JobHandler | undefined = runTokenflexExport && runInsightsExport
    ? (job, context) => (job.api === 'insights' ? runInsightsExport(job, context) : runTokenflexExport(job, context))
    : undefined;
  const schedules = tokenflexExports ? new ScheduleService(store, tokenflexExports, log, settings.scheduleClock) : undefined;
  return {
    runner, queries,
    ...(tokenflexExports ? { tokenflexExports } : {}), ...(insightsExports ? { insightsExports } : {}), ...(schedules ? { schedules } : {}),
  };
}
