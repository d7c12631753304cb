import type { DuckDBConnection } from '@duckdb/node-api';
import type { LastUsage, UsageSummaryFilter, UsageSummaryRow, UsageValueColumn } from '../../contract/index.js';

/** Optional `r.usage_category in (…)` with parameters numbered from `first`. */
function categoryFilter(categories: readonly string[] | undefined, first: number): { sql: string; values: string[] } {
  if (!categories || categories.length === 0) return { sql: '', values: [] };
  return { sql: ` and usage_category in (${categories.map((_, i) => `$${first + i}`).join(', ')})`, values: [...categories] };
}

/** Distinct non-empty values of one usage column for a contract; the column comes from a closed union. */
export async function selectUsageValues(
  connection: DuckDBConnection, contractNumber: string, column: UsageValueColumn, categories: readonly string[] | undefined,
): Promise<string[]> {
  const filter = categoryFilter(categories, 2);
  const reader = await connection.runAndReadAll(
    `select distinct ${column} as v from usage_records
      where contract_number = $1 and ${column} is not null and ${column} <> ''${filter.sql}
      order by v`,
    [contractNumber, ...filter.values]);
  return reader.getRowsJson().map((row) => String(row[0]));
}

export async function selectEnrichmentCategories(connection: DuckDBConnection, contractNumber: string): Promise<string[] | undefined> {
  const reader = await connection.runAndReadAll('select enrichment_categories from contracts where contract_number = $1', [contractNumber]);
  const row = reader.getRowsJson()[0];
  if (!row) return undefined;
  const names = String(row[0] ?? '').split('\t');
  return Array.from({ length: 10 }, (_, i) => names[i] ?? '');
}

export async function selectUsageSummary(connection: DuckDBConnection, contractNumber: string, filter: UsageSummaryFilter): Promise<UsageSummaryRow[]> {
  const conditions: string[] = ['contract_number = $1'];
  const values: (string | number)[] = [contractNumber];
  if (filter.minUsageMonth) {
    values.push(filter.minUsageMonth);
    conditions.push(`usage_date >= cast($${values.length} as date)`);
  }
  if (filter.maxUsageMonth) {
    values.push(filter.maxUsageMonth);
    // The maximum month is inclusive: every day of it counts.
    conditions.push(`usage_date < cast($${values.length} as date) + interval 1 month`);
  }
  if (filter.contractYear !== undefined) {
    values.push(filter.contractYear);
    conditions.push(`contract_year = $${values.length}`);
  }
  const categories = categoryFilter(filter.usageCategories, values.length + 1);
  const reader = await connection.runAndReadAll(
    `select strftime(date_trunc('month', usage_date), '%Y-%m-%d') as usage_month, contract_year, usage_category,
            cast(count(distinct user_name) as integer) as unique_users, coalesce(sum(tokens_consumed), 0) as tokens_consumed
       from usage_records
      where ${conditions.join(' and ')}${categories.sql}
      group by 1, 2, 3 order by 1, 2, 3`,
    [...values, ...categories.values]);
  return reader.getRowObjectsJson().map((row) => Object.freeze({
    usageMonth: String(row.usage_month),
    contractYear: Number(row.contract_year),
    usageCategory: String(row.usage_category),
    uniqueUsers: Number(row.unique_users),
    tokensConsumed: Math.round(Number(row.tokens_consumed) * 100) / 100,
  }));
}

export async function selectLastUsage(connection: DuckDBConnection, contractNumber: string): Promise<LastUsage[]> {
  const reader = await connection.runAndReadAll(
    `select usage_category, charge_category, strftime(max(usage_date), '%Y-%m-%d') as last_usage_date,
            strftime(max(coalesce(processed_at, session_end, usage_timestamp, transaction_date, cast(usage_date as timestamp))), '%Y-%m-%dT%H:%M:%SZ') as last_process_date
       from usage_records where contract_number = $1
      group by 1, 2 order by 1, 2`,
    [contractNumber]);
  return reader.getRowObjectsJson().map((row) => Object.freeze({
    usageCategory: String(row.usage_category),
    chargeCategory: String(row.charge_category),
    lastUsageDate: String(row.last_usage_date),
    lastProcessDate: String(row.last_process_date),
  }));
}
