import { rmSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { loadSigningKeys, mintAccessToken, issueUserToken, type SigningKeyOptions, type SigningKeys, type TokenSettings } from '../../src/auth/index.js';
import { LocalFileStore, loadDownloadSecret, observeWrites, UrlSigner } from '../../src/exports/index.js';
import { buildApp, cachingSchemaCompilers } from '../../src/http/index.js';
import { createJobServices, type JobServices, type JobSettings } from '../../src/app-services.js';
import { Metrics } from '../../src/metrics/index.js';
import { openDuckDbStore, type Store } from '../../src/store/index.js';
import { openSeededPostgresStore, routeTestsUsePostgres } from './databases.js';
import { loadDemoData } from '../../src/seed/index.js';

/** One set of compiled route schemas for every app this process builds (most of an app's build time). */
export const TEST_SCHEMA_COMPILERS = cachingSchemaCompilers();

let templateKeyFile: Promise<string> | undefined;

/**
 * Puts this process's one signing key pair in a new data directory, where `loadSigningKeys` finds
 * it: making an RSA key costs more than the rest of an app's build.
 */
async function copyTemplateKeys(dataDir: string): Promise<void> {
  templateKeyFile ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'usage-insights-keys-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await loadSigningKeys(dir);
    return path.join(dir, 'keys', 'signing-keys.json');
  })();
  const file = await templateKeyFile;
  await mkdir(path.join(dataDir, 'keys'), { mode: 0o700 });
  await copyFile(file, path.join(dataDir, 'keys', 'signing-keys.json'));
  await chmod(path.join(dataDir, 'keys', 'signing-keys.json'), 0o600);
}

export const TEST_TOKENS: TokenSettings = { issuer: 'http://localhost:8080', audience: 'usage-insights' };

export interface TestApp {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly keys: SigningKeys;
  readonly dataDir: string;
  readonly jobs: JobServices;
  /** The app's metrics, when built with `options.metrics`. */
  readonly metrics: Metrics | undefined;
  /** A token for a demo user (admin@example.com, alice@example.com, …). */
  tokenFor(email: string, scopes?: readonly string[]): Promise<string>;
  /** A token with arbitrary claims, for testing verification failures. */
  rawToken(options: Parameters<typeof mintAccessToken>[2], settings?: TokenSettings): Promise<string>;
}

/** A seeded in-memory store shared by the tests of one file (seeding is the slow part). */
export async function openSeededStore(t: TestContext | { after: (fn: () => Promise<void>) => void }, rows = 3_000): Promise<Store> {
  if (routeTestsUsePostgres()) return openSeededPostgresStore(t, { rows, seed: 7, from: '2025-01-01', to: '2025-12-31' });
  const store = await openDuckDbStore({ dataDir: ':memory:' });
  await store.migrate();
  await loadDemoData(store, { rows, seed: 7, from: '2025-01-01', to: '2025-12-31' });
  t.after(() => store.close());
  return store;
}

/**
 * A seeded store on a temp file plus a raw DuckDB connection to a byte-for-byte copy of it, so a
 * test can compute expected answers with hand-written SQL, independently of the code under test.
 */
export async function openSeededDatabases(
  t: { after: (fn: () => Promise<void>) => void }, rows: number,
): Promise<{ readonly store: Store; readonly raw: DuckDBConnection }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'usage-insights-raw-'));
  const seeded = await openDuckDbStore({ dataDir: path.join(dir, 'a') });
  await seeded.migrate();
  await loadDemoData(seeded, { rows, seed: 7, from: '2025-01-01', to: '2025-12-31' });
  await seeded.close();
  await mkdir(path.join(dir, 'b'));
  await copyFile(path.join(dir, 'a', 'usage.duckdb'), path.join(dir, 'b', 'usage.duckdb'));
  // With TEST_STORE=postgres the store under test is PostgreSQL, loaded with the same demo data.
  const store = routeTestsUsePostgres()
    ? await openSeededPostgresStore(t, { rows, seed: 7, from: '2025-01-01', to: '2025-12-31' })
    : await openDuckDbStore({ dataDir: path.join(dir, 'a') });
  const instance = await DuckDBInstance.create(path.join(dir, 'b', 'usage.duckdb'));
  const raw = await instance.connect();
  t.after(async () => {
    raw.closeSync();
    instance.closeSync();
    if (!routeTestsUsePostgres()) await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { store, raw };
}

/**
 * Builds the app over a seeded store with fresh keys; closes everything when the test ends.
 * `options.keys` puts the key ring on a test's clock; `options.logger` captures the app's log;
 * `options.metrics` wires the metrics as the server does (METRICS=loopback or token).
 */
export async function buildTestApp(
  t: { after: (fn: () => Promise<void>) => void }, store: Store, jobSettings: Partial<JobSettings> = {},
  options: {
    readonly keys?: SigningKeyOptions; readonly logger?: FastifyBaseLogger; readonly console?: { readonly distDir: string };
    readonly metrics?: 'loopback' | 'token';
    readonly authRateLimits?: { readonly token: number; readonly signIn: number };
    /** The clock of the analytics' "today". */
    readonly now?: () => Date;
    /** The submit hold (SUBMIT_HOLD_MS); none by default, so a submit answers at once. */
    readonly submitHoldMs?: number;
    /** The inflated size past which a gzip usage batch is refused (default 512 MiB). */
    readonly maxInflatedBodyBytes?: number;
  } = {},
): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-test-'));
  await copyTemplateKeys(dataDir);
  const keys = await loadSigningKeys(dataDir, options.keys ?? {});
  const downloads = { files: new LocalFileStore(path.join(dataDir, 'files')), signer: new UrlSigner(await loadDownloadSecret(dataDir), 'http://localhost:8080') };
  const metrics = options.metrics ? new Metrics({ jobCounts: () => store.countJobsByState(), poolStats: () => store.poolStats() }) : undefined;
  const jobs = createJobServices(store, store.backend, {
    concurrency: 2, queryTimeoutMs: 60_000, resultRetentionMs: 3_600_000, ...(metrics ? { jobObserver: metrics } : {}), ...jobSettings,
  }, undefined, metrics ? { ...downloads, files: observeWrites(downloads.files, (file) => metrics.exportWritten(file.byteSize)) } : downloads);
  await jobs.runner.start();
  const app = await buildApp({
    store, keys, tokens: TEST_TOKENS, queries: jobs.queries, publicUrl: 'http://localhost:8080', downloads, schemaCompilers: TEST_SCHEMA_COMPILERS,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.console ? { console: options.console } : {}), ...(options.now ? { now: options.now } : {}),
    ...(options.authRateLimits ? { authRateLimits: options.authRateLimits } : {}),
    ...(options.submitHoldMs !== undefined ? { submitHoldMs: options.submitHoldMs } : {}),
    ...(options.maxInflatedBodyBytes !== undefined ? { maxInflatedBodyBytes: options.maxInflatedBodyBytes } : {}),
    ...(metrics && options.metrics ? { metrics: { metrics, access: options.metrics } } : {}),
    ...(jobs.tokenflexExports ? { tokenflexExports: jobs.tokenflexExports } : {}), ...(jobs.insightsExports ? { insightsExports: jobs.insightsExports } : {}), ...(jobs.schedules ? { schedules: jobs.schedules } : {}),
  });
  t.after(async () => {
    // Each step runs even when an earlier one fails, so no worker outlives its test.
    const closed = await app.close().then(() => undefined, (error: unknown) => error);
    await jobs.runner.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    if (closed !== undefined) throw closed;
  });
  return {
    app,
    store,
    keys,
    dataDir,
    jobs,
    metrics,
    tokenFor: (email, scopes = ['data:read', 'data:write']) =>
      issueUserToken({ store, keys, tokens: TEST_TOKENS }, { email, scopes, ttlSeconds: 600 }),
    rawToken: (options, settings = TEST_TOKENS) => mintAccessToken(keys, settings, options),
  };
}
