import type { PoolClient } from 'pg';
import type { Queryable } from './db.js';

/**
 * Opens a server-side cursor over a query, inside the caller's transaction
 * (https://www.postgresql.org/docs/current/sql-declare.html), so a large result is read in chunks
 * with bounded memory. The name is our own constant.
 */
export async function declareCursor(db: Queryable, name: string, sql: string, parameters: readonly unknown[]): Promise<void> {
  await db.query(`declare ${name} no scroll cursor for ${sql}`, [...parameters]);
}

/** The next `count` rows of a cursor, each an array in column order; empty at the end. */
export async function fetchFromCursor(client: PoolClient, name: string, count: number): Promise<unknown[][]> {
  return (await client.query<unknown[]>({ text: `fetch ${count} from ${name}`, rowMode: 'array' })).rows;
}
