import type { Db, SqlDialect } from './dialect.js';
import type { LastUsage, UsageSummaryFilter, UsageSummaryRow, UsageValueColumn } from '../contract/index.js';

/** Optional `usage_category` in a list, its parameters numbered from `first`. */
function categoryFilter(d: SqlDialect, categories: readonly string[] | undefined, first: number): { sql: string; values: readonly unknown[] } {
  if (!categories || categories.length === 0) return { sql: '', values: [] };
  const list = d.inList('usage_category', first, categories);
  return { sql: ` and ${list.sql}`, values: list.values };
}

/** Distinct non-empty values of one usage column for a contract; the column comes from a closed union. */
export async function selectUsageValues(
  db: Db, contractNumber: string, column: UsageValueColumn, categories: readonly string[] | undefined,
): Promise<string[]> {
  const filter = categoryFilter(db.dialect, categories, 2);
  const result = await db.query(
    `select distinct ${column} as v from usage_records
      where contract_number = $1 and ${column} is not null and ${column} <> ''${filter.sql}
      order by v`,
    [contractNumber, ...filter.values]);
  return result.rows.map((row) => String(row.v));
}

export async function selectEnrichmentCategories(db: Db, contractNumber: string): Promise<string[] | undefined> {
  const result = await db.query('select enrichment_categories from contracts where contract_number = $1', [contractNumber]);
  const row = result.rows[0];
  if (!row) return undefined;
  const names = String(row.enrichment_categories ?? '').split('\t');
  return Array.from({ length: 10 }, (_, i) => names[i] ?? '');
}

export async function selectUsageSummary(db: Db, contractNumber: string, filter: UsageSummaryFilter): Promise<UsageSummaryRow[]> {
  const conditions: string[] = ['contract_number = $1'];
  const values: unknown[] = [contractNumber];
  if (filter.minUsageMonth) {
    values.push(filter.minUsageMonth);
    conditions.push(`usage_date >= cast($${values.length} as date)`);
  }
  if (filter.maxUsageMonth) {
    values.push(filter.maxUsageMonth);
    // The maximum month is inclusive: every day of it counts.
    conditions.push(`usage_date < cast($${values.length} as date) + interval '1 month'`);
  }
  if (filter.contractYear !== undefined) {
    values.push(filter.contractYear);
    conditions.push(`contract_year = $${values.length}`);
  }
  const categories = categoryFilter(db.dialect, filter.usageCategories, values.length + 1);
  const result = await db.query(
    `select ${db.dialect.isoDate("date_trunc('month', usage_date)")} as usage_month, contract_year, usage_category,
            cast(count(distinct user_name) as integer) as unique_users, coalesce(sum(tokens_consumed), 0) as tokens_consumed
       from usage_records
      where ${conditions.join(' and ')}${categories.sql}
      group by 1, 2, 3 order by 1, 2, 3`,
    [...values, ...categories.values]);
  return result.rows.map((row) => Object.freeze({
    usageMonth: String(row.usage_month),
    contractYear: Number(row.contract_year),
    usageCategory: String(row.usage_category),
    uniqueUsers: Number(row.unique_users),
    tokensConsumed: Math.round(Number(row.tokens_consumed) * 100) / 100,
  }));
}

export async function selectLastUsage(db: Db, contractNumber: string): Promise<LastUsage[]> {
  const result = await db.query(
    `select usage_category, charge_category, ${db.dialect.isoDate('max(usage_date)')} as last_usage_date,
            ${db.dialect.isoSeconds('max(coalesce(processed_at, session_end, usage_timestamp, transaction_date, cast(usage_date as timestamp)))')} as last_process_date
       from usage_records where contract_number = $1
      group by 1, 2 order by 1, 2`,
    [contractNumber]);
  return result.rows.map((row) => Object.freeze({
    usageCategory: String(row.usage_category),
    chargeCategory: String(row.charge_category),
    lastUsageDate: String(row.last_usage_date),
    lastProcessDate: String(row.last_process_date),
  }));
}
