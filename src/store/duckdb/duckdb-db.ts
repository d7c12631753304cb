import { ResultReturnType, type DuckDBConnection, type DuckDBResultReader, type DuckDBValue } from '@duckdb/node-api';
import { zonelessUtc, type Db, type DbResult, type QueryOptions } from '../sql/dialect.js';
import { duckDbDialect } from './duckdb-dialect.js';
import type { ConnectionPool } from './connection-pool.js';
import { runPrepared } from './prepared.js';

export { duckDbDialect, zonelessUtc };


/** DuckDB reports a write-write conflict between concurrent transactions with this text. */
export function isDuckDbConflict(error: unknown): boolean {
  return /conflict/i.test(String((error as Error)?.message));
}

/**
 * DuckDB reports a primary-key or unique violation as a "Constraint Error: Duplicate key …"
 * (https://duckdb.org/docs/stable/sql/constraints#primary-key-and-unique-constraint).
 */
export function isDuckDbUniqueViolation(error: unknown): boolean {
  return /Duplicate key/i.test(String((error as Error)?.message));
}

function resultOf(reader: DuckDBResultReader): DbResult {
  // A statement without RETURNING answers one row `{ Count }`: the changed-row count, not rows.
  if (reader.returnType === ResultReturnType.CHANGED_ROWS) return { rows: [], rowCount: reader.rowsChanged };
  const rows = reader.getRowObjectsJson();
  return { rows, rowCount: rows.length };
}

async function runOn(connection: DuckDBConnection, sql: string, values: readonly unknown[], options?: QueryOptions): Promise<DbResult> {
  const reader = options?.prepare
    ? await runPrepared(connection, sql, values as DuckDBValue[])
    : await connection.runAndReadAll(sql, values as DuckDBValue[]);
  return resultOf(reader);
}

async function inTransaction<T>(connection: DuckDBConnection, fn: (db: Db) => Promise<T>): Promise<T> {
  await connection.run('begin transaction');
  try {
    const result = await fn(duckDbConnectionDb(connection));
    await connection.run('commit');
    return result;
  } catch (error) {
    await connection.run('rollback').catch(() => undefined);
    throw error;
  }
}

/** A Db bound to one connection (inside a transaction, or for statements that share a session). */
export function duckDbConnectionDb(connection: DuckDBConnection): Db {
  return {
    dialect: duckDbDialect,
    query: (sql, values = [], options) => runOn(connection, sql, values, options),
    transaction: (fn) => inTransaction(connection, fn),
    isConflict: isDuckDbConflict,
    isUniqueViolation: isDuckDbUniqueViolation,
  };
}

/**
 * Runs `fn` in a transaction. DuckDB's optimistic concurrency fails the second of two transactions
 * that change the same row (https://duckdb.org/docs/stable/connect/concurrency); the whole
 * transaction is then run again (up to 20 times), so writes to one row at the same moment succeed
 * in turn instead of failing.
 */
async function retriedTransaction<T>(pool: ConnectionPool, fn: (db: Db) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await pool.use((connection) => inTransaction(connection, fn));
    } catch (error) {
      if (!isDuckDbConflict(error) || attempt >= 19) throw error;
      // Random backoff, so the writers that collided do not collide again in step.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** Math.min(attempt, 6)));
    }
  }
}

/** A Db over the pool: each statement borrows a connection. */
export function duckDbPoolDb(pool: ConnectionPool): Db {
  return {
    dialect: duckDbDialect,
    query: (sql, values = [], options) => pool.use((connection) => runOn(connection, sql, values, options)),
    transaction: (fn) => retriedTransaction(pool, fn),
    isConflict: isDuckDbConflict,
    isUniqueViolation: isDuckDbUniqueViolation,
  };
}
