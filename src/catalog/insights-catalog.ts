import { defineCatalog } from './define.js';
import { SOURCES, USAGE_CATEGORIES, USER_STATUSES } from './types.js';

const isoDate = (expr: string) => ({
  duckdb: `strftime(${expr}, '%Y-%m-%d')`,
  postgres: `to_char(${expr}, 'YYYY-MM-DD')`,
});
/** A date field: formatted text in rows, compared as a DATE. */
const dateField = (expr: string) => ({ sql: isoDate(expr), filterSql: `cast(${expr} as date)` });

/** Insights fields and metrics (spec §4.2). `*` fields of the spec are `filterable: false`. */
export const insightsCatalog = defineCatalog('insights', {
  productName: { type: 'string', description: 'Product (or collection) name.', sql: 'coalesce(r.parent_product_name, r.product_name)' },
  usageDate: { type: 'date', description: 'Day of usage.', ...dateField('r.usage_date') },
  usageMonth: { type: 'date', description: 'First day of the month of usage.', ...dateField("date_trunc('month', r.usage_date)") },
  usageWeek: { type: 'date', description: 'Monday of the ISO week of usage.', ...dateField("date_trunc('week', r.usage_date)") },
  version: { type: 'string', description: 'Major product version, e.g. 2025.', sql: "split_part(r.product_version, '.', 1)" },
  minorVersion: { type: 'string', description: 'Full product version, e.g. 2025.1.', sql: 'r.product_version' },
  childProductName: { type: 'string', description: 'Product used through a collection (null when used directly).', sql: 'case when r.parent_product_name is not null then r.product_name end' },
  tokens: { type: 'number', description: 'Tokens of the usage record.', sql: 'r.tokens_consumed' },
  emailAddress: { type: 'string', description: 'E-mail address of the user.', sql: 'u.email', filterable: false, personal: true, joins: ['users'] },
  firstName: { type: 'string', description: 'First name of the user.', sql: 'u.first_name', filterable: false, personal: true, joins: ['users'] },
  lastName: { type: 'string', description: 'Last name of the user.', sql: 'u.last_name', filterable: false, personal: true, joins: ['users'] },
  userName: { type: 'string', description: 'Login name of the user.', sql: 'u.user_name', filterable: false, personal: true, joins: ['users'] },
  fullName: { type: 'string', description: 'Full name of the user.', sql: 'u.full_name', filterable: false, personal: true, joins: ['users'] },
  profileImage: { type: 'string', description: 'URL of the user\'s profile image.', sql: 'u.profile_image', filterable: false, personal: true, joins: ['users'] },
  userId: { type: 'string', description: 'Identifier of the user.', sql: 'r.user_id' },
  hashedUserId: { type: 'string', description: 'MD5 of the user identifier, for reports without personal data.', sql: 'md5(r.user_id)' },
  isParentProduct: { type: 'boolean', description: 'True when the usage was of a collection rather than one of its products.', sql: 'r.parent_product_name is null' },
  isProductVersioned: { type: 'boolean', description: 'True when the product reports a version.', sql: 'r.product_version is not null' },
  reportingEntityId: { type: 'string', description: 'Reporting entity (the team that owns the usage).', sql: 'r.team_id' },
  contractNumber: { type: 'string', description: 'Contract the usage belongs to.', sql: 'r.contract_number' },
  productLineCode: { type: 'string', description: 'Product line code.', sql: 'r.product_line_code' },
  featureId: { type: 'string', description: 'Licence feature code.', sql: 'r.product_feature_code' },
  source: { type: 'enum', description: 'Licensing model: sus (subscription), ppu (pay per use), flex (tokens).', sql: 'r.source', enumValues: SOURCES },
  contextId: { type: 'string', description: 'Team (context) identifier.', sql: 'r.team_id' },
  teamName: { type: 'string', description: 'Team name.', sql: 't.name', filterable: false, joins: ['teams'] },
  // (ours) The console's Usage report filters on these two (issue 18); Autodesk's report has both filters.
  usageCategory: { type: 'enum', description: 'Usage category of the record (as in Token Flex): DESKTOP_PRODUCT, CLOUD_PRODUCT, CLOUD_SERVICE, MANUAL_ADJUSTMENT, MANUAL_CONSUMPTION.', sql: 'r.usage_category', enumValues: USAGE_CATEGORIES },
  userStatus: { type: 'enum', description: 'Status of the user\'s account: active or inactive.', sql: 'u.status', enumValues: USER_STATUSES, joins: ['users'] },
}, {
  uniqueUsers: { type: 'integer', description: 'Distinct users.', sql: 'count(distinct r.user_id)' },
  uniqueProducts: { type: 'integer', description: 'Distinct products.', sql: 'count(distinct r.product_line_code)' },
  totalUniqueDays: { type: 'integer', description: 'Distinct (user, day) pairs with usage.', sql: "count(distinct r.user_id || '|' || cast(r.usage_date as varchar))" },
  earliestUsageDate: { type: 'date', description: 'First day with usage.', sql: isoDate('min(r.usage_date)') },
  latestUsageDate: { type: 'date', description: 'Last day with usage.', sql: isoDate('max(r.usage_date)') },
  totalTokens: { type: 'number', description: 'Tokens consumed (sum).', sql: 'coalesce(sum(r.tokens_consumed), 0)' },
});
