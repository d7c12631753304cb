import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { catalogFor } from '../catalog/index.js';
import { readTokenflexExport, ingestUsage, type TokenflexExportRecord } from '../ingest/index.js';
import { compileUsageQuery, planUsageQuery } from '../query/index.js';
import type { Store } from '../store/index.js';
import { requirePostgres } from '../../test/helpers/databases.js';
import { FIXTURE_CONTRACT, openFixtureStore } from '../../test/helpers/usage-fixture.js';

// Issue 22 ("Seed 002's session CSV keeps its values") and issue 19 item 12: seed 002's desktop
// session-level export, written by the database's own CSV writer as the export job does, keeps
// every typed value as stored (licenseServerTimeZoneOffset `-05:00`, not `'-05:00`) and
// neutralises the free text a spreadsheet would run, fullwidth and whitespace-led forms included.

// Seed 002's "desktop session level export with all available fields", in its order.
const SEED_002_FIELDS = [
  'usageMonth', 'usageDate', 'contractYear', 'productName', 'productLineCode', 'productVersion', 'productFeatureCode', 'userName',
  'machineName', 'sessionStartDate', 'sessionEndDate', 'licenseServerTimeZoneOffset', 'chargedItemID', 'chargeCategory',
  'licenseServerName', 'usageType', 'usageCategory', ...Array.from({ length: 10 }, (_, k) => `customField${k + 1}`),
];
const SEED_002_METRICS = ['tokensConsumed', 'usageMinutes', 'usageHours'];

const HOSTILE = {
  machineName: '＝HYPERLINK("http://evil")',
  licenseServerName: ' \n=cmd|calc',
  customField3: '-2+3',
  customField4: '\t@SUM(A1)',
};

async function exportSessions(store: Store, dir: string): Promise<string> {
  const plan = planUsageQuery({
    fields: SEED_002_FIELDS, metrics: SEED_002_METRICS, where: '', usageCategories: ['DESKTOP_PRODUCT'],
    scope: { kind: 'contract', contractNumber: FIXTURE_CONTRACT }, purpose: 'export',
  }, catalogFor('tokenflex'));
  const compiled = compileUsageQuery(plan, store.backend);
  const file = path.join(dir, `${store.backend}.csv`);
  const text = plan.fields.filter((field) => field.freeText).map((field) => field.name);
  await store.copyCsv(compiled, compiled.columns.map((c) => c.name), text, file, new AbortController().signal);
  return file;
}

async function roundTrip(t: Parameters<typeof openFixtureStore>[0], backend: Store['backend']): Promise<void> {
  const store = await openFixtureStore(t, backend);
  const dir = await mkdtemp(path.join(tmpdir(), 'usage-session-csv-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const session = (start: string, extra: object) => JSON.stringify({
    contractNumber: FIXTURE_CONTRACT, userName: 'ann', productLineCode: 'ACD', productVersion: '2025', licenseServerTimeZoneOffset: '-05:00',
    sessionStartDate: start, sessionEndDate: new Date(Date.parse(start) + 90 * 60_000).toISOString(), machineName: 'NYC-WS0001',
    licenseServerName: 'lic-nyc-01', ...extra,
  });
  await ingestUsage(store, [[session('2025-03-03T14:00:00Z', {}), session('2025-03-04T14:00:00Z', HOSTILE)].join('\n')], { format: 'ndjson', dryRun: false });

  const file = await exportSessions(store, dir);
  const rows = parse(await readFile(file, 'utf8'), { columns: true }) as Record<string, string>[];
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row.licenseServerTimeZoneOffset, '-05:00', 'a typed value is written unchanged');
    assert.match(row.sessionStartDate!, /^2025-03-0[34]T14:00:00Z$/);
    assert.equal(Number(row.usageMinutes), 90);
  }
  const hostile = rows.find((row) => row.usageDate === '2025-03-04')!;
  for (const [name, value] of Object.entries(HOSTILE)) assert.equal(hostile[name], `'${value}`, `${name} is neutralised`);
  const plain = rows.find((row) => row.usageDate === '2025-03-03')!;
  assert.equal(plain.machineName, 'NYC-WS0001');

  // Read back with our own Token Flex export reader: every value as it was ingested.
  const records: TokenflexExportRecord[] = [];
  for await (const chunk of readTokenflexExport(createReadStream(file), path.basename(file), { contractNumber: FIXTURE_CONTRACT })) {
    for (const item of chunk) if (item.kind !== 'problem') records.push(item as TokenflexExportRecord);
  }
  const back = records.find((r) => r.charge.usageDate === '2025-03-04')!;
  for (const [name, value] of Object.entries(HOSTILE)) assert.equal(back.values[name], value, `${name} reads back unchanged`);
  assert.equal(back.values.licenseServerTimeZoneOffset, '-05:00');
}

describe("seed 002's desktop session CSV keeps its typed values and neutralises free text", () => {
  test('on DuckDB', (t) => roundTrip(t, 'duckdb'));
});

const postgres = await requirePostgres();
describe("seed 002's desktop session CSV on PostgreSQL", postgres.describeOptions, () => {
  test('on PostgreSQL', (t) => roundTrip(t, 'postgres'));
});
