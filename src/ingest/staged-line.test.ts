import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FIXTURE_CONTRACT, FIXTURE_TEAM, openFixtureStore } from '../../test/helpers/usage-fixture.js';
import type { UsageRecordInput } from '../store/index.js';
import { ingestRecords } from './apply-batch.js';
import { STAGED_LAYOUT, stagedLine } from './staged-line.js';

// Issue 7: records travel into DuckDB as staged lines (staged-line.ts), JSON arrays read back by
// DuckDB's JSON reader. Every field must arrive as it was sent, whatever its text holds.

const AWKWARD = 'quote " backslash \\ tab \t newline \n ünïcödé 😀 \u0001 end';

function record(overrides: Partial<UsageRecordInput>): UsageRecordInput {
  return {
    line: 1, id: 'r1', contractNumber: FIXTURE_CONTRACT, teamId: FIXTURE_TEAM, usageCategory: 'DESKTOP_PRODUCT', source: 'flex',
    userId: null, userName: 'ann', productLineCode: 'ACD', productName: 'AutoCAD', parentProductName: null, productVersion: '2025',
    productFeatureCode: '87140ACD_2025_0F', usageDate: '2025-03-03', contractYear: 1, usageAt: Date.parse('2025-03-03T15:00:00Z'),
    sessionStart: Date.parse('2025-03-03T15:00:00Z'), sessionEnd: Date.parse('2025-03-03T17:00:00Z'), licenseServerTzOffset: '-05:00',
    usageType: 'Normal', machineName: null, licenseServerName: null, hubId: null, hubName: null, jobStatus: null, transactionDate: null,
    reasonType: null, reasonComment: null, chargedItemId: 'r1', tokens: null, quantity: 0,
    customFields: [null, null, null, null, null, null, null, null, null, null], ...overrides,
  };
}

const RECORDS: readonly UsageRecordInput[] = [
  record({
    id: 'desk', chargedItemId: 'session-7', userId: 'UFX2', userName: 'bob', parentProductName: `Collection ${AWKWARD}`,
    machineName: AWKWARD, licenseServerName: 'lic-1', usageType: 'Borrowed',
    customFields: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', AWKWARD],
  }),
  record({
    line: 2, id: 'cloud', chargedItemId: 'cloud', usageCategory: 'CLOUD_SERVICE', productLineCode: 'RENDER', productName: 'Cloud Rendering',
    productVersion: null, productFeatureCode: null, sessionStart: null, sessionEnd: null, licenseServerTzOffset: null, usageType: null,
    usageAt: Date.parse('2025-03-04T10:20:30.456Z'), usageDate: '2025-03-04', hubId: 'hub-1', hubName: AWKWARD, jobStatus: 'Failed', tokens: 2.75,
  }),
  record({
    line: 3, id: 'manual', chargedItemId: 'manual', usageCategory: 'MANUAL_ADJUSTMENT', userName: null, productLineCode: null, productName: null,
    productVersion: null, productFeatureCode: null, sessionStart: null, sessionEnd: null, licenseServerTzOffset: '+05:30', usageType: null,
    usageAt: Date.parse('2025-03-05T00:00:00Z'), transactionDate: Date.parse('2025-03-05T00:00:00Z'), usageDate: '2025-03-05',
    reasonType: 'Refund', reasonComment: AWKWARD, tokens: -12.5, quantity: 1.25, source: 'ppu',
  }),
];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

test('a staged line holds every field of its record in its place, and nothing else', () => {
  const [desk] = RECORDS as [UsageRecordInput];
  const staged = JSON.parse(stagedLine(desk)) as unknown[];
  const places = new Set<number>();
  for (const [field, [index]] of Object.entries(STAGED_LAYOUT)) {
    const custom = /^customField(\d+)$/.exec(field);
    const value = custom ? desk.customFields[Number(custom[1]) - 1] : desk[field as keyof UsageRecordInput];
    assert.deepEqual(staged[index - 1], value, field);
    places.add(index - 1);
  }
  // The places not read hold what the head carries (the team, product name and feature code as sent, the cloud timestamp).
  assert.deepEqual(staged.filter((_, k) => !places.has(k)), [null, null, null, null]);
  // The charged item id is left out when it is the id, and read back as the id.
  assert.equal((JSON.parse(stagedLine(RECORDS[1] as UsageRecordInput)) as unknown[])[(STAGED_LAYOUT.chargedItemId[0]) - 1], null);
});

test('every field of a record of each category is stored as it was staged', async (t) => {
  const store = await openFixtureStore(t, 'duckdb');
  async function* batches(): AsyncIterable<readonly UsageRecordInput[]> {
    yield RECORDS;
  }
  const summary = await ingestRecords(store, batches(), { dryRun: false });
  assert.equal(summary.inserted, RECORDS.length);
  // The batch let DuckDB drop row order for its own statements only: the instance's setting is back.
  for await (const row of store.streamRows({ sql: "select current_setting('preserve_insertion_order')", parameters: [] }, new AbortController().signal)) {
    assert.equal(row[0], true);
  }
  const stored: unknown[][] = [];
  for await (const row of store.streamRows({
    sql: `select id, contract_number, team_id, usage_category, source, user_id, user_name, product_line_code, product_name,
      parent_product_name, product_version, product_feature_code, strftime(usage_date, '%Y-%m-%d'), contract_year,
      strftime(usage_timestamp, '%Y-%m-%dT%H:%M:%S.%gZ'), strftime(session_start, '%Y-%m-%dT%H:%M:%S.%gZ'),
      strftime(session_end, '%Y-%m-%dT%H:%M:%S.%gZ'), license_server_tz_offset, usage_type, machine_name, license_server_name,
      hub_id, hub_name, job_status, strftime(transaction_date, '%Y-%m-%dT%H:%M:%S.%gZ'), reason_type, reason_comment,
      charged_item_id, quantity,
      custom_field_1, custom_field_2, custom_field_3, custom_field_4, custom_field_5,
      custom_field_6, custom_field_7, custom_field_8, custom_field_9, custom_field_10
      from usage_records order by id`,
    parameters: [],
  }, new AbortController().signal)) stored.push(row);
  const expected = [...RECORDS].sort((a, b) => a.id.localeCompare(b.id)).map((r) => [
    r.id, r.contractNumber, r.teamId, r.usageCategory, r.source,
    // A user sent by name only gets the id of the one user with that name; ann has an enrichment value.
    r.userId ?? (r.userName === 'ann' ? 'UFX1' : null), r.userName, r.productLineCode, r.productName,
    r.parentProductName, r.productVersion, r.productFeatureCode, r.usageDate, r.contractYear,
    iso(r.usageAt), iso(r.sessionStart), iso(r.sessionEnd), r.licenseServerTzOffset, r.usageType, r.machineName, r.licenseServerName,
    r.hubId, r.hubName, r.jobStatus, iso(r.transactionDate), r.reasonType, r.reasonComment, r.chargedItemId, r.quantity,
    ...r.customFields.map((value, k) => value ?? (k === 0 && r.userName === 'ann' ? 'Design' : null)),
  ]);
  assert.deepEqual(stored, expected);
});

test('a staged line is the text JSON.stringify writes of its array, whatever its texts hold', () => {
  const [desk] = RECORDS as [UsageRecordInput];
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constantFrom('"', '\\', '\u0000', '\ud800', 'a\u2028b'));
  fc.assert(fc.property(text, text, fc.option(text), fc.option(text), fc.integer({ min: 1, max: 1e9 }), (id, teamId, productName, productFeatureCode, line) => {
    const record = { ...desk, id, teamId, productName, productFeatureCode, line };
    const staged = stagedLine(record);
    const values = JSON.parse(staged) as unknown[];
    assert.equal(staged, JSON.stringify(values));
    assert.deepEqual(values.slice(0, 8), [line, id, teamId, desk.usageDate, desk.contractYear, desk.usageAt, productName, productFeatureCode]);
  }), { numRuns: 500 });
});

test('numbers arrive exactly, however JavaScript writes them', async (t) => {
  const store = await openFixtureStore(t, 'duckdb');
  // (-0 is stored as 0: JSON writes it so.)
  const awkward = [0.1 + 0.2, 1e-7, -1.2345678901234568e-7, 123456789.12345679, 5e-324, 1.7976931348623157e308, 1e21, 42];
  const [manual] = RECORDS.slice(2) as [UsageRecordInput];
  const records = awkward.map((n, k) => ({ ...manual, line: k + 1, id: `n${k}`, chargedItemId: `n${k}`, tokens: n, quantity: -n }));
  async function* batches(): AsyncIterable<readonly UsageRecordInput[]> {
    yield records;
  }
  await ingestRecords(store, batches(), { dryRun: false });
  const stored = new Map<string, readonly [number, number]>();
  for await (const row of store.streamRows({ sql: 'select id, tokens_consumed, quantity from usage_records', parameters: [] }, new AbortController().signal)) {
    stored.set(String(row[0]), [Number(row[1]), Number(row[2])]);
  }
  // A manual record outside Flex keeps its tokens as they were sent (N/A).
  for (const record of records) assert.deepEqual(stored.get(record.id), [record.tokens, record.quantity], record.id);
});
