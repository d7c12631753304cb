import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Queryable } from './db.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Serialises bulk loads into one schema for the rest of the transaction. */
export async function lockBulkLoad(db: Queryable): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtextextended('usage-insights:demo-data:' || current_schema(), 0))`);
}

/**
 * Streams a CSV file (header row first) into a table with
 * `COPY … FROM STDIN` (https://www.postgresql.org/docs/current/sql-copy.html). The CSV rules of
 * both databases agree: an unquoted empty cell is NULL and `""` is the empty string, so text,
 * NULLs, shortest round-trip doubles and timestamps arrive exactly as the generator held them.
 */
export async function copyCsvIntoTable(client: PoolClient, table: string, columns: readonly string[], file: string): Promise<number> {
  const stream = client.query(copyFrom(
    `copy ${quote(table)} (${columns.map(quote).join(', ')}) from stdin with (format csv, header true)`));
  await pipeline(createReadStream(file), stream);
  return stream.rowCount;
}

/** Fresh planner statistics after a bulk load. */
export async function analyzeTable(db: Queryable, table: string): Promise<void> {
  await db.query(`analyze ${quote(table)}`);
}
