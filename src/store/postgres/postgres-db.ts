import type pg from 'pg';
import type { Db, DbResult, SqlDialect } from '../sql/dialect.js';
import { isoMs, isoSeconds, sqlState, type Queryable } from './sql/db.js';

/**
 * A JSON array (as text) of the expressions. json_build_array takes at most 100 arguments
 * (FUNC_MAX_ARGS, https://www.postgresql.org/docs/current/limits.html), so a wider row is built in
 * chunks joined as jsonb.
 */
function jsonArrayText(expressions: readonly string[]): string {
  const chunks: string[] = [];
  for (let i = 0; i < expressions.length; i += 90) chunks.push(`json_build_array(${expressions.slice(i, i + 90).join(', ')})`);
  if (chunks.length === 0) return `'[]'`;
  if (chunks.length === 1) return `${chunks[0]}::text`;
  return `(${chunks.map((c) => `${c}::jsonb`).join(' || ')})::text`;
}

/** A PostgreSQL array literal of text values: every element double-quoted, `"` and `\` escaped. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

export const postgresDialect: SqlDialect = Object.freeze({
  name: 'postgres',
  timestamp: (placeholder: string) => `${placeholder}::timestamptz`,
  timestampValue: (date: Date) => date.toISOString(),
  isoMs,
  isoSeconds,
  // Under the "C" collation lower() folds ASCII only; the database's own collation folds Unicode
  // (https://www.postgresql.org/docs/current/collation.html).
  caseFold: (expression: string) => `lower(${expression} collate "default")`,
  isoDate: (expression: string) => `to_char(${expression}, 'YYYY-MM-DD')`,
  // One parameter, whatever the list's length: the array as its literal text, cast (a COPY inlines
  // parameters as literals, so they stay scalars).
  inTextList: (column: string, values: readonly string[], bind: (value: string) => string) =>
    `${column} = any(${bind(arrayLiteral(values))}::text[])`,
  // One array parameter, whatever the list's length (lists here are of text ids and kinds).
  inList: (column: string, first: number, values: readonly unknown[]) => ({ sql: `${column} = any($${first}::text[])`, values: [[...values]] }),
  addSeconds: (time: string, seconds: string) => `${time} + make_interval(secs => ${seconds})`,
  jsonArrayText,
  // https://www.postgresql.org/docs/current/sql-select.html#SQL-FOR-UPDATE-SHARE
  skipLocked: 'for update skip locked',
  // extract(epoch …) is numeric (PostgreSQL 14+), so the milliseconds are exact.
  epochMs: (expression: string) => `cast(extract(epoch from ${expression}) * 1000 as bigint)`,
  // Ids compare as bytes, as DuckDB compares them and as every text column of the schema is declared.
  textType: 'text collate "C"',
} as const);

/** serialization_failure (40001) and deadlock_detected (40P01): a concurrent writer won. */
export function isPostgresConflict(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40001' || state === '40P01';
}

type Client = Queryable;

async function runOn(client: Client, sql: string, values: readonly unknown[]): Promise<DbResult> {
  const result = await client.query(sql, values as unknown[]);
  return { rows: result.rows as DbResult['rows'], rowCount: result.rowCount ?? result.rows.length };
}

/** A Db bound to one checked-out connection (or, for single statements, the pool). */
export function postgresClientDb(client: Queryable): Db {
  const db: Db = {
    dialect: postgresDialect,
    query: (sql, values = []) => runOn(client, sql, values),
    transaction: async (fn) => {
      await client.query('begin');
      try {
        const result = await fn(db);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      }
    },
    isConflict: isPostgresConflict,
    isUniqueViolation: (error: unknown) => sqlState(error) === '23505',
  };
  return db;
}

/** A Db over the pool: each statement takes any connection; a transaction holds one. */
export function postgresPoolDb(pool: pg.Pool): Db {
  return {
    dialect: postgresDialect,
    query: (sql, values = []) => runOn(pool, sql, values),
    transaction: (fn) => withClient(pool, (client) => postgresClientDb(client).transaction(fn)),
    isConflict: isPostgresConflict,
    isUniqueViolation: (error: unknown) => sqlState(error) === '23505',
  };
}

/**
 * Runs `fn` on one checked-out connection (for statements that must share a session). One that
 * `fn` left by throwing (inside a failed transaction, with an open cursor) is destroyed, not reused.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  return fn(client).then(
    (result) => { client.release(); return result; },
    (error: unknown) => { client.release(true); throw error; },
  );
}
