import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { randomBytes } from 'node:crypto';
import { loadSigningKeys, setUserPassword, startCredentialHousekeeping } from '../auth/index.js';
import { controlSocketPath, type Config } from '../config.js';

export { controlSocketPath };
import { createJobServices, jobSettingsOf, openFileSettings } from '../app-services.js';
import { openStore, type Store } from '../store/index.js';
import { observeWrites } from '../exports/index.js';
import { Metrics } from '../metrics/index.js';
import { buildApp } from './app.js';
import { startControlSocket } from './control-socket.js';
import { CONSOLE_DIST_DIR, ensureConsoleBuilt, registerConsoleClient } from './routes/console/index.js';
import { loadDemoData } from '../seed/index.js';

/** The listening address as a client on this machine reaches it: a wildcard host becomes the loopback address. */
function localUrlOf(address: AddressInfo | string | null, host: string): string | undefined {
  if (address === null || typeof address === 'string') return undefined;
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const reach = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${reach}:${address.port}`;
}


/** A fixed window, not "today", so a fresh demo looks the same on every machine. */
const DEMO_WINDOW = { from: '2024-11-01', to: '2026-10-31', seed: 42 } as const;
/** The demo users the README names; they get a password when the demo dataset is generated. */
const DEMO_SIGN_IN_USERS = ['admin@example.com', 'alice@example.com'] as const;

/** What a caller may put in place of the system's own, for tests. */
export interface ServerOptions {
  /** The export schedules' clock (default: the system's). */
  readonly scheduleClock?: () => Date;
}

/**
 * Runs the service until SIGTERM/SIGINT: opens and migrates the store, seeds the demo dataset
 * into an empty database, listens, and on a signal stops taking requests, lets in-flight ones
 * finish, then closes the database. This is the only module that touches `process`.
 */
export async function runServer(config: Config, options: ServerOptions = {}): Promise<void> {
  const logger = pino({ level: config.logLevel, base: { service: 'usage-insights' } });
  let store: Store;
  try {
    store = await openStore(config);
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exitCode = 1;
    return;
  }
  const report = await store.migrate();
  if (report.applied.length > 0) logger.info({ applied: report.applied }, 'database migrated');
  if (config.demoData && (await store.isEmpty())) {
    logger.info({ rows: config.demoRows, dataDir: config.dataDir }, 'empty database: generating the demo dataset');
    try {
      const summary = await loadDemoData(store, { rows: config.demoRows, ...DEMO_WINDOW, casualThresholdMinutes: config.casualThresholdMinutes });
      // A random password, told once: a demo database kept by mistake has no well-known admin password.
      const password = randomBytes(9).toString('base64url');
      for (const email of DEMO_SIGN_IN_USERS) await setUserPassword(store, email, password);
      logger.info({ ...summary, password }, `demo dataset ready: open ${config.publicUrl}/ and sign in as admin@example.com (every team) or alice@example.com (one team) with the password ${password}`);
    } catch (error) {
      // PostgreSQL: another server process starting on the same database loaded it first.
      if (await store.isEmpty()) throw error;
      logger.info('demo dataset loaded by another server process');
    }
  }
  const keys = await loadSigningKeys(config.dataDir, { keysDir: config.keysDir });
  // Another process sharing KEYS_DIR may rotate the keys: pick its new key up within 30 s.
  const keyReload = setInterval(() => {
    keys.reload().catch((error: unknown) => logger.warn({ err: error }, 'could not re-read the signing keys; keeping the current ones'));
  }, 30_000);
  keyReload.unref();
  const tokens = { issuer: config.tokenIssuer, audience: config.tokenAudience };
  const downloads = await openFileSettings(config);
  // Files half-written by a process that died are never presented as complete; remove them. On
  // PostgreSQL other processes may share FILES_DIR and be writing: only files idle for an hour.
  const leftovers = await downloads.files.removeLeftovers(store.backend === 'duckdb' ? undefined : new Date(Date.now() - 3_600_000));
  if (leftovers > 0) logger.warn({ leftovers }, 'removed partial export files left by a stopped server');
  const metrics = config.metrics === 'off'
    ? undefined
    : new Metrics({ jobCounts: () => store.countJobsByState(), poolStats: () => store.poolStats() });
  const jobFiles = metrics
    ? { ...downloads, files: observeWrites(downloads.files, (file) => metrics.exportWritten(file.byteSize)) }
    : downloads;
  const jobs = createJobServices(store, store.backend, jobSettingsOf(config, {
    ...(options.scheduleClock ? { scheduleClock: options.scheduleClock } : {}),
    ...(metrics ? { jobObserver: metrics } : {}),
  }), logger, jobFiles);
  // One process owns a DuckDB file, so every job still marked running was left by a process that
  // died (kill -9, power loss): put them back in the queue now. On PostgreSQL other processes may
  // be running jobs this very moment; only the sweeper's stale heartbeats say one of them died.
  await jobs.runner.start({ recoverAll: store.backend === 'duckdb' });
  jobs.schedules?.start();
  // Expired codes, sessions, revocations and refresh tokens are deleted every 15 minutes.
  const housekeeping = startCredentialHousekeeping(store, { log: logger });
  let ready = true;
  // The console signs in as its own public OAuth client, registered here (idempotent).
  const consoleClient = await registerConsoleClient(store, config.publicUrl);
  if (consoleClient !== 'current') logger.info({ outcome: consoleClient }, 'console OAuth client registered');
  const app = await buildApp({ store, keys, tokens, queries: jobs.queries, downloads, console: { distDir: CONSOLE_DIST_DIR }, ...(jobs.tokenflexExports ? { tokenflexExports: jobs.tokenflexExports } : {}), ...(jobs.insightsExports ? { insightsExports: jobs.insightsExports } : {}), ...(jobs.schedules ? { schedules: jobs.schedules } : {}), publicUrl: config.publicUrl, submitHoldMs: config.submitHoldMs, logger, isReady: () => ready, authRateLimits: config.authRateLimits, ...(metrics && config.metrics !== 'off' ? { metrics: { metrics, access: config.metrics } } : {}) });
  // Built at install; rebuilt here when missing or out of date with web/ or this server's API.
  await ensureConsoleBuilt({ openapi: app.swagger(), log: logger });
  let control: Server | undefined;
  try {
    await app.listen({ port: config.port, host: config.host });
    control = await startControlSocket(controlSocketPath(config.dataDir), {
      store, keys, tokens, localUrl: localUrlOf(app.server.address(), config.host), ...(metrics ? { observeIngest: (batch) => metrics.observeIngest(batch) } : {}),
    });
  } catch (error) {
    logger.fatal({ err: error }, `cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
    await jobs.schedules?.stop();
    await jobs.runner.stop();
    housekeeping.stop();
    await app.close();
    await store.close();
    process.exitCode = 1;
    return;
  }
  logger.info({ url: config.publicUrl, console: `${config.publicUrl}/`, docs: `${config.publicUrl}/docs` }, 'usage-insights is listening');
  if (config.tokenIssuer !== config.publicUrl.replace(/\/+$/, '')) {
    // The issuer never follows PORT (tokens stay valid when the port moves), but OpenID Connect
    // Discovery wants it to be the URL its document is fetched from: strict clients refuse otherwise.
    logger.warn({ issuer: config.tokenIssuer, url: config.publicUrl },
      'the token issuer is not this server\'s URL: OpenID Connect clients that check the issuer will refuse the discovery document; set PUBLIC_URL (or TOKEN_ISSUER)');
  }

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
    clearInterval(keyReload);
    await app.close();
    await jobs.schedules?.stop();
    await jobs.runner.stop();
    housekeeping.stop();
    await store.close();
    logger.info('stopped');
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
