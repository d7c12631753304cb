// The columns of license_denials an ingested batch writes, and how many denials one insert
// statement takes: one list for both backends' ingestion (duckdb/ and postgres/sql/usage-ingest.ts).

export const DENIAL_COLUMNS = [
  'id', 'contract_number', 'team_id', 'license_server_name', 'license_server_tz_offset', 'product_feature_code', 'product_line_code',
  'product_version', 'product_name', 'user_name', 'machine_name', 'licenses', 'denied_at', 'usage_date', 'contract_year', 'reason',
  'reason_code', 'processed_at',
] as const;
export const DENIALS_PER_STATEMENT = 200;

/**
 * The `values` rows of an insert of `count` denials, in DENIAL_COLUMNS order: `$1`, `$2`, … with
 * the timestamp and date columns cast the backend's way (`cast`).
 */
export function denialValueRows(count: number, cast: (placeholder: string, type: 'timestamp' | 'date') => string): string {
  const width = DENIAL_COLUMNS.length;
  return Array.from({ length: count }, (_, i) => `(${DENIAL_COLUMNS.map((column, j) => {
    const p = `$${i * width + j + 1}`;
    return column === 'denied_at' || column === 'processed_at' ? cast(p, 'timestamp') : column === 'usage_date' ? cast(p, 'date') : p;
  }).join(', ')})`).join(', ');
}
