import type { Queryable } from './db.js';

/**
 * Serialises partition changes for the rest of the transaction: two processes adding the same
 * month at once would otherwise race on the catalogue (`if not exists` is not atomic).
 */
export async function lockPartitionChanges(db: Queryable): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtextextended('usage-insights:partitions:' || current_schema(), 0))`);
}

/** The first day of every month from `from`'s to `to`'s (YYYY-MM-DD, inclusive), as YYYY-MM-01. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  const lastYear = Number(to.slice(0, 4));
  const lastMonth = Number(to.slice(5, 7));
  while (year < lastYear || (year === lastYear && month <= lastMonth)) {
    months.push(`${year}-${String(month).padStart(2, '0')}-01`);
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return months;
}

/**
 * Adds the partition of one month to `usage_records` unless it exists (declarative partitioning,
 * https://www.postgresql.org/docs/current/ddl-partitioning.html). The month must have no rows in
 * the default partition yet, so call this before loading the month's records. `month` is a
 * checked YYYY-MM-01, the only text spliced in besides our own.
 */
export async function createUsagePartition(db: Queryable, month: string): Promise<void> {
  if (!/^\d{4}-\d{2}-01$/.test(month)) throw new Error(`not the first day of a month: ${month}`);
  const year = Number(month.slice(0, 4));
  const next = Number(month.slice(5, 7)) === 12 ? `${year + 1}-01-01` : `${year}-${String(Number(month.slice(5, 7)) + 1).padStart(2, '0')}-01`;
  await db.query(
    `create table if not exists usage_records_p${month.slice(0, 4)}${month.slice(5, 7)}
       partition of usage_records for values from ('${month}') to ('${next}')`);
}

/**
 * The months among `months` (YYYY-MM-01) that have no partition yet. Checked first because adding
 * a partition locks the whole partitioned table, which should happen only for a new month.
 */
export async function selectMissingPartitions(db: Queryable, months: readonly string[]): Promise<string[]> {
  if (months.length === 0) return [];
  const result = await db.query(
    `select m from unnest($1::text[]) m
      where to_regclass(format('%I', 'usage_records_p' || substr(m, 1, 4) || substr(m, 6, 2))) is null
      order by m`,
    [[...months]]);
  return result.rows.map((row) => String(row.m));
}
