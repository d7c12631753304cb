import path from 'node:path';

/**
 * Where the CLI finds a running server of a data directory (its control socket). Here rather than in
 * src/http so the CLI finds it without loading the HTTP server.
 */
export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, 'run', 'control.sock');
}

/** Everything the service reads from its environment, with the defaults the README documents. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** `FILES_DIR`: where export files are written (default `DATA_DIR/files`); share it between processes. */
  readonly filesDir: string;
  /**
   * `DOWNLOAD_SECRET_FILE`: the HMAC key of download links. Default: `FILES_DIR/.keys/download-secret`
   * when `FILES_DIR` is set (every process sharing the files signs alike), else `DATA_DIR/keys/download-secret`.
   */
  readonly downloadSecretFile: string;
  /**
   * `KEYS_DIR`: the token signing keys (default `DATA_DIR/keys`). Processes behind one load
   * balancer share it, so a token one signed is accepted by all; each re-reads it every 30 s.
   */
  readonly keysDir: string;
  /** `DATABASE_URL`: a postgres:// URL selects PostgreSQL; unset, the DuckDB file in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /**
   * `DUCKDB_MEMORY_LIMIT`: what DuckDB may hold in memory before large sorts and aggregates spill
   * to `DATA_DIR/tmp/duckdb` (default `256MB`; `default` leaves DuckDB's own, 80% of the machine).
   */
  readonly duckdbMemoryLimit: string | undefined;
  /** `DATABASE_SCHEMA`: the PostgreSQL schema of the tables (default `public`). */
  readonly databaseSchema: string;
  readonly publicUrl: string;
  readonly tokenIssuer: string;
  readonly tokenAudience: string;
  readonly logLevel: string;
  /** Seed the demo dataset when the database is empty. */
  readonly demoData: boolean;
  readonly demoRows: number;
  /** Job workers in this process. */
  readonly workerConcurrency: number;
  /** Ingestion rates desktop sessions shorter than this (minutes) CASUAL. */
  readonly casualThresholdMinutes: number;
  /** `JOB_STALE_AFTER_SECONDS`: a running job whose heartbeat is older than this is given to another worker. */
  readonly jobStaleAfterSeconds: number;
  /** Execution cap of a usage query, in seconds. */
  readonly queryTimeoutSeconds: number;
  /** `QUERY_QUEUE_PER_USER`: unfinished usage queries a user may have at once, both APIs together (0: no cap). */
  readonly queryQueuePerUser: number;
  /** How long completed query results stay readable, in seconds (at least 300). */
  readonly resultRetentionSeconds: number;
  /** `SUBMIT_HOLD_MS`: how long a query submit waits for the query to finish and answer it inline (0: off). */
  readonly submitHoldMs: number;
  /** `XLSX_SHEET_ROWS`: rows per EXCEL worksheet, header included, before a file continues on the next sheet. */
  readonly xlsxSheetRows: number;
  /** `METRICS`: who may read `GET /metrics`: `off` (no metrics), `loopback` (this machine, or an admin token), `token` (an admin token). */
  readonly metrics: 'off' | 'loopback' | 'token';
  /** Requests per minute per client address on the token endpoint and the sign-in form (0: off). */
  readonly authRateLimits: { readonly token: number; readonly signIn: number };
}

export class ConfigError extends Error {}

/**
 * DuckDB's buffer limit when DUCKDB_MEMORY_LIMIT is unset: keeps a million-row export under the
 * Exports issue's 600 MB, and is faster than DuckDB's default (docs/measurements.md).
 */
export const DEFAULT_DUCKDB_MEMORY_LIMIT = '256MB';

/** Excel's rows per worksheet; a sheet with more is truncated when opened. */
export const EXCEL_MAX_SHEET_ROWS = 1_048_576;

function integer(env: Readonly<Record<string, string | undefined>>, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: Readonly<Record<string, string | undefined>>, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

/** Reads the configuration from an environment map (pass `process.env`); throws ConfigError. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, cwd: string): Config {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port || 8080}`).replace(/\/+$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute URL, got "${publicUrl}"`);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be a postgres:// URL (leave it unset for the DuckDB file in DATA_DIR)');
  }
  const databaseSchema = env.DATABASE_SCHEMA || 'public';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    throw new ConfigError(`DATABASE_SCHEMA must be a lower-case identifier ([a-z_][a-z0-9_]*), got "${databaseSchema}"`);
  }
  const memoryLimit = env.DUCKDB_MEMORY_LIMIT || DEFAULT_DUCKDB_MEMORY_LIMIT;
  if (memoryLimit !== 'default' && !/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit)) {
    throw new ConfigError(`DUCKDB_MEMORY_LIMIT must be a size such as 256MB or 2GB (or "default"), got "${memoryLimit}"`);
  }
  const metrics = (env.METRICS || 'loopback').toLowerCase();
  if (metrics !== 'off' && metrics !== 'loopback' && metrics !== 'token') {
    throw new ConfigError(`METRICS must be off, loopback or token, got "${env.METRICS}"`);
  }
  const dataDir = path.resolve(cwd, env.DATA_DIR || './data');
  const filesDir = env.FILES_DIR ? path.resolve(cwd, env.FILES_DIR) : path.join(dataDir, 'files');
  // The secret must be the same in every process that serves the same files, so it lives with
  // them when they are shared. `.keys` can never be an export file's key (keys start with a
  // letter or digit), so the download route cannot serve it.
  const downloadSecretFile = env.DOWNLOAD_SECRET_FILE
    ? path.resolve(cwd, env.DOWNLOAD_SECRET_FILE)
    : env.FILES_DIR ? path.join(filesDir, '.keys', 'download-secret') : path.join(dataDir, 'keys', 'download-secret');
  return Object.freeze({
    port,
    host: env.HOST || '127.0.0.1',
    dataDir,
    filesDir,
    downloadSecretFile,
    keysDir: env.KEYS_DIR ? path.resolve(cwd, env.KEYS_DIR) : path.join(dataDir, 'keys'),
    databaseUrl,
    databaseSchema,
    duckdbMemoryLimit: memoryLimit === 'default' ? undefined : memoryLimit,
    publicUrl,
    // The issuer comes from configuration, never from the port: a restart on another port (or
    // behind a proxy) must not invalidate every token already handed out.
    tokenIssuer: env.TOKEN_ISSUER || env.PUBLIC_URL?.replace(/\/+$/, '') || 'http://localhost:8080',
    tokenAudience: env.TOKEN_AUDIENCE || 'usage-insights',
    logLevel: env.LOG_LEVEL || 'info',
    demoData: flag(env, 'DEMO_DATA', true),
    demoRows: integer(env, 'DEMO_ROWS', 200_000, 0, 1_000_000_000),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 2, 0, 64),
    // One threshold for every batch (spec §6): the rating stays a function of the records alone.
    casualThresholdMinutes: integer(env, 'CASUAL_THRESHOLD_MINUTES', 5, 0, 1440),
    // Heartbeats come every third of this (at most every 5 s), so a live worker is never swept.
    jobStaleAfterSeconds: integer(env, 'JOB_STALE_AFTER_SECONDS', 30, 3, 86_400),
    queryTimeoutSeconds: integer(env, 'QUERY_TIMEOUT_SECONDS', 300, 1, 86_400),
    // Back-pressure a client can see (issue 19): past it a submit is 429 with Retry-After.
    queryQueuePerUser: integer(env, 'QUERY_QUEUE_PER_USER', 20, 0, 100_000),
    // Never under 5 minutes (spec §3.3): a client must have time to page through a result.
    resultRetentionSeconds: integer(env, 'RESULT_RETENTION_SECONDS', 86_400, 300, 90 * 86_400),
    // Spec §3.2 / §4: a fast query's submit answers COMPLETED / DONE with the first page inline.
    submitHoldMs: integer(env, 'SUBMIT_HOLD_MS', 2000, 0, 60_000),
    // Lower only to see the continuation on a further sheet without a million rows (the tests do).
    metrics,
    xlsxSheetRows: integer(env, 'XLSX_SHEET_ROWS', EXCEL_MAX_SHEET_ROWS, 2, EXCEL_MAX_SHEET_ROWS),
    authRateLimits: Object.freeze({
      token: integer(env, 'AUTH_RATE_LIMIT_TOKEN', 120, 0, 1_000_000),
      signIn: integer(env, 'AUTH_RATE_LIMIT_SIGN_IN', 20, 0, 1_000_000),
    }),
  });
}
