import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResultReader, DuckDBValue } from '@duckdb/node-api';

/** Statements kept per connection; beyond this, the least recently prepared one is dropped. */
const MAX_STATEMENTS = 64;

const caches = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();

/**
 * Runs a statement of our own SQL through a prepared statement kept per connection, and reads
 * its whole result. `connection.runAndReadAll(sql, values)` parses, binds and plans the SQL on
 * every call: for the few small statements every query submission runs (job rows, a result
 * page), that was most of their time (docs/measurements.md).
 * Only for SQL texts drawn from a small fixed set: each distinct text takes a slot.
 */
export async function runPrepared(connection: DuckDBConnection, sql: string, values: readonly DuckDBValue[]): Promise<DuckDBResultReader> {
  let cache = caches.get(connection);
  if (!cache) {
    cache = new Map();
    caches.set(connection, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = await connection.prepare(sql);
    if (cache.size >= MAX_STATEMENTS) {
      const [oldestSql, oldest] = cache.entries().next().value as [string, DuckDBPreparedStatement];
      cache.delete(oldestSql);
      oldest.destroySync();
    }
    cache.set(sql, statement);
  }
  statement.bind([...values]);
  return statement.runAndReadAll();
}
