import { JOB_STATUSES, REASON_TYPES, SOURCES, USAGE_CATEGORIES, USAGE_TYPES } from '../catalog/index.js';
import type { UsageCategory } from '../catalog/index.js';

/**
 * The usage record format of `POST /admin/v1/usage` and `insights import` (spec §6): one JSON
 * object per NDJSON line, or one CSV row under a header row of the same names. Names are the Token
 * Flex catalogue's where the catalogue has the field (spec §4.1), so an export and an import speak
 * the same words. The charge (chargeCategory, tokenPool, tokensConsumed, contractYear, usageDate,
 * useCount …) is never sent: the service rates every record (src/rating).
 */

/** How a column's text or JSON value is read. */
export type InputColumnType = 'string' | 'enum' | 'datetime' | 'offset' | 'number';

export interface InputColumn {
  readonly name: string;
  readonly type: InputColumnType;
  readonly description: string;
  readonly enumValues?: readonly string[];
  /** The categories whose records may carry the column; any other refuses it. */
  readonly categories: readonly UsageCategory[];
  /** The categories whose records must carry it. */
  readonly requiredFor: readonly UsageCategory[];
}

const ALL = USAGE_CATEGORIES;
const DESKTOP = ['DESKTOP_PRODUCT'] as const;
const CLOUD = ['CLOUD_PRODUCT', 'CLOUD_SERVICE'] as const;
const MANUAL = ['MANUAL_ADJUSTMENT', 'MANUAL_CONSUMPTION'] as const;
const NONE: readonly UsageCategory[] = [];

/** At most this many characters in an id, and in any other text column. */
export const MAX_ID_LENGTH = 200;
export const MAX_TEXT_LENGTH = 1000;

function column(
  name: string, type: InputColumnType, description: string,
  categories: readonly UsageCategory[] = ALL, requiredFor: readonly UsageCategory[] = NONE,
  enumValues?: readonly string[],
): InputColumn {
  return Object.freeze({ name, type, description, categories, requiredFor, ...(enumValues ? { enumValues } : {}) });
}

const customFields = Array.from({ length: 10 }, (_, k) => column(`customField${k + 1}`, 'string',
  `Enrichment value for the contract's category ${k + 1}. Default: the user's value stored for the contract.`));

/** Every column a record may carry, in the order of a CSV template. */
export const INPUT_COLUMNS: readonly InputColumn[] = Object.freeze([
  column('id', 'string', `Stable record id (at most ${MAX_ID_LENGTH} characters). Default: a hash of the record's content, so re-sending a record never counts it twice; send your own id if you may correct a record later.`),
  column('usageCategory', 'enum', 'DESKTOP_PRODUCT (default), CLOUD_PRODUCT, CLOUD_SERVICE, MANUAL_ADJUSTMENT or MANUAL_CONSUMPTION; the legacy names are accepted.', ALL, NONE, USAGE_CATEGORIES),
  column('contractNumber', 'string', 'The Flex contract the usage draws on; it must exist.', ALL, ALL),
  column('teamId', 'string', "The team (Insights context) of the usage; it must exist. Default: the contract's team."),
  column('source', 'enum', 'Licensing model: flex (default), sus (subscription) or ppu; only flex usage costs tokens.', ALL, NONE, SOURCES),
  column('userName', 'string', 'Login name of the user.', ALL, [...DESKTOP, ...CLOUD]),
  column('userId', 'string', 'Id of the user, when known. Default: the user whose userName it is, if exactly one.'),
  column('productLineCode', 'string', 'Product line code, e.g. ACD. Desktop: with productVersion it must name a known product.', ALL, [...DESKTOP, ...CLOUD]),
  column('productVersion', 'string', 'Product version, e.g. 2025.', DESKTOP, DESKTOP),
  column('productName', 'string', "Product name. Desktop: default the product's name.", ALL),
  column('productFeatureCode', 'string', "Licence feature code. Default: the product's.", DESKTOP),
  column('parentProductName', 'string', 'The collection the product was used through, if any.', DESKTOP),
  column('sessionStartDate', 'datetime', 'Session start, ISO 8601 (UTC unless it carries an offset), e.g. 2025-03-04T08:15:00Z.', DESKTOP, DESKTOP),
  column('sessionEndDate', 'datetime', 'Session end, ISO 8601, not before the start.', DESKTOP, DESKTOP),
  column('licenseServerTimeZoneOffset', 'offset', 'UTC offset of the licence server when the usage happened, e.g. -05:00: its local day is the rating day. Cloud and manual records without one are dated in UTC.', ALL, DESKTOP),
  column('usageType', 'enum', 'Normal (default) or Borrowed.', DESKTOP, NONE, USAGE_TYPES),
  column('machineName', 'string', 'Machine the session ran on.', DESKTOP),
  column('licenseServerName', 'string', 'Licence server that granted the session.', DESKTOP),
  column('usageTimestamp', 'datetime', 'When the cloud event happened, ISO 8601.', CLOUD, CLOUD),
  column('hubId', 'string', 'Cloud hub identifier.', CLOUD),
  column('hubName', 'string', 'Cloud hub name.', CLOUD),
  column('jobStatus', 'enum', 'Success or Failed (a failed job is free).', ['CLOUD_SERVICE'], NONE, JOB_STATUSES),
  column('transactionDate', 'datetime', 'When the manual transaction happened, ISO 8601.', MANUAL, MANUAL),
  column('reasonType', 'enum', 'Reason of the manual transaction.', MANUAL, NONE, REASON_TYPES),
  column('reasonComment', 'string', 'Free text of the manual transaction.', MANUAL),
  column('quantity', 'number', 'Quantity of the manual transaction (e.g. days of offline use). Default 0.', MANUAL),
  column('tokens', 'number', 'Tokens of a cloud event (at least 0; required unless the job failed or the source is not flex) or of a manual transaction (negative for a refund or credit).', [...CLOUD, ...MANUAL], MANUAL),
  column('chargedItemID', 'string', 'Identifier of the charged session or transaction. Default: the record id.'),
  ...customFields,
]);

/** Computed by the rating, so a record that carries one is refused with a reason. */
export const COMPUTED_COLUMNS: readonly string[] = Object.freeze([
  'chargeCategory', 'tokenPool', 'tokensConsumed', 'contractYear', 'usageDate', 'usageMonth', 'useCount',
  'isChargedEvent', 'usageMinutes', 'usageHours',
]);

export const INPUT_COLUMNS_BY_NAME: ReadonlyMap<string, InputColumn> = new Map(INPUT_COLUMNS.map((c) => [c.name, c]));

/** The format as Markdown-ish text, for the OpenAPI description of the route. */
export function describeRecordFormat(): string {
  const lines = INPUT_COLUMNS.filter((c) => !/^customField[2-9]|^customField10/.test(c.name)).map((c) => {
    const name = c.name === 'customField1' ? 'customField1 … customField10' : c.name;
    const required = c.requiredFor.length === 0 ? '' : c.requiredFor.length === ALL.length ? ' **Required.**' : ` **Required for ${c.requiredFor.join(', ')}.**`;
    const only = c.categories.length === ALL.length ? '' : ` Only ${c.categories.join(', ')}.`;
    return `- \`${name}\` (${c.type}): ${c.description}${required}${only}`;
  });
  return [
    'One record per NDJSON line (`application/x-ndjson`) or per CSV row under a header row of the same names (`text/csv`, RFC 4180). An empty CSV cell, a JSON null or an empty string is an absent value. Unknown names are refused, and so are the names the rating computes: ' +
      `${COMPUTED_COLUMNS.map((n) => `\`${n}\``).join(', ')}.`,
    '',
    ...lines,
  ].join('\n');
}
