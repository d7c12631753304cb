import { defineCatalog, type FieldSpec } from './define.js';
import {
  CHARGE_CATEGORIES, JOB_STATUSES, REASON_TYPES, TOKEN_POOLS, USAGE_CATEGORIES, USAGE_TYPES,
} from './types.js';

const DESKTOP = ['DESKTOP_PRODUCT'] as const;
const CLOUD = ['CLOUD_PRODUCT', 'CLOUD_SERVICE'] as const;
const MANUAL = ['MANUAL_ADJUSTMENT', 'MANUAL_CONSUMPTION'] as const;
const RATED = ['DESKTOP_PRODUCT', 'CLOUD_PRODUCT', 'CLOUD_SERVICE'] as const;

// Dates leave the database as 'YYYY-MM-DD' text and timestamps as ISO 8601 UTC text, so both
// backends return byte-identical rows and JSON needs no per-driver conversion.
const isoTimestamp = (column: string) => ({
  sql: {
    duckdb: `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`,
    postgres: `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
  },
  filterSql: column,
});

const customFields: Record<string, FieldSpec> = {};
for (let i = 1; i <= 10; i++) {
  customFields[`customField${i}`] = {
    type: 'string',
    description: `Enrichment value of the user for the contract's enrichment category ${i}.`,
    sql: `r.custom_field_${i}`,
  };
}

/** Token Flex fields and metrics (spec §4.1). */
export const tokenflexCatalog = defineCatalog('tokenflex', {
  productLineCode: { type: 'string', description: 'Product line code, e.g. ACDLT.', sql: 'r.product_line_code' },
  productName: { type: 'string', description: 'Product name.', sql: 'r.product_name' },
  userName: { type: 'string', description: 'Login name of the user.', sql: 'r.user_name', personal: true },
  usageDate: { type: 'date', description: 'Day of usage (the licence server\'s local day).', sql: { duckdb: "strftime(r.usage_date, '%Y-%m-%d')", postgres: "to_char(r.usage_date, 'YYYY-MM-DD')" }, filterSql: 'r.usage_date' },
  usageMonth: { type: 'date', description: 'First day of the month of usage.', sql: { duckdb: "strftime(date_trunc('month', r.usage_date), '%Y-%m-%d')", postgres: "to_char(date_trunc('month', r.usage_date), 'YYYY-MM-DD')" }, filterSql: "cast(date_trunc('month', r.usage_date) as date)" },
  contractYear: { type: 'integer', description: 'Contract year (1 = first year).', sql: 'r.contract_year' },
  usageCategory: { type: 'enum', description: 'Usage category.', sql: 'r.usage_category', enumValues: USAGE_CATEGORIES },
  tokenPool: { type: 'enum', description: 'Token pool charged: CY (contract year) or MY (multi-year).', sql: 'r.token_pool', enumValues: TOKEN_POOLS },
  chargedItemID: { type: 'string', description: 'Identifier of the charged session or transaction.', sql: 'r.charged_item_id', sessionLevel: true },
  ...customFields,
  usageTimestamp: { type: 'datetime', description: 'Time of the usage event (UTC).', ...isoTimestamp('r.usage_timestamp'), sessionLevel: true },
  chargeCategory: { type: 'enum', description: 'How the usage was charged.', sql: 'r.charge_category', enumValues: CHARGE_CATEGORIES, usageCategories: RATED },
  sessionStartDate: { type: 'datetime', description: 'Session start (UTC).', ...isoTimestamp('r.session_start'), sessionLevel: true, usageCategories: DESKTOP },
  sessionEndDate: { type: 'datetime', description: 'Session end (UTC).', ...isoTimestamp('r.session_end'), sessionLevel: true, usageCategories: DESKTOP },
  productVersion: { type: 'string', description: 'Product version, e.g. 2025.', sql: 'r.product_version', usageCategories: DESKTOP },
  productFeatureCode: { type: 'string', description: 'Licence feature code.', sql: 'r.product_feature_code', usageCategories: DESKTOP },
  machineName: { type: 'string', description: 'Machine the session ran on.', sql: 'r.machine_name', usageCategories: DESKTOP, personal: true },
  licenseServerName: { type: 'string', description: 'Licence server that granted the session.', sql: 'r.license_server_name', usageCategories: DESKTOP },
  licenseServerTimeZoneOffset: { type: 'string', description: 'UTC offset of the licence server, e.g. -05:00.', sql: 'r.license_server_tz_offset', freeText: false, sessionLevel: true, usageCategories: DESKTOP },
  usageType: { type: 'enum', description: 'Normal or Borrowed licence.', sql: 'r.usage_type', enumValues: USAGE_TYPES, usageCategories: DESKTOP },
  hubId: { type: 'string', description: 'Cloud hub identifier.', sql: 'r.hub_id', sessionLevel: true, usageCategories: CLOUD },
  hubName: { type: 'string', description: 'Cloud hub name.', sql: 'r.hub_name', sessionLevel: true, usageCategories: CLOUD },
  jobStatus: { type: 'enum', description: 'Outcome of the cloud service job.', sql: 'r.job_status', enumValues: JOB_STATUSES, sessionLevel: true, usageCategories: ['CLOUD_SERVICE'] },
  transactionDate: { type: 'datetime', description: 'Date of the manual transaction (UTC).', ...isoTimestamp('r.transaction_date'), sessionLevel: true, usageCategories: MANUAL },
  reasonType: { type: 'enum', description: 'Reason of the manual adjustment or consumption.', sql: 'r.reason_type', enumValues: REASON_TYPES, usageCategories: MANUAL },
  reasonComment: { type: 'string', description: 'Free-text comment of the manual transaction.', sql: 'r.reason_comment', sessionLevel: true, usageCategories: MANUAL },
}, {
  tokensConsumed: { type: 'number', description: 'Tokens consumed (sum).', sql: 'coalesce(sum(r.tokens_consumed), 0)' },
  usageMinutes: { type: 'number', description: 'Minutes of usage (sum).', sql: 'coalesce(sum(r.usage_minutes), 0)' },
  usageHours: { type: 'number', description: 'Hours of usage (sum of minutes / 60).', sql: 'coalesce(sum(r.usage_minutes), 0) / 60.0' },
  useCount: { type: 'integer', description: 'Number of charged events.', sql: 'count(*) filter (where r.is_charged_event)' },
  uniqueUsers: { type: 'integer', description: 'Distinct users.', sql: 'count(distinct r.user_name)' },
  uniqueProducts: { type: 'integer', description: 'Distinct products.', sql: 'count(distinct r.product_line_code)' },
  quantity: { type: 'number', description: 'Quantity of manual transactions (sum).', sql: 'coalesce(sum(r.quantity), 0)', usageCategories: MANUAL },
});
