import { mkdir, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, JsonDuckDBValueConverter, type DuckDBConnection } from '@duckdb/node-api';
import { AppError } from '../../errors.js';
import { assertTablesEmpty, checkArrived } from '../sql/bulk-load.js';
import { insertParquetFile } from './sql/bulk-load.js';
import { bulkLoadMemoryLimit, usageBatchMemoryLimit } from './memory-limit.js';
import {
  checkBulkFiles, QueryInterruptedError,
  type CompletedQuery, type JobFile, type StreamQuery, type TableRowsFile, type UsageDays, type Job, type MigrationReport, type NewJob, type ResultQuery, type Store, type PoolStats,
  type StagedLayout, type StagedUsageBatch, type StagedUsageChunk,
} from '../contract/index.js';
import { selectRevokedAccessTokenIds } from '../sql/oauth.js';
import { ConnectionPool } from './connection-pool.js';
import { KeyedLock } from './keyed-lock.js';
import { JobLookups, newestJob } from './job-lookups.js';
import { removeLeftoverChunkFiles, UsageStager } from './usage-stager.js';
import { dropIngestTables, SqlStagedBatch } from '../sql/usage-ingest.js';
import { copyQueryToCsv } from './sql/copy-csv.js';
import type { Db } from '../sql/dialect.js';
import { SqlStore } from '../sql/sql-store.js';
import * as jobsSql from '../sql/jobs.js';
import { duckDbConnectionDb, duckDbPoolDb, isDuckDbConflict as isTransactionConflict } from './duckdb-db.js';
import { applyMigration, createMigrationsTable, selectAppliedMigrations } from './sql/migrations.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface DuckDbStoreOptions {
  /** Directory holding `usage.duckdb`; `:memory:` keeps everything in memory (tests). */
  readonly dataDir: string;
  /** Open without write access (several readers may share a file no writer holds). */
  readonly readOnly?: boolean;
  /**
   * DuckDB's `memory_limit` (as DuckDB spells sizes: `512MB`, `2GB`): what its buffer manager may
   * hold before large sorts and aggregates spill to `<dataDir>/tmp`. DuckDB's own default is 80%
   * of the machine's memory.
   */
  readonly memoryLimit?: string;
  /** Ingestion and the demo data rate desktop sessions shorter than this CASUAL (default 5). */
  readonly casualThresholdMinutes?: number;
}

/**
 * Runs `work` with DuckDB free to read and write from all its threads without keeping row order,
 * for statements whose row order is not content (a staged record carries its line): keeping the order
 * makes reading staged files more than twice as slow (docs/measurements.md). The setting is the
 * instance's (every connection's), so it is off only for those statements; queries that need an
 * order say ORDER BY. The setting as it was comes back afterwards.
 */
async function withoutInsertionOrder<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  const preserveOrder = (await connection.runAndReadAll("select current_setting('preserve_insertion_order')")).getRowsJS()[0]?.[0] !== false;
  await connection.run('set preserve_insertion_order = false');
  try {
    return await work();
  } finally {
    await connection.run(`set preserve_insertion_order = ${preserveOrder}`);
  }
}

/** Opens (creating if needed) the DuckDB database of a data directory. */
export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<Store> {
  let file = ':memory:';
  if (options.dataDir !== ':memory:') {
    await mkdir(options.dataDir, { recursive: true });
    file = path.join(options.dataDir, 'usage.duckdb');
  }
  const spillDir = options.memoryLimit && file !== ':memory:' ? path.join(options.dataDir, 'tmp', 'duckdb') : undefined;
  if (spillDir) await mkdir(spillDir, { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, {
      // DuckDB's allocator returns freed memory to the system from a thread of its own, also while
      // the server is idle; without it, memory freed after a load stayed with the process.
      allocator_background_threads: 'true',
      ...(options.readOnly ? { access_mode: 'READ_ONLY' } : {}),
      ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
      ...(spillDir ? { temp_directory: spillDir } : {}),
    });
  } catch (error) {
    // DuckDB takes an exclusive file lock per writer process
    // (https://duckdb.org/docs/stable/connect/concurrency): a second server on the same directory
    // lands here, and is refused with a message that says what to do instead of corrupting anything.
    const message = String((error as Error).message);
    if (/lock/i.test(message)) {
      const pid = /PID (\d+)/.exec(message)?.[1];
      throw new AppError('DATA_DIR_LOCKED',
        `The data directory ${options.dataDir} is in use by another process${pid ? ` (PID ${pid})` : ''}. ` +
        'DuckDB allows one writer process per database: stop that process, or point DATA_DIR elsewhere, ' +
        'or use PostgreSQL (DATABASE_URL) to run several server processes.', { cause: error });
    }
    throw error;
  }
  // Ingestion spools chunk files here for DuckDB's JSON reader (sql/usage-ingest.ts). Those of a
  // batch cut off by a crash are deleted here: holding the database's lock, no other process is
  // ingesting into this directory.
  const spoolDir = options.dataDir === ':memory:' ? tmpdir() : path.join(options.dataDir, 'tmp');
  if (options.dataDir !== ':memory:' && !options.readOnly) await removeLeftoverChunkFiles(spoolDir);
  return new DuckDbStore(instance, spoolDir, options.memoryLimit,
    options.casualThresholdMinutes);
}

class DuckDbStore extends SqlStore implements Store {
  readonly backend = 'duckdb' as const;
  readonly #instance: DuckDBInstance;
  readonly #pool: ConnectionPool;
  /** Usage batches are applied one at a time (their transactions would update the same rows). */
  #ingestQueue: Promise<unknown> = Promise.resolve();

  readonly #spoolDir: string;
  /**
   * The revoked access-token ids, in memory: every request's token is checked against them, and
   * only this process writes the table (DuckDB has one writer process), so a copy dropped after
   * each write that revokes (see #revoking) is exact, and a check costs no query (a query per request
   * competed for DuckDB's threads with the query a client was polling for).
   * Loaded on first use.
   */
  #revoked: Promise<ReadonlySet<string>> | undefined;
  /** Each grant's queue of writes (see serialisedTransaction). */
  readonly #grantLocks = new KeyedLock();
  /**
   * Each job row's queue of writes (see #withJobRow): heartbeats, the final write of a run, cancel
   * requests, read flags.
   */
  readonly #jobRows = new KeyedLock();
  /** The jobs by idempotency key and request hash (see JobLookups), loaded on first use. */
  #jobLookups: Promise<JobLookups> | undefined;
  /** DUCKDB_MEMORY_LIMIT (undefined: DuckDB's own), and the bulk loads running (see #withBulkMemory). */
  readonly #memoryLimit: string | undefined;
  /** The limits of the bulk loads running (see #withBulkMemory). */
  readonly #bulkLimits: string[] = [];

  readonly #casualThresholdMinutes: number | undefined;

  constructor(instance: DuckDBInstance, spoolDir: string, memoryLimit: string | undefined, casualThresholdMinutes: number | undefined) {
    const pool = new ConnectionPool(instance);
    super(duckDbPoolDb(pool));
    this.#pool = pool;
    this.#casualThresholdMinutes = casualThresholdMinutes;
    this.#instance = instance;
    this.#memoryLimit = memoryLimit;
    this.#spoolDir = spoolDir;
  }

  async migrate(): Promise<MigrationReport> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((name) => /^\d{4}_.+\.sql$/.test(name)).sort();
    return this.#pool.use(async (connection) => {
      // Two runners creating the bookkeeping table at once: the loser retries until the winner's
      // table is committed, after which `create table if not exists` is a no-op.
      for (let attempt = 0; ; attempt++) {
        try {
          await createMigrationsTable(connection);
          break;
        } catch (error) {
          if (!isTransactionConflict(error) || attempt >= 40) throw error;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      }
      const done = new Set(await selectAppliedMigrations(connection));
      const applied: string[] = [];
      for (const file of files) {
        const id = file.replace(/\.sql$/, '');
        if (done.has(id)) continue;
        const body = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
        if (await applyMigration(connection, id, body)) applied.push(id);
      }
      return { applied, current: await selectAppliedMigrations(connection) };
    });
  }

  async ping(): Promise<void> {
    await this.#pool.use((connection) => connection.run('select 1'));
  }

  poolStats(): PoolStats {
    return this.#pool.stats();
  }

  async close(): Promise<void> {
    this.#pool.close();
    this.#instance.closeSync();
  }

  readonly bulkFileFormat = 'parquet' as const;

  async loadIntoEmptyTables(files: readonly TableRowsFile[], _usageDays: UsageDays): Promise<void> {
    checkBulkFiles(files);
    await this.#withBulkMemory(bulkLoadMemoryLimit(), () => this.#pool.use((connection) => withoutInsertionOrder(connection,
      () => duckDbConnectionDb(connection).transaction(async (db) => {
        await assertTablesEmpty(db, files.map((f) => f.table));
        for (const file of files) checkArrived(file.table, file.rows, await insertParquetFile(db, file));
      }))));
  }

  /**
   * Runs a bulk load under a memory limit of its own instead of DUCKDB_MEMORY_LIMIT: the demo data
   * under DuckDB's own (it keeps its tables in memory), a usage batch under a bounded one it spills
   * beyond (memory-limit.ts). The configured limit comes back when the last load ends.
   * `memory_limit` is one setting of the instance: while loads overlap, the largest of theirs holds,
   * and a query running beside a load may use more too for that time. When the last load ends,
   * what it left is released (#releaseBulkMemory), with or without a configured limit.
   */
  async #withBulkMemory<T>(limit: string, fn: () => Promise<T>): Promise<T> {
    const configured = this.#memoryLimit;
    this.#bulkLimits.push(limit);
    if (configured !== undefined) await this.#setMemoryLimit(largestLimit(this.#bulkLimits));
    try {
      return await fn();
    } finally {
      this.#bulkLimits.splice(this.#bulkLimits.indexOf(limit), 1);
      if (configured !== undefined) {
        await this.#setMemoryLimit(this.#bulkLimits.length === 0 ? configured : largestLimit(this.#bulkLimits)).catch(() => undefined);
      }
      // A checkpoint that meets a write of another connection fails; the next load's end tries again.
      if (this.#bulkLimits.length === 0) await this.#releaseBulkMemory().catch(() => undefined);
    }
  }

  /**
   * After the last bulk load: a checkpoint, which also frees what DuckDB keeps of the loads' dropped
   * staging tables and committed transactions until a later write cleans it up (the soak's figures are
   * in docs/measurements.md).
   */
  #releaseBulkMemory(): Promise<void> {
    return this.#pool.use(async (connection) => {
      await connection.run('checkpoint');
    });
  }

  /** `memory_limit` is one setting of the instance: `set global` changes it for every connection. */
  #setMemoryLimit(limit: string): Promise<void> {
    return this.#pool.use(async (connection) => {
      await connection.run(`set global memory_limit = '${limit.replaceAll("'", "''")}'`);
    });
  }

  /**
   * Staging runs outside the ingest queue: a slow upload holds nothing. The batch is applied in
   * the queue, so no other batch writes usage_records meanwhile (nothing else writes it). Only its
   * writes are one transaction: the temp tables before them are built outside it, because DuckDB
   * keeps tables created in a transaction in its transaction-local storage, and reading them there
   * makes the rating and the insert more than twice as slow (docs/measurements.md).
   */
  applyStagedUsage<T>(chunks: AsyncIterable<StagedUsageChunk>, layout: StagedLayout, apply: (batch: StagedUsageBatch) => Promise<T>): Promise<T> {
    return this.#withBulkMemory(usageBatchMemoryLimit(this.#memoryLimit), () => this.#pool.use(async (connection) => {
      const db = duckDbConnectionDb(connection);
      const stager = new UsageStager(db, this.#spoolDir);
      try {
        await stager.create();
        for await (const chunk of chunks) await stager.append(chunk.bytes, chunk.records);
        await stager.finish(layout);
        const batch = new SqlStagedBatch({
          db, casualThresholdMinutes: this.#casualThresholdMinutes,
          unordered: (fn) => withoutInsertionOrder(connection, fn),
          writeTransaction: (fn) => db.transaction(fn),
          beforeInsert: async () => undefined,
        }, stager.rows);
        const applied = this.#ingestQueue.then(() => apply(batch));
        this.#ingestQueue = applied.catch(() => undefined);
        return await applied;
      } finally {
        await dropIngestTables(db).catch(() => undefined);
        await stager.remove().catch(() => undefined);
      }
    }));
  }

  override async createJob(job: NewJob): Promise<Job> {
    const created = await super.createJob(job);
    // Lookups not loaded yet will read this row; lookups loading now may have read the table
    // before it, so they get it once loaded.
    this.#jobLookups?.then((lookups) => lookups.add(created)).catch(() => undefined);
    return created;
  }

  override findReusableJob(ownerUserId: string, requestHash: string): Promise<Job | undefined> {
    const now = new Date().toISOString();
    return this.#newestCandidate((lookups) => lookups.byRequest(ownerUserId, requestHash),
      (job) => job.ownerUserId === ownerUserId && job.requestHash === requestHash && job.state === 'succeeded' && (job.expiresAt ?? '') > now);
  }

  override findJobByIdempotencyKey(ownerUserId: string, key: string, since: Date): Promise<Job | undefined> {
    const from = since.toISOString();
    return this.#newestCandidate((lookups) => lookups.byIdempotencyKey(ownerUserId, key),
      (job) => job.ownerUserId === ownerUserId && job.idempotencyKey === key && job.createdAt >= from);
  }

  /** Reads the candidate jobs the lookups give by primary key; the newest that passes the test. */
  async #newestCandidate(candidates: (lookups: JobLookups) => readonly string[], test: (job: Job) => boolean): Promise<Job | undefined> {
    const lookups = await this.#loadJobLookups();
    const ids = candidates(lookups);
    if (ids.length === 0) return undefined;
    const jobs = await this.#pool.use(async (connection) => {
      const found: (Job | undefined)[] = [];
      const db = duckDbConnectionDb(connection);
      for (const id of ids) found.push(await jobsSql.selectJob(db, id));
      return found;
    });
    jobs.forEach((job, i) => { if (!job) lookups.remove(ids[i]!); });
    return newestJob(jobs, test);
  }

  #loadJobLookups(): Promise<JobLookups> {
    if (!this.#jobLookups) {
      const loading = jobsSql.selectJobLookupKeys(this.db).then((keys) => new JobLookups(keys));
      this.#jobLookups = loading;
      // A failed load is not kept: the next lookup tries again.
      loading.catch(() => {
        if (this.#jobLookups === loading) this.#jobLookups = undefined;
      });
    }
    return this.#jobLookups;
  }

  completeQueryJob(
    id: string, workerId: string, query: ResultQuery, retentionMs: number, signal: AbortSignal, rowWritten?: Promise<unknown>,
  ): Promise<CompletedQuery> {
    return this.#pool.use(async (connection) => {
      // DuckDB interrupts the statement running on a connection (https://duckdb.org/docs/stable/clients/c/api#duckdb_interrupt).
      const onAbort = () => connection.interrupt();
      if (signal.aborted) throw new QueryInterruptedError(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const finish = async (rows: number) => {
        if (signal.aborted) throw new QueryInterruptedError(signal.reason);
        const now = new Date();
        const expiresAt = new Date(now.getTime() + retentionMs);
        await jobsSql.finishJob(duckDbConnectionDb(connection), id, workerId, query.columns, rows, now, expiresAt);
        return { rowCount: rows, finishedAt: now.toISOString(), expiresAt: expiresAt.toISOString() };
      };
      try {
        return await this.#insertThenFinish(connection, id, query, rowWritten, finish);
      } catch (error) {
        if (signal.aborted) throw new QueryInterruptedError(signal.reason);
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    });
  }

  /**
   * Stores the result by one statement (atomic on its own), then marks the job succeeded by a
   * statement of its own, after every other write of the row (#withJobRow). Not one transaction:
   * on DuckDB 1.5, a transaction that changes a job's row loses that change at its commit when
   * another write of the row (a heartbeat) committed after the transaction began, with no error
   * on either side: a query whose run spanned a heartbeat stayed `running` and was run again by
   * the sweep (the test "heartbeats … never break a success write" shows it). The run of the
   * query, which may take minutes, is the insert; the state change is one small statement. Until
   * it commits no reader looks at the result (the job is not succeeded). Result rows left by a
   * failure here are deleted at once, and those of a crash in between by the sweep that requeues
   * the job (requeueStaleJobs). `rowWritten`: the job's row is still being created by another
   * connection (WorkerReservation); the state change waits for it.
   */
  async #insertThenFinish(
    connection: DuckDBConnection, id: string, query: ResultQuery, rowWritten: Promise<unknown> | undefined,
    finish: (rows: number) => Promise<CompletedQuery>,
  ): Promise<CompletedQuery> {
    let stored = false;
    try {
      const rows = await jobsSql.insertResultRows(duckDbConnectionDb(connection), id, query);
      stored = true;
      await rowWritten;
      return await this.#withJobRow(id, () => finish(rows));
    } catch (error) {
      if (stored) await jobsSql.deleteResultRows(duckDbConnectionDb(connection), [id]).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Runs one write of a job's row after every other write of it in this process has ended, and
   * holds off the next: on DuckDB a write of the row that commits while another is under way may
   * undo it without an error (see #insertThenFinish). DuckDB has one writer process (this one), so
   * a queue in memory orders every write of a running job's row: heartbeats, the run's final write,
   * failures, cancel requests, read flags. The sweep and the claims change rows no worker is
   * writing (stale, queued).
   */
  #withJobRow<T>(id: string, write: () => Promise<T>): Promise<T> {
    return this.#jobRows.run(id, write);
  }

  override heartbeatJob(id: string, workerId: string): Promise<{ readonly cancelRequested: boolean }> {
    return this.#withJobRow(id, () => super.heartbeatJob(id, workerId));
  }

  override failJob(id: string, workerId: string, error: { readonly title: string; readonly detail: string; readonly retry: boolean }): Promise<Job> {
    return this.#withJobRow(id, () => super.failJob(id, workerId, error));
  }

  override requestCancel(id: string): Promise<Job | undefined> {
    return this.#withJobRow(id, () => super.requestCancel(id));
  }

  override markCanceled(id: string, workerId: string, detail: string): Promise<void> {
    return this.#withJobRow(id, () => super.markCanceled(id, workerId, detail));
  }

  override completeExportJob(id: string, workerId: string, files: readonly JobFile[], retentionMs: number): Promise<void> {
    return this.#withJobRow(id, () => super.completeExportJob(id, workerId, files, retentionMs));
  }

  override markJobsRead(ownerUserId: string, ids: readonly string[]): Promise<readonly string[]> {
    return this.#jobRows.runAll(ids, () => super.markJobsRead(ownerUserId, ids));
  }

  override async deleteJob(id: string): Promise<void> {
    await super.deleteJob(id);
    this.#jobLookups?.then((lookups) => lookups.remove(id)).catch(() => undefined);
  }

  protected override async purgeFinishedJobIds(before: Date): Promise<readonly string[]> {
    const ids = await super.purgeFinishedJobIds(before);
    if (ids.length > 0) this.#jobLookups?.then((lookups) => { for (const id of ids) lookups.remove(id); }).catch(() => undefined);
    return ids;
  }

  async *streamRows(query: StreamQuery, signal: AbortSignal): AsyncIterable<unknown[]> {
    // Borrowed for as long as the consumer reads; DuckDB streams the result chunk by chunk, so
    // memory stays bounded whatever the row count.
    const connection = await this.#instance.connect();
    const onAbort = () => connection.interrupt();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await connection.stream(query.sql, [...query.parameters]);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        if (signal.aborted) throw new QueryInterruptedError(signal.reason);
        // Converted a column at a time, then read across: cheaper than the row-wise conversion of
        // `yieldRowsJson` (docs/measurements.md).
        const columns = chunk.convertColumns(JsonDuckDBValueConverter);
        for (let r = 0; r < chunk.rowCount; r++) yield columns.map((column) => column[r]);
      }
    } catch (error) {
      if (signal.aborted) throw new QueryInterruptedError(signal.reason);
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      connection.closeSync();
    }
  }

  copyCsv(query: StreamQuery, columns: readonly string[], textColumns: readonly string[], target: string, signal: AbortSignal): Promise<number> {
    return this.#pool.use(async (connection) => {
      const onAbort = () => connection.interrupt();
      if (signal.aborted) throw new QueryInterruptedError(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await copyQueryToCsv(connection, query, columns, textColumns, target);
      } catch (error) {
        if (signal.aborted) throw new QueryInterruptedError(signal.reason);
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    });
  }

  // --- OAuthStore: what differs --------------------------------------------------------------

  /**
   * The grant's queue in memory, then one transaction of the pool's (which reruns on a write
   * conflict).
   */
  protected serialisedTransaction<T>(key: string, fn: (db: Db) => Promise<T>): Promise<T> {
    // The steps and the revocation of one grant run one after the other: DuckDB's snapshot
    // isolation would let a revocation miss a child token that a concurrent transaction is about
    // to commit, and the database has one writer process (this one), so a queue in memory is enough.
    return this.#grantLocks.run(key, () => this.db.transaction(fn));
  }

  override async isAccessTokenRevoked(jti: string): Promise<boolean> {
    if (!this.#revoked) {
      const loading = selectRevokedAccessTokenIds(this.db).then((ids) => new Set(ids));
      this.#revoked = loading;
      // A failed load is not kept: the next check tries again.
      loading.catch(() => {
        if (this.#revoked === loading) this.#revoked = undefined;
      });
    }
    return (await this.#revoked).has(jti);
  }

  /**
   * A write that may change the revoked ids ended, committed or not: the copy in memory goes, and
   * the next check reads the table again. A check already waiting on an older load got its answer
   * before the write returned, as it would have from the table.
   */
  protected override revokedAccessTokensWritten(): void {
    this.#revoked = undefined;
  }

}

/** The largest of limits written in whole MiB (`512MiB`), as memory-limit.ts writes them. */
function largestLimit(limits: readonly string[]): string {
  return `${Math.max(...limits.map((limit) => Number.parseInt(limit, 10)))}MiB`;
}
