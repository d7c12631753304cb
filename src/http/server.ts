import path from 'node:path';
import type { Server } from 'node:http';
import pino from 'pino';
import { loadSigningKeys } from '../auth/index.js';
import type { Config } from '../config.js';
import { createJobServices } from '../jobs/index.js';
import { openDuckDbStore, type Store } from '../store/index.js';
import { LocalFileStore, loadDownloadSecret, UrlSigner } from '../exports/index.js';
import { buildApp } from './app.js';
import { startControlSocket } from './control-socket.js';

/** Where the CLI finds a running server of a data directory. */
export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, 'run', 'control.sock');
}

/** A fixed window, not "today", so a fresh demo looks the same on every machine. */
const DEMO_WINDOW = { from: '2024-11-01', to: '2026-10-31', seed: 42 } as const;

/**
 * Runs the service until SIGTERM/SIGINT: opens and migrates the store, seeds the demo dataset
 * into an empty database, listens, and on a signal stops taking requests, lets in-flight ones
 * finish, then closes the database. This is the only module that touches `process`.
 */
export async function runServer(config: Config): Promise<void> {
  const logger = pino({ level: config.logLevel, base: { service: 'usage-insights' } });
  let store: Store;
  try {
    store = await openDuckDbStore({ dataDir: config.dataDir });
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exitCode = 1;
    return;
  }
  const report = await store.migrate();
  if (report.applied.length > 0) logger.info({ applied: report.applied }, 'database migrated');
  if (config.demoData && (await store.isEmpty())) {
    logger.info({ rows: config.demoRows, dataDir: config.dataDir }, 'empty database: generating the demo dataset');
    const summary = await store.loadDemoData({ rows: config.demoRows, ...DEMO_WINDOW });
    logger.info(summary, 'demo dataset ready: sign in as admin@example.com (every team) or alice@example.com (one team)');
  }
  const keys = await loadSigningKeys(config.dataDir);
  const tokens = { issuer: config.tokenIssuer, audience: config.tokenAudience };
  const downloads = {
    files: new LocalFileStore(path.join(config.dataDir, 'files')),
    signer: new UrlSigner(await loadDownloadSecret(config.dataDir), config.publicUrl),
  };
  // Files half-written by a process that died are never presented as complete; remove them.
  const leftovers = await downloads.files.removeLeftovers();
  if (leftovers > 0) logger.warn({ leftovers }, 'removed partial export files left by a stopped server');
  const jobs = createJobServices(store, 'duckdb', {
    concurrency: config.workerConcurrency,
    queryTimeoutMs: config.queryTimeoutSeconds * 1000,
    resultRetentionMs: config.resultRetentionSeconds * 1000,
  }, logger, downloads);
  // One process owns a DuckDB file, so every job still marked running was left by a process that
  // died (kill -9, power loss): put them back in the queue now.
  await jobs.runner.start({ recoverAll: true });
  jobs.schedules?.start();
  let ready = true;
  const app = await buildApp({ store, keys, tokens, queries: jobs.queries, downloads, ...(jobs.tokenflexExports ? { tokenflexExports: jobs.tokenflexExports } : {}), ...(jobs.insightsExports ? { insightsExports: jobs.insightsExports } : {}), ...(jobs.schedules ? { schedules: jobs.schedules } : {}), publicUrl: config.publicUrl, logger, isReady: () => ready, authRateLimits: config.authRateLimits });
  let control: Server | undefined;
  try {
    await app.listen({ port: config.port, host: config.host });
    control = await startControlSocket(controlSocketPath(config.dataDir), { store, keys, tokens });
  } catch (error) {
    logger.fatal({ err: error }, `cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
    jobs.schedules?.stop();
    await jobs.runner.stop();
    await app.close();
    await store.close();
    process.exitCode = 1;
    return;
  }
  logger.info({ url: config.publicUrl, docs: `${config.publicUrl}/docs` }, 'usage-insights is listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    ready = false;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    control?.close();
    await app.close();
    jobs.schedules?.stop();
    await jobs.runner.stop();
    await store.close();
    logger.info('stopped');
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
