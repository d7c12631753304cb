import { CHARGE_CATEGORIES } from '../catalog/index.js';

/**
 * SQL shared by the seed and the DuckDB store's ingestion around the rating (duckdb-sql-rating.ts):
 * the seed's text layout of the sessions it generates, and the decoding of rated charges, which
 * the rating writes as codes and numbers. (Until 2026-12 the sessions went to the TypeScript
 * engine as JSON text and the charges came back through an appender: 10 s of a 1M-record batch.)
 */

/** The columns, all text, of the seed's session layout besides `k`: see `ratingInputColumns`. */
const SESSION_FIELDS = [
  'id', 'contract_number', 'user_name', 'usage_category', 'source', 'product_line_code', 'product_version',
  'session_start', 'session_end', 'license_server_tz_offset', 'usage_type', 'usage_timestamp', 'transaction_date',
  'tokens', 'job_status',
] as const;

export type RatingInputColumn = (typeof SESSION_FIELDS)[number];

/** SQL of an instant as the seed's session layout holds it: ISO 8601, milliseconds, UTC. */
export function ratingInstantSql(expression: string): string {
  return `strftime(${expression}, '%Y-%m-%dT%H:%M:%S.%gZ')`;
}

/**
 * The select list of the session fields of a rating input table (everything but `k`), from SQL
 * expressions by field (our own SQL, never request text). A null `user_name` (manual records)
 * becomes '', as the rating expects.
 */
export function ratingInputColumns(expressions: Readonly<Record<RatingInputColumn, string>>): string {
  return SESSION_FIELDS.map((field) => {
    const sql = expressions[field];
    return field === 'user_name' ? `coalesce(cast(${sql} as varchar), '') as user_name` : `cast(${sql} as varchar) as ${field}`;
  }).join(', ');
}

/** SQL of the decoded columns of a rated charges table (`rerate_charges`, seed_charges) aliased `alias`. */
export function ratedChargeSql(alias: string): Readonly<Record<'usageDate' | 'contractYear' | 'chargeCategory' | 'tokenPool' | 'tokensConsumed' | 'isChargedEvent' | 'usageMinutes', string>> {
  return {
    usageDate: `(date '1970-01-01' + ${alias}.usage_day)`,
    contractYear: `${alias}.contract_year`,
    chargeCategory: `([${CHARGE_CATEGORIES.map((c) => `'${c}'`).join(', ')}])[${alias}.charge + 1]`,
    tokenPool: `case when ${alias}.my then 'MY' else 'CY' end`,
    tokensConsumed: `${alias}.tokens`,
    isChargedEvent: `${alias}.charged`,
    usageMinutes: `${alias}.minutes`,
  };
}
