import { AppError } from '../../errors.js';
import type { BulkTable } from '../contract/index.js';
import type { Db } from './dialect.js';

/** The tables among `tables` that hold at least one row (names from BULK_TABLES, checked by the caller). */
export async function selectFilledTables(db: Db, tables: readonly BulkTable[]): Promise<string[]> {
  if (tables.length === 0) return [];
  const { rows } = await db.query(
    tables.map((name) => `select '${name}' as name from ${name} having count(*) > 0`).join('\nunion all\n'));
  return rows.map((row) => String(row['name']));
}

/** REQUEST_INVALID naming the filled tables, unless all of `tables` are empty. */
export async function assertTablesEmpty(db: Db, tables: readonly BulkTable[]): Promise<void> {
  const filled = await selectFilledTables(db, tables);
  if (filled.length > 0) {
    throw new AppError('REQUEST_INVALID', `Seeding needs empty tables; these have rows: ${filled.sort().join(', ')}.`);
  }
}

/** A bulk load that did not arrive whole. */
export function checkArrived(table: string, expected: number, arrived: number): void {
  if (arrived !== expected) throw new Error(`bulk load: ${table} had ${expected} rows in its file but ${arrived} arrived`);
}
