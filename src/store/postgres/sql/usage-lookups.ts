import type { LastUsage, UsageSummaryFilter, UsageSummaryRow, UsageValueColumn } from '../../contract/index.js';
import type { Queryable } from './db.js';

/** Optional `usage_category = any(…)` with the categories as the parameter numbered `index`. */
function categoryFilter(categories: readonly string[] | undefined, index: number): { sql: string; values: string[][] } {
  if (!categories || categories.length === 0) return { sql: '', values: [] };
  return { sql: ` and usage_category = any($${index}::text[])`, values: [[...categories]] };
}

/** Distinct non-empty values of one usage column for a contract; the column comes from a closed union. */
export async function selectUsageValues(
  db: Queryable, contractNumber: string, column: UsageValueColumn, categories: readonly string[] | undefined,
): Promise<string[]> {
  const filter = categoryFilter(categories, 2);
  const result = await db.query(
    `select distinct ${column} as v from usage_records
      where contract_number = $1 and ${column} is not null and ${column} <> ''${filter.sql}
      order by v`,
    [contractNumber, ...filter.values]);
  return result.rows.map((row) => String(row.v));
}

export async function selectEnrichmentCategories(db: Queryable, contractNumber: string): Promise<string[] | undefined> {
  const row = (await db.query('select enrichment_categories from contracts where contract_number = $1', [contractNumber])).rows[0];
  if (!row) return undefined;
  const names = String(row.enrichment_categories ?? '').split('\t');
  return Array.from({ length: 10 }, (_, i) => names[i] ?? '');
}

export async function selectUsageSummary(db: Queryable, contractNumber: string, filter: UsageSummaryFilter): Promise<UsageSummaryRow[]> {
  const conditions: string[] = ['contract_number = $1'];
  const values: unknown[] = [contractNumber];
  if (filter.minUsageMonth) {
    values.push(filter.minUsageMonth);
    conditions.push(`usage_date >= $${values.length}::date`);
  }
  if (filter.maxUsageMonth) {
    values.push(filter.maxUsageMonth);
    // The maximum month is inclusive: every day of it counts.
    conditions.push(`usage_date < $${values.length}::date + interval '1 month'`);
  }
  if (filter.contractYear !== undefined) {
    values.push(filter.contractYear);
    conditions.push(`contract_year = $${values.length}`);
  }
  const categories = categoryFilter(filter.usageCategories, values.length + 1);
  const result = await db.query(
    `select to_char(date_trunc('month', usage_date), 'YYYY-MM-DD') as usage_month, contract_year, usage_category,
            count(distinct user_name)::int as unique_users, coalesce(sum(tokens_consumed), 0) as tokens_consumed
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

export async function selectLastUsage(db: Queryable, contractNumber: string): Promise<LastUsage[]> {
  const result = await db.query(
    `select usage_category, charge_category, to_char(max(usage_date), 'YYYY-MM-DD') as last_usage_date,
            to_char(max(coalesce(processed_at, session_end, usage_timestamp, transaction_date, usage_date::timestamp)), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as last_process_date
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
