import { defineCatalog } from './define.js';

const isoTimestamp = (column: string) => ({
  sql: {
    duckdb: `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`,
    postgres: `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
  },
  filterSql: column,
});
const day = (column: string) => ({
  sql: { duckdb: `strftime(${column}, '%Y-%m-%d')`, postgres: `to_char(${column}, 'YYYY-MM-DD')` },
  filterSql: column,
});

/**
 * The FlexNet denials (`DENIED:` lines of a licence server's debug log, issue 20), queried the Token
 * Flex way: fields to group by, metrics to sum (POST /tokenflex/v1/denials/:contract/query).
 */
export const denialsCatalog = defineCatalog('tokenflex', {
  usageDate: { type: 'date', description: 'Day of the denial (the licence server\'s local day).', ...day('r.usage_date') },
  usageMonth: {
    type: 'date', description: 'First day of the month of the denial.',
    sql: { duckdb: "strftime(date_trunc('month', r.usage_date), '%Y-%m-%d')", postgres: "to_char(date_trunc('month', r.usage_date), 'YYYY-MM-DD')" },
    filterSql: "cast(date_trunc('month', r.usage_date) as date)",
  },
  usageHour: {
    type: 'datetime', description: 'Hour of the denial (UTC), e.g. 2025-03-03T15:00:00Z.',
    sql: { duckdb: "strftime(date_trunc('hour', r.denied_at), '%Y-%m-%dT%H:%M:%SZ')", postgres: "to_char(date_trunc('hour', r.denied_at), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')" },
    filterSql: "date_trunc('hour', r.denied_at)",
  },
  contractYear: { type: 'integer', description: 'Contract year (1 = first year).', sql: 'r.contract_year' },
  productLineCode: { type: 'string', description: 'Product line code, e.g. ACD.', sql: 'r.product_line_code' },
  productName: { type: 'string', description: 'Product name.', sql: 'r.product_name' },
  productVersion: { type: 'string', description: 'Product version, e.g. 2025.', sql: 'r.product_version' },
  productFeatureCode: { type: 'string', description: 'Licence feature code asked for.', sql: 'r.product_feature_code' },
  userName: { type: 'string', description: 'Login name of the user refused.', sql: 'r.user_name', personal: true },
  machineName: { type: 'string', description: 'Machine the request came from.', sql: 'r.machine_name', personal: true },
  licenseServerName: { type: 'string', description: 'Licence server that refused it.', sql: 'r.license_server_name' },
  reason: { type: 'string', description: 'Why the server refused it, e.g. "Licensed number of users already reached."', sql: 'r.reason' },
  reasonCode: { type: 'string', description: 'FlexNet error code, e.g. -4,342.', sql: 'r.reason_code', freeText: false },
  deniedAt: { type: 'datetime', description: 'Time of the denial (UTC).', ...isoTimestamp('r.denied_at'), sessionLevel: true },
}, {
  denials: { type: 'integer', description: 'Number of denials.', sql: 'count(*)' },
  deniedLicenses: { type: 'integer', description: 'Licences asked for by the denied requests (sum).', sql: 'coalesce(sum(r.licenses), 0)' },
  uniqueUsers: { type: 'integer', description: 'Distinct users refused.', sql: 'count(distinct r.user_name)' },
  uniqueProducts: { type: 'integer', description: 'Distinct products refused.', sql: 'count(distinct r.product_line_code)' },
}, 'license_denials');
