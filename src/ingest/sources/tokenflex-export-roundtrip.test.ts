import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { catalogFor } from '../../catalog/index.js';
import { compileUsageQuery, planUsageQuery } from '../../query/index.js';
import type { Store } from '../../store/index.js';
import { FIXTURE_CONTRACT, openFixtureStore } from '../../../test/helpers/usage-fixture.js';
import { ingestUsage } from '../ingest-usage.js';
import { readTokenflexExport, type TokenflexExportItem, type TokenflexExportRecord } from './tokenflex-export.js';

// The reader's half of issue 20's round trip: what our own Token Flex session-level export writes
// (the export job's query and the store's CSV writer, as src/exports/tokenflex-exports.ts runs
// them) reads back as records that carry every stored charge exactly. (Storing them again, and
// the same answers to the same queries, is the ingestion's half.)

const DESKTOP_FIELDS = [
  'usageMonth', 'usageDate', 'contractYear', 'productName', 'productLineCode', 'productVersion', 'productFeatureCode', 'userName',
  'machineName', 'sessionStartDate', 'sessionEndDate', 'licenseServerTimeZoneOffset', 'chargedItemID', 'chargeCategory',
  'licenseServerName', 'usageType', 'usageCategory', ...Array.from({ length: 10 }, (_, k) => `customField${k + 1}`),
];

async function exportToFile(store: Store, dir: string, name: string, fields: readonly string[], metrics: readonly string[], usageCategories: readonly string[]): Promise<string> {
  const plan = planUsageQuery({
    fields, metrics, where: '', usageCategories, scope: { kind: 'contract', contractNumber: FIXTURE_CONTRACT }, purpose: 'export',
  }, catalogFor('tokenflex'));
  const compiled = compileUsageQuery(plan, store.backend);
  const file = path.join(dir, name);
  const text = plan.fields.filter((field) => field.freeText).map((field) => field.name);
  await store.copyCsv(compiled, compiled.columns.map((c) => c.name), text, file, new AbortController().signal);
  return file;
}

async function readExport(file: string): Promise<TokenflexExportRecord[]> {
  const items: TokenflexExportItem[] = [];
  for await (const chunk of readTokenflexExport(createReadStream(file), path.basename(file), { contractNumber: FIXTURE_CONTRACT })) items.push(...chunk);
  assert.deepEqual(items.filter((i) => i.kind === 'problem'), []);
  return items as TokenflexExportRecord[];
}

async function storedRows(store: Store, sql: string): Promise<string[]> {
  const rows: string[] = [];
  for await (const row of store.streamRows({ sql, parameters: [] }, new AbortController().signal)) rows.push(row.map((v) => (v === null ? '' : String(v))).join(' | '));
  return rows.sort();
}

test('our own session-level Token Flex exports read back as records carrying every stored charge and session exactly', async (t) => {
  const store = await openFixtureStore(t);
  const dir = await mkdtemp(path.join(tmpdir(), 'usage-tfx-roundtrip-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const desktop = (user: string, product: string, start: string, minutes: number, extra: object = {}) => JSON.stringify({
    contractNumber: FIXTURE_CONTRACT, userName: user, productLineCode: product, productVersion: '2025', licenseServerTimeZoneOffset: '-05:00',
    sessionStartDate: start, sessionEndDate: new Date(Date.parse(start) + minutes * 60_000).toISOString(), machineName: `WS-${user}`,
    licenseServerName: 'NYC-LIC01', ...extra,
  });
  const body = [
    desktop('ann', 'ACD', '2025-03-04T14:00:00Z', 105.5),
    desktop('ann', 'RVT', '2025-03-04T16:00:00Z', 60), // INCREMENTAL: a dearer product the same day
    desktop('ann', 'ACD', '2025-03-04T19:00:00Z', 3), // CASUAL
    desktop('bob', 'ACD', '2025-03-05T04:30:00Z', 90, { usageType: 'Borrowed', customField2: 'x, "quoted"' }), // the day before in New York
    desktop('cy', 'RVT', '2025-12-31T23:00:00Z', 240), // runs the year's 20 CY tokens into MY
    JSON.stringify({ usageCategory: 'CLOUD_SERVICE', contractNumber: FIXTURE_CONTRACT, userName: 'ann', productLineCode: 'RENDER', usageTimestamp: '2025-03-04T15:00:00Z', tokens: 3.5, jobStatus: 'Success', hubId: 'h1', hubName: 'Hub, main' }),
    JSON.stringify({ usageCategory: 'MANUAL_ADJUSTMENT', contractNumber: FIXTURE_CONTRACT, transactionDate: '2025-03-10T00:00:00Z', tokens: -4, reasonType: 'REFUND', reasonComment: 'duplicate', quantity: 1 }),
  ].join('\n');
  await ingestUsage(store, [body], { format: 'ndjson', dryRun: false });

  const desktopFile = await exportToFile(store, dir, 'desktop.csv', DESKTOP_FIELDS, ['tokensConsumed', 'usageMinutes', 'usageHours'], ['DESKTOP_PRODUCT']);
  const read = await readExport(desktopFile);
  const fromFile = read.map((r) => [
    r.values.chargedItemID, r.charge.usageDate, r.charge.contractYear, r.values.productName, r.values.productLineCode, r.values.productVersion,
    r.values.productFeatureCode, r.values.userName, r.values.machineName, r.values.sessionStartDate, r.values.sessionEndDate,
    r.values.licenseServerTimeZoneOffset, r.charge.chargeCategory, r.values.licenseServerName, r.values.usageType, r.values.customField1 ?? '',
    r.values.customField2 ?? '', r.charge.tokensConsumed, r.charge.usageMinutes, r.charge.isChargedEvent,
  ].map((v) => String(v)).join(' | ')).sort();
  const iso = (column: string) => (store.backend === 'duckdb' ? `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')` : `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`);
  const day = (column: string) => (store.backend === 'duckdb' ? `strftime(${column}, '%Y-%m-%d')` : `to_char(${column}, 'YYYY-MM-DD')`);
  assert.deepEqual(fromFile, await storedRows(store, `select charged_item_id, ${day('usage_date')}, contract_year, product_name, product_line_code,
      product_version, product_feature_code, user_name, machine_name, ${iso('session_start')}, ${iso('session_end')}, license_server_tz_offset,
      charge_category, license_server_name, usage_type, coalesce(custom_field_1, ''), coalesce(custom_field_2, ''), tokens_consumed, usage_minutes,
      is_charged_event
    from usage_records where usage_category = 'DESKTOP_PRODUCT'`));
  assert.equal(read.length, 5);
  assert.deepEqual(read.map((r) => r.charge.chargeCategory).sort(), ['CASUAL', 'CHARGED', 'CHARGED', 'CHARGED', 'INCREMENTAL']);
  assert.equal(new Set(read.map((r) => r.values.id)).size, 5);

  // Cloud and manual, each its own session-level export with the pool.
  const cloud = await readExport(await exportToFile(store, dir, 'cloud.csv',
    ['usageDate', 'contractYear', 'productLineCode', 'userName', 'usageTimestamp', 'hubId', 'hubName', 'jobStatus', 'chargedItemID', 'chargeCategory', 'tokenPool', 'usageCategory'],
    ['tokensConsumed'], ['CLOUD_SERVICE']));
  assert.deepEqual(cloud.map((r) => [r.values.usageTimestamp, r.values.hubName, r.values.jobStatus, r.values.tokens, r.charge.chargeCategory, r.charge.tokenPool]),
    [['2025-03-04T15:00:00Z', 'Hub, main', 'Success', 3.5, 'CHARGED', 'CY']]);
  const manual = await readExport(await exportToFile(store, dir, 'manual.csv',
    ['usageDate', 'contractYear', 'transactionDate', 'reasonType', 'reasonComment', 'chargedItemID', 'tokenPool', 'usageCategory'],
    ['tokensConsumed', 'quantity'], ['MANUAL_ADJUSTMENT']));
  assert.deepEqual(manual.map((r) => [r.values.transactionDate, r.values.reasonType, r.values.tokens, r.values.quantity, r.charge]), [
    ['2025-03-10T00:00:00Z', 'REFUND', -4, 1, { usageDate: '2025-03-10', contractYear: 1, chargeCategory: 'N/A', tokenPool: 'CY', tokensConsumed: -4, usageMinutes: null, isChargedEvent: false }],
  ]);
});
