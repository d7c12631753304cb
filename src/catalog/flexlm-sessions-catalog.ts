import { defineCatalog } from './define.js';

const isoTimestamp = (column: string) => ({
  sql: {
    duckdb: `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`,
    postgres: `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
  },
  filterSql: column,
});

const DESKTOP = ['DESKTOP_PRODUCT'] as const;
const SESSION_ENDS = ['checkin', 'inactive', 'server-stop', 'log-end'] as const;

/**
 * The desktop sessions with what a FlexNet debug log says of them (issue 20, docs/sources.md): the
 * licences each held and how it ended, which the Token Flex catalogue (spec §4.1, exactly
 * Autodesk's fields) has no room for. Queried the Token Flex way (POST
 * /tokenflex/v1/sessions/:contract/query); sessions not read from a log have null for both. The
 * session's start and end are fields like any other here (the answer is inline, at most
 * MAX_DENIAL_ROWS rows), so a query can list sessions one by one, or filter on them.
 */
export const flexlmSessionsCatalog = defineCatalog('tokenflex', {
  usageDate: {
    type: 'date', description: 'Day of the session (the licence server\'s local day).',
    sql: { duckdb: "strftime(r.usage_date, '%Y-%m-%d')", postgres: "to_char(r.usage_date, 'YYYY-MM-DD')" }, filterSql: 'r.usage_date',
  },
  contractYear: { type: 'integer', description: 'Contract year (1 = first year).', sql: 'r.contract_year' },
  productLineCode: { type: 'string', description: 'Product line code, e.g. ACD.', sql: 'r.product_line_code' },
  productName: { type: 'string', description: 'Product name.', sql: 'r.product_name' },
  productVersion: { type: 'string', description: 'Product version, e.g. 2025.', sql: 'r.product_version', usageCategories: DESKTOP },
  productFeatureCode: { type: 'string', description: 'Licence feature code.', sql: 'r.product_feature_code', usageCategories: DESKTOP },
  userName: { type: 'string', description: 'Login name of the user.', sql: 'r.user_name', personal: true },
  machineName: { type: 'string', description: 'Machine the session ran on.', sql: 'r.machine_name', usageCategories: DESKTOP, personal: true },
  licenseServerName: { type: 'string', description: 'Licence server that granted the session.', sql: 'r.license_server_name', usageCategories: DESKTOP },
  sessionStartDate: { type: 'datetime', description: 'Session start (UTC).', ...isoTimestamp('r.session_start'), usageCategories: DESKTOP },
  sessionEndDate: { type: 'datetime', description: 'Session end (UTC).', ...isoTimestamp('r.session_end'), usageCategories: DESKTOP },
  sessionLicenses: {
    type: 'integer', description: 'Licences the session held: the log\'s `(n licenses)`, else 1; null for a session not read from a FlexNet log.',
    sql: 'r.licenses', usageCategories: DESKTOP,
  },
  sessionEndedBy: {
    type: 'enum', description: 'How the session ended: checkin, inactive (the server took back an idle licence), server-stop (a stop or restart ' +
      'cut it) or log-end (still open when its log ended: provisional, moved when the log holding its check-in is imported); null for a ' +
      'session not read from a FlexNet log.',
    sql: 'r.session_ended_by', enumValues: SESSION_ENDS, usageCategories: DESKTOP,
  },
}, {
  sessions: { type: 'integer', description: 'Number of sessions.', sql: 'count(*)', usageCategories: DESKTOP },
  usageMinutes: { type: 'number', description: 'Minutes of the sessions (sum).', sql: 'coalesce(sum(r.usage_minutes), 0)', usageCategories: DESKTOP },
  licenseMinutes: {
    type: 'number', description: 'Minutes of the sessions times the licences each held (sum; 1 for a session not read from a log).',
    sql: 'coalesce(sum(r.usage_minutes * coalesce(r.licenses, 1)), 0)', usageCategories: DESKTOP,
  },
  uniqueUsers: { type: 'integer', description: 'Distinct users.', sql: 'count(distinct r.user_name)', usageCategories: DESKTOP },
}, 'usage_records');
