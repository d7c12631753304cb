import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Queryable } from './db.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Serialises demo-data loads into one schema for the rest of the transaction. */
export async function lockDemoData(db: Queryable): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtextextended('usage-insights:demo-data:' || current_schema(), 0))`);
}

/** The tables among `tables` that hold at least one row. Names are our own (checked: [a-z0-9_]). */
export async function selectFilledTables(db: Queryable, tables: readonly string[]): Promise<string[]> {
  if (tables.length === 0) return [];
  for (const name of tables) if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected table name ${name}`);
  const result = await db.query(
    tables.map((name) => `select '${name}'::text as name from ${name} having count(*) > 0`).join('\nunion all\n'));
  return result.rows.map((row) => String(row.name));
}

/**
 * Streams a CSV file (header row first, as DuckDB's COPY writes it) into a table with
 * `COPY … FROM STDIN` (https://www.postgresql.org/docs/current/sql-copy.html). The CSV rules of
 * both databases agree: an unquoted empty cell is NULL and `""` is the empty string, so text,
 * NULLs, shortest round-trip doubles and timestamps arrive exactly as DuckDB held them.
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
