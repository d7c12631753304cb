import type { StagedField, StagedLayout, StagedType, UsageRecordInput } from '../store/index.js';

// The text a usage record is staged as on its way into the store: one JSON array per line, which
// the validation workers write as they check each record, and each backend reads the way it
// stages (DuckDB's JSON reader, PostgreSQL's jsonb) at the places STAGED_LAYOUT gives it.

/** The fields at the head of a staged line: what the validator computed or filled in. */
const HEAD: readonly (readonly [StagedField, StagedType])[] = [
  ['line', 'integer'], ['id', 'text'], ['teamId', 'text'], ['usageDate', 'date'], ['contractYear', 'integer'],
  ['usageAt', 'epoch-ms'], ['productName', 'text'], ['productFeatureCode', 'text'],
];

/**
 * The record's content after the head, in the order of the array its content id hashes (src/ingest
 * validate-record.ts: the category, source and usage type, then the input columns in the order of
 * the record format), so a validation worker writes that array once, for the hash and for the
 * staged line. A null entry is a value the head carries as filled in (the team, product name and
 * feature code as sent, the cloud usage timestamp: the usage instant); it is not read from here.
 * `quantity` is null when absent (0), `chargedItemId` when absent (the id).
 */
const CONTENT_FIELDS: readonly (readonly [StagedField, StagedType] | null)[] = [
  ['usageCategory', 'text'], ['source', 'text'], ['usageType', 'text'], ['contractNumber', 'text'], null,
  ['userName', 'text'], ['userId', 'text'], ['productLineCode', 'text'], ['productVersion', 'text'], null, null,
  ['parentProductName', 'text'], ['sessionStart', 'epoch-ms'], ['sessionEnd', 'epoch-ms'], ['licenseServerTzOffset', 'text'],
  ['machineName', 'text'], ['licenseServerName', 'text'], null, ['hubId', 'text'], ['hubName', 'text'],
  ['jobStatus', 'text'], ['transactionDate', 'epoch-ms'], ['reasonType', 'text'], ['reasonComment', 'text'],
  ['quantity', 'double'], ['tokens', 'double'], ['chargedItemId', 'text'],
  ...Array.from({ length: 10 }, (_, k) => [`customField${k + 1}` as StagedField, 'text'] as const),
];

/**
 * A record's given charge (a Token Flex export's: GivenCharge), after the content
 * of the records that have one: the arrays of other records end before it (read as null).
 */
const GIVEN_CHARGE_FIELDS: readonly (readonly [StagedField, StagedType])[] = [
  ['givenUsageDate', 'date'], ['givenContractYear', 'integer'], ['givenChargeCategory', 'text'], ['givenTokenPool', 'text'],
  ['givenTokensConsumed', 'double'], ['givenUsageMinutes', 'double'], ['givenIsChargedEvent', 'boolean'],
];

/**
 * Each staged field's place in the staged array (from 1, as SQL counts) and how it is read. A
 * record is staged as one JSON array per line: HEAD, then CONTENT_FIELDS, then (records that have
 * one) GIVEN_CHARGE_FIELDS.
 */
export const STAGED_LAYOUT: StagedLayout = Object.freeze(Object.fromEntries(
  [...HEAD, ...CONTENT_FIELDS, ...GIVEN_CHARGE_FIELDS].flatMap((entry, k) => (entry ? [[entry[0], [k + 1, entry[1]] as const]] : [])),
) as Record<StagedField, readonly [number, StagedType]>);

/** How each place of the content array is read off a record, for records that come without it (CSV, tests). */
const CONTENT_OF_RECORD: readonly ((r: UsageRecordInput) => string | number | null)[] = CONTENT_FIELDS.map((entry) => {
  if (entry === null) return () => null;
  const [field] = entry;
  const custom = /^customField(\d+)$/.exec(field);
  if (custom) return (r) => r.customFields[Number(custom[1]) - 1] ?? null;
  if (field === 'chargedItemId') return (r) => (r.chargedItemId === r.id ? null : r.chargedItemId);
  return (r) => r[field as Exclude<StagedField, `customField${string}` | `given${string}`>] ?? null;
});

/**
 * A record as its staged line (no newline). `content`: the JSON text of the record's content array
 * (CONTENT_FIELDS) when the validator made it for the content id; its values are the record's, so it
 * is written as it is (JSON.stringify of the fields cost 4.5 µs a record, a third of a validation
 * worker's time).
 */
export function stagedLine(r: UsageRecordInput, content: string = JSON.stringify(CONTENT_OF_RECORD.map((of) => of(r)))): string {
  // Written by hand: cheaper than JSON.stringify of the head, on the validation workers' hot path.
  const head = `[${r.line},${jsonText(r.id)},${jsonText(r.teamId)},"${r.usageDate}",${r.contractYear},${r.usageAt},`
    + `${jsonText(r.productName)},${jsonText(r.productFeatureCode)},`;
  const c = r.givenCharge;
  if (!c) return `${head}${content.slice(1)}`;
  return `${head}${content.slice(1, -1)},"${c.usageDate}",${c.contractYear},${jsonText(c.chargeCategory)},"${c.tokenPool}",`
    + `${c.tokensConsumed},${c.usageMinutes},${c.isChargedEvent}]`;
}

/** What JSON.stringify writes other than as it is in a string: quote, backslash, C0 controls, surrogates. */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A text or null as JSON, exactly as JSON.stringify writes it. */
function jsonText(text: string | null): string {
  if (text === null) return 'null';
  return ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`;
}
