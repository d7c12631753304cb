import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../config.js';
import { DEFAULT_SEED_OPTIONS, loadDemoData } from '../seed/index.js';
import { openStore } from '../store/index.js';
import { copyFixtureDatabase, FIXTURE_CONTRACT } from '../../test/helpers/usage-fixture.js';
import { ingestUsage } from './index.js';

// Issue 7: "sessions under the casual threshold (default 5 minutes, configurable) CASUAL". The
// threshold is the service's CASUAL_THRESHOLD_MINUTES, one value for every batch.

test('CASUAL_THRESHOLD_MINUTES sets the casual threshold of the ingestion rating', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'usage-casual-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  await copyFixtureDatabase(dataDir);
  const config = loadConfig({ DATA_DIR: dataDir, CASUAL_THRESHOLD_MINUTES: '60' }, process.cwd());
  assert.equal(config.casualThresholdMinutes, 60);
  const store = await openStore(config);
  t.after(() => store.close());
  const session = (user: string, minutes: number) => JSON.stringify({
    contractNumber: FIXTURE_CONTRACT, userName: user, productLineCode: 'ACD', productVersion: '2025', licenseServerTimeZoneOffset: '+00:00',
    sessionStartDate: '2025-05-05T09:00:00Z', sessionEndDate: new Date(Date.parse('2025-05-05T09:00:00Z') + minutes * 60_000).toISOString(),
  });
  await ingestUsage(store, [`${session('ann', 45)}\n${session('bob', 90)}\n`], { format: 'ndjson', dryRun: false });
  const rows: string[] = [];
  for await (const row of store.streamRows({ sql: 'select user_name, charge_category, tokens_consumed from usage_records order by user_name', parameters: [] }, new AbortController().signal)) {
    rows.push(row.map(String).join(' '));
  }
  assert.deepEqual(rows, ['ann CASUAL 0', 'bob CHARGED 4']);
  assert.throws(() => loadConfig({ CASUAL_THRESHOLD_MINUTES: '-1' }, process.cwd()), /CASUAL_THRESHOLD_MINUTES must be an integer from 0 to 1440/);
});

test('the demo data is rated with the same CASUAL_THRESHOLD_MINUTES', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'usage-casual-demo-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const config = loadConfig({ DATA_DIR: dataDir, CASUAL_THRESHOLD_MINUTES: '60' }, process.cwd());
  const store = await openStore(config);
  t.after(() => store.close());
  await store.migrate();
  await loadDemoData(store, { ...DEFAULT_SEED_OPTIONS, rows: 5_000, casualThresholdMinutes: config.casualThresholdMinutes });
  const counts: Record<string, number> = {};
  for await (const [category, n] of store.streamRows({
    sql: `select charge_category, count(*) from usage_records
      where usage_category = 'DESKTOP_PRODUCT' and source = 'flex' and usage_minutes >= 5 and usage_minutes < 60 group by 1`,
    parameters: [],
  }, new AbortController().signal)) counts[String(category)] = Number(n);
  // Sessions of 5 to 60 minutes would be charged under the default threshold; here all are casual.
  assert.ok((counts['CASUAL'] ?? 0) > 0, JSON.stringify(counts));
  assert.deepEqual(Object.keys(counts), ['CASUAL']);
});
