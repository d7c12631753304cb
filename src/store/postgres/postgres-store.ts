import { readdir, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg, { type PoolClient } from 'pg';
import {
  checkBulkFiles, QueryInterruptedError, type StagedLayout, type StagedUsageBatch, type StagedUsageChunk,
  type CompletedQuery, type TableRowsFile, type UsageDays, type MigrationReport, type ResultQuery, type Store,
  type StreamQuery, type PoolStats,
} from '../contract/index.js';
import { copyQueryToCsv } from './sql/copy-csv.js';
import { declareCursor, fetchFromCursor } from './sql/cursors.js';
import { isQueryCanceled, type Queryable } from './sql/db.js';
import { analyzeTable, copyCsvIntoTable, lockBulkLoad } from './sql/bulk-load.js';
import { assertTablesEmpty, checkArrived } from '../sql/bulk-load.js';
import type { Db } from '../sql/dialect.js';
import { SqlStore } from '../sql/sql-store.js';
import * as jobsSql from '../sql/jobs.js';
import { postgresClientDb, postgresPoolDb, withClient } from './postgres-db.js';
import {
  applyMigration, createMigrationsTable, createSchema, lockMigrations, selectAppliedMigrations, unlockMigrations
} from './sql/migrations.js';
import * as rateLimitSql from './sql/rate-limit.js';
import { createUsagePartition, lockPartitionChanges, monthsBetween, selectMissingPartitions } from './sql/partitions.js';
import { dropIngestTables, SqlStagedBatch, stagedRecordsSql } from '../sql/usage-ingest.js';
import { copyStagedLines, lockIngestion, selectMonths, stagedElement } from './sql/usage-staging.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`; without a user name, the OS user's (as libpq does). */
  readonly url: string;
  /** The schema holding every table, created by `migrate()` when missing (default `public`). */
  readonly schema?: string;
  /** Connections in the pool (default 10). */
  readonly maxConnections?: number;
  /** Ingestion and the demo data rate desktop sessions shorter than this CASUAL (default 5). */
  readonly casualThresholdMinutes?: number;
}

/** Dates and timestamps stay text, in PostgreSQL's ISO output, as DuckDB's JSON rows give them. */
const TEXT_TYPE_OIDS = new Set([1082 /* date */, 1114 /* timestamp */, 1184 /* timestamptz */]);
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (TEXT_TYPE_OIDS.has(oid)
    ? (value: string) => value
    : pg.types.getTypeParser(oid, format))) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * Opens a pool on a PostgreSQL database. Nothing is created until `migrate()`. Several processes
 * may open the same database: jobs, schedules and migrations coordinate through row locks and
 * advisory locks (sql/jobs.ts, sql/schedules.ts, sql/migrations.ts).
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema ?? 'public';
  // The schema name is spliced into `search_path` and DDL, so only plain identifiers are taken.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`The PostgreSQL schema name must be a lower-case identifier ([a-z_][a-z0-9_]*), got "${schema}".`);
  }
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new Error('DATABASE_URL is not a valid postgres:// URL.');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must start with postgres://, got ${url.protocol}//.`);
  }
  if (!url.username) url.username = userInfo().username;
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: options.maxConnections ?? 10,
    types: TYPES,
    // Every session: our schema only, UTC, ISO dates. Timestamps are written and read as UTC text,
    // and `date::text` is YYYY-MM-DD, whatever the server's defaults.
    options: `-c search_path=${schema} -c TimeZone=UTC -c DateStyle=ISO,YMD`,
    application_name: 'usage-insights',
  });
  // An idle connection that dies (server restart, network) is dropped by the pool; without a
  // listener the 'error' event would end the process.
  pool.on('error', () => undefined);
  const store = new PostgresStore(pool, schema, options.casualThresholdMinutes);
  try {
    await store.ping();
  } catch (error) {
    await pool.end().catch(() => undefined);
    // Said with the address (never the password), so a wrong DATABASE_URL is obvious in the log.
    url.password = '';
    throw new Error(`Cannot reach PostgreSQL at ${url.toString()}: ${(error as Error).message}`, { cause: error });
  }
  return store;
}

class PostgresStore extends SqlStore implements Store {
  readonly backend = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #schema: string;

  readonly #casualThresholdMinutes: number | undefined;

  constructor(pool: pg.Pool, schema: string, casualThresholdMinutes: number | undefined) {
    super(postgresPoolDb(pool));
    this.#casualThresholdMinutes = casualThresholdMinutes;
    this.#pool = pool;
    this.#schema = schema;
  }

  /** Runs `fn` on one checked-out connection (withClient). */
  #use<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return withClient(this.#pool, fn);
  }

  /** Runs `fn` inside a transaction; rolls back when it throws. */
  #transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.#use((client) => postgresClientDb(client).transaction(() => fn(client)));
  }

  /**
   * Runs `fn` on a connection whose statement is cancelled when `signal` aborts: PostgreSQL cancels
   * a running statement through pg_cancel_backend from another session
   * (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL).
   */
  #cancellable<T>(signal: AbortSignal, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.#use(async (client) => {
      if (signal.aborted) throw new QueryInterruptedError(signal.reason);
      const pid = await backendPid(client);
      const onAbort = () => {
        this.#pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await fn(client);
      } catch (error) {
        if (signal.aborted || isQueryCanceled(error)) throw new QueryInterruptedError(signal.reason ?? error);
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    });
  }

  get #db(): Queryable {
    return this.#pool;
  }

  async migrate(): Promise<MigrationReport> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((name) => /^\d{4}_.+\.sql$/.test(name)).sort();
    return this.#use(async (client) => {
      // Concurrent starts queue on the advisory lock; each runner then sees what the previous one
      // recorded, so every migration is applied exactly once.
      await lockMigrations(client, this.#schema);
      try {
        await createSchema(client, this.#schema);
        await createMigrationsTable(client);
        const done = new Set(await selectAppliedMigrations(client));
        const applied: string[] = [];
        for (const file of files) {
          const id = file.replace(/\.sql$/, '');
          if (done.has(id)) continue;
          await applyMigration(client, id, await readFile(path.join(MIGRATIONS_DIR, file), 'utf8'));
          applied.push(id);
        }
        return { applied, current: await selectAppliedMigrations(client) };
      } finally {
        await unlockMigrations(client, this.#schema);
      }
    });
  }

  async ping(): Promise<void> {
    await this.#pool.query('select 1');
  }

  poolStats(): PoolStats {
    return { inUse: this.#pool.totalCount - this.#pool.idleCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount };
  }

  #rateLimitHits = 0;

  async countRateLimitHit(key: string, windowMs: number): Promise<{ readonly hits: number; readonly ttlMs: number }> {
    // Now and then, the ended windows go: the table holds about one minute's keys.
    if (++this.#rateLimitHits % 500 === 0) await rateLimitSql.deleteEndedRateLimitCounters(this.#db).catch(() => undefined);
    return rateLimitSql.incrementRateLimitCounter(this.#db, key, windowMs);
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  readonly bulkFileFormat = 'csv' as const;

  /**
   * COPY FROM STDIN per file (sql/bulk-load.ts), all in one transaction, so a failure leaves the
   * tables empty; then fresh planner statistics for the loaded tables (autovacuum would get there,
   * later).
   */
  async loadIntoEmptyTables(files: readonly TableRowsFile[], usageDays: UsageDays): Promise<void> {
    checkBulkFiles(files);
    await this.#transaction(async (client) => {
      // Several servers starting on one empty database all try this: the first takes the lock and
      // loads, the others wait, then find the tables filled.
      await lockBulkLoad(client);
      await assertTablesEmpty(postgresClientDb(client), files.map((f) => f.table));
      await lockPartitionChanges(client);
      for (const month of monthsBetween(usageDays.from, usageDays.to)) await createUsagePartition(client, month);
      for (const file of files) checkArrived(file.table, file.rows, await copyCsvIntoTable(client, file.table, file.columns, file.file));
      for (const file of files) await analyzeTable(client, file.table);
    });
  }

  /**
   * Staging (the COPY) runs outside the transaction and the lock: a slow upload holds neither.
   * The batch is then applied in one transaction, after every other batch into this schema (an
   * advisory lock, across processes: their updates touch the same rows); the rating reads the
   * contract years and products as they are then.
   */
  applyStagedUsage<T>(chunks: AsyncIterable<StagedUsageChunk>, layout: StagedLayout, apply: (batch: StagedUsageBatch) => Promise<T>): Promise<T> {
    return this.#use(async (client) => {
      const db = postgresClientDb(client);
      try {
        const records = await copyStagedLines(client, chunks);
        await db.query(`create temp view ingest_staging as ${stagedRecordsSql(layout, stagedElement, 'ingest_lines s')}`);
        return await db.transaction(async () => {
          await lockIngestion(client);
          return apply(new SqlStagedBatch({
            db, casualThresholdMinutes: this.#casualThresholdMinutes,
            unordered: (fn) => fn(),
            writeTransaction: (fn) => fn(),
            beforeInsert: async (usageDates) => this.#createMissingPartitions(client, await selectMonths(client, usageDates)),
          }, records));
        });
      } finally {
        await dropIngestTables(db).catch(() => undefined);
        await db.query('drop table if exists ingest_lines').catch(() => undefined);
      }
    });
  }

  /** The partitions of `months` (YYYY-MM-01), made when missing. */
  async #createMissingPartitions(client: PoolClient, months: readonly string[]): Promise<void> {
    const missing = await selectMissingPartitions(client, months);
    if (missing.length > 0) {
      await lockPartitionChanges(client);
      for (const month of missing) await createUsagePartition(client, month);
    }
  }

  // --- JobStore --------------------------------------------------------------------------------

  completeQueryJob(
    id: string, workerId: string, query: ResultQuery, retentionMs: number, signal: AbortSignal, rowWritten?: Promise<unknown>,
  ): Promise<CompletedQuery> {
    return this.#cancellable(signal, async (client) => {
      await client.query('begin');
      try {
        // Results first, the fenced state change last: the jobs row is locked only for the final
        // update, so heartbeats and cancel requests never wait behind a long insert. A row still
        // being written is awaited before that update, which (read committed) sees it once it is.
        const db = postgresClientDb(client);
        const rows = await jobsSql.insertResultRows(db, id, query);
        if (rowWritten) await rowWritten;
        if (signal.aborted) throw new QueryInterruptedError(signal.reason);
        const now = new Date();
        const expiresAt = new Date(now.getTime() + retentionMs);
        await jobsSql.finishJob(db, id, workerId, query.columns, rows, now, expiresAt);
        await client.query('commit');
        return { rowCount: rows, finishedAt: now.toISOString(), expiresAt: expiresAt.toISOString() };
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      }
    });
  }

  async *streamRows(query: StreamQuery, signal: AbortSignal): AsyncIterable<unknown[]> {
    // A server-side cursor in a read-only transaction: the consumer pulls chunks as it writes, so
    // memory stays bounded whatever the row count.
    const client = await this.#pool.connect();
    let healthy = false;
    const pid = await backendPid(client);
    const onAbort = () => {
      this.#pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.query('begin read only');
      await declareCursor(client, 'export_rows', query.sql, query.parameters);
      for (;;) {
        if (signal.aborted) throw new QueryInterruptedError(signal.reason);
        const rows = await fetchFromCursor(client, 'export_rows', 2_000);
        if (rows.length === 0) break;
        for (const row of rows) yield row;
      }
      await client.query('commit');
      healthy = true;
    } catch (error) {
      if (signal.aborted || isQueryCanceled(error)) throw new QueryInterruptedError(signal.reason ?? error);
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      // A consumer that stopped early (or an error) leaves the transaction open: drop the connection.
      client.release(!healthy);
    }
  }

  copyCsv(query: StreamQuery, columns: readonly string[], textColumns: readonly string[], target: string, signal: AbortSignal): Promise<number> {
    return this.#cancellable(signal, (client) => copyQueryToCsv(client, query, columns, textColumns, target));
  }

  // --- ScheduleStore ---------------------------------------------------------------------------

  // --- OAuthStore: what differs --------------------------------------------------------------

  /**
   * Serialises the steps and the revocation of one grant across every process on this database,
   * until the transaction ends (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS).
   * Under READ COMMITTED a statement does not see rows committed after it started, so a revocation's
   * UPDATE could miss a child token inserted meanwhile: the lock makes each wait for the other.
   * 7019 is this service's class of advisory locks (issue 19); a hash collision only serialises two grants.
   */
  protected serialisedTransaction<T>(key: string, fn: (db: Db) => Promise<T>): Promise<T> {
    return this.db.transaction(async (db) => {
      await db.query('select pg_advisory_xact_lock(7019, hashtext($1))', [key]);
      return fn(db);
    });
  }

}

/** Server process ids of pooled connections, asked once per connection (for pg_cancel_backend). */
const BACKEND_PIDS = new WeakMap<PoolClient, number>();

async function backendPid(client: PoolClient): Promise<number> {
  let pid = BACKEND_PIDS.get(client);
  if (pid === undefined) {
    pid = Number((await client.query('select pg_backend_pid() as pid')).rows[0]?.pid);
    BACKEND_PIDS.set(client, pid);
  }
  return pid;
}


