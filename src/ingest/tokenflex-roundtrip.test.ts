import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { catalogFor } from '../catalog/index.js';
import { compileUsageQuery, planUsageQuery } from '../query/index.js';
import { openDuckDbStore, type Store } from '../store/index.js';
import { openSeededPostgresStore, routeTestsUsePostgres } from '../../test/helpers/databases.js';
import { ingestTokenflexExport } from './ingest-sources.js';
import { loadDemoData } from '../seed/index.js';

// Issue 20's round trip, end to end: the demo data's session-level Token Flex exports (our own
// export's query and CSV writer), imported into a fresh instance with the same contracts and
// products, give the same answers to the same Token Flex queries.

const DEMO = { rows: 4_000, seed: 11, from: '2025-01-01', to: '2025-12-31' } as const;

/** The session-level exports, one per usage category, with the fields Autodesk's carry (and the pool). */
const EXPORTS: readonly { readonly category: string; readonly fields: readonly string[]; readonly metrics: readonly string[] }[] = [
  {
    category: 'DESKTOP_PRODUCT',
    fields: ['usageDate', 'contractYear', 'productName', 'productLineCode', 'productVersion', 'productFeatureCode', 'userName', 'machineName',
      'sessionStartDate', 'sessionEndDate', 'licenseServerTimeZoneOffset', 'chargedItemID', 'chargeCategory', 'tokenPool', 'licenseServerName',
      'usageType', 'usageCategory', ...Array.from({ length: 10 }, (_, k) => `customField${k + 1}`)],
    metrics: ['tokensConsumed', 'usageMinutes'],
  },
  {
    category: 'CLOUD_PRODUCT',
    fields: ['usageDate', 'contractYear', 'productName', 'productLineCode', 'userName', 'usageTimestamp', 'hubId', 'hubName', 'chargedItemID',
      'chargeCategory', 'tokenPool', 'usageCategory'],
    metrics: ['tokensConsumed', 'usageMinutes'],
  },
  {
    category: 'CLOUD_SERVICE',
    fields: ['usageDate', 'contractYear', 'productName', 'productLineCode', 'userName', 'usageTimestamp', 'hubId', 'hubName', 'jobStatus',
      'chargedItemID', 'chargeCategory', 'tokenPool', 'usageCategory'],
    metrics: ['tokensConsumed', 'usageMinutes'],
  },
  ...['MANUAL_ADJUSTMENT', 'MANUAL_CONSUMPTION'].map((category) => ({
    category,
    fields: ['usageDate', 'contractYear', 'productName', 'productLineCode', 'userName', 'transactionDate', 'reasonType', 'reasonComment', 'chargedItemID',
      'tokenPool', 'usageCategory'],
    metrics: ['tokensConsumed', 'quantity'],
  })),
];

/** The Token Flex queries compared: tokens, minutes, users, by product and by day (and by pool and charge). */
const QUERIES: readonly { readonly fields: readonly string[]; readonly metrics: readonly string[] }[] = [
  { fields: ['productName'], metrics: ['tokensConsumed', 'usageMinutes', 'uniqueUsers', 'useCount'] },
  { fields: ['usageDate'], metrics: ['tokensConsumed', 'usageMinutes', 'uniqueUsers'] },
  { fields: ['usageDate', 'productLineCode', 'usageCategory'], metrics: ['tokensConsumed', 'usageMinutes', 'uniqueUsers', 'useCount'] },
  { fields: ['contractYear', 'tokenPool', 'chargeCategory'], metrics: ['tokensConsumed', 'useCount', 'quantity'] },
  { fields: ['userName', 'usageMonth'], metrics: ['tokensConsumed', 'usageHours'] },
];

async function openDemo(t: { after: (fn: () => Promise<void>) => void }, rows: number): Promise<Store> {
  // TEST_STORE=postgres: both instances on PostgreSQL (the given charges go through its COPY staging).
  if (routeTestsUsePostgres()) return openSeededPostgresStore(t, { ...DEMO, rows });
  const store = await openDuckDbStore({ dataDir: ':memory:' });
  t.after(() => store.close());
  await store.migrate();
  await loadDemoData(store, { ...DEMO, rows });
  return store;
}

async function answer(store: Store, contractNumber: string, fields: readonly string[], metrics: readonly string[]): Promise<string[]> {
  const plan = planUsageQuery({ fields, metrics, where: '', scope: { kind: 'contract', contractNumber }, purpose: 'query' }, catalogFor('tokenflex'));
  const rows: string[] = [];
  for await (const row of store.streamRows(compileUsageQuery(plan, store.backend), new AbortController().signal)) {
    // Sums of many doubles may differ in their last bits with the order they are added in.
    rows.push(row.map((v) => (typeof v === 'number' ? v.toFixed(6) : String(v))).join(' | '));
  }
  return rows.sort();
}

test('the demo data exported session by session and imported into a fresh instance answers every Token Flex query the same', async (t) => {
  const original = await openDemo(t, DEMO.rows);
  const fresh = await openDemo(t, 0);
  const dir = await mkdtemp(path.join(tmpdir(), 'usage-tfx-e2e-roundtrip-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const contracts = (await original.listContracts({ limit: 1000, offset: 0 })).items.map((c) => c.contractNumber);
  assert.deepEqual((await fresh.listContracts({ limit: 1000, offset: 0 })).items.map((c) => c.contractNumber), contracts);
  assert.deepEqual((await fresh.loadUsageReferences()).products, (await original.loadUsageReferences()).products);

  let imported = 0;
  for (const contractNumber of contracts) {
    await fresh.updateContract(contractNumber, { chargesFrom: 'autodesk' });
    for (const { category, fields, metrics } of EXPORTS) {
      const plan = planUsageQuery({
        fields, metrics, where: '', usageCategories: [category], scope: { kind: 'contract', contractNumber }, purpose: 'export',
      }, catalogFor('tokenflex'));
      const compiled = compileUsageQuery(plan, original.backend);
      const file = path.join(dir, `${contractNumber}-${category}.csv`);
      const text = compiled.columns.filter((c) => c.type === 'string' || c.type === 'enum').map((c) => c.name);
      await original.copyCsv(compiled, compiled.columns.map((c) => c.name), text, file, new AbortController().signal);
      const summary = await ingestTokenflexExport(fresh, createReadStream(file), { contractNumber, file: path.basename(file), dryRun: false });
      assert.equal(summary.duplicates, 0, `${file}: every exported row is a record of its own`);
      imported += summary.inserted;
    }
  }
  const count = async (store: Store) => {
    for await (const row of store.streamRows({ sql: 'select count(*) from usage_records', parameters: [] }, new AbortController().signal)) return Number(row[0]);
    return 0;
  };
  assert.equal(imported, await count(original));
  assert.equal(await count(fresh), imported);

  for (const contractNumber of contracts) {
    for (const { fields, metrics } of QUERIES) {
      assert.deepEqual(await answer(fresh, contractNumber, fields, metrics), await answer(original, contractNumber, fields, metrics),
        `${contractNumber}: ${fields.join(', ')} → ${metrics.join(', ')}`);
    }
  }
});
