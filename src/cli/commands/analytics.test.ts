import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import type { Config } from '../../config.js';
import { openDuckDbStore } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import { runAnalyticsCommand } from './analytics.js';
import { loadDemoData } from '../../seed/index.js';

// `insights analytics …` without a server: the same answers as the API, computed in-process, as tables.
const NOW = new Date('2025-11-15T12:00:00Z');
const CONTRACT = '110001034275';
const TEAM = '4865648';
let config: Config;

before(async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-analytics-cli-'));
  process.on('exit', () => void rm(dataDir, { recursive: true, force: true }));
  const store = await openDuckDbStore({ dataDir });
  await store.migrate();
  await loadDemoData(store, { rows: 3_000, seed: 7, from: '2025-01-01', to: '2025-12-31' });
  await store.close();
  config = { dataDir, databaseUrl: undefined, databaseSchema: 'public' } as unknown as Config;
});

const run = (question: Parameters<typeof runAnalyticsCommand>[1], options: Partial<Parameters<typeof runAnalyticsCommand>[2]>) =>
  runAnalyticsCommand(config, question, { user: 'admin@example.com', format: 'table', ...options }, NOW);

test('forecast prints the pools, a chart of the cumulative consumption against the pool, and the backtest', async () => {
  const text = await run('forecast', { contract: CONTRACT });
  assert.match(text, /^Contract year 2: 2025-09-01 – 2026-08-31/);
  assert.match(text, /Usage counted to 2025-11-14\./);
  assert.match(text, /year \(CY\)\s+3,100/);
  assert.match(text, /█ used so far {2}• forecast {2}░ 80 % interval {2}─ the year's 3,100 tokens/);
  assert.match(text, /days ahead\s+origins\s+model\s+naive/);
  const json = JSON.parse(await run('forecast', { contract: CONTRACT, format: 'json' })) as { asOf: string };
  assert.equal(json.asOf, '2025-11-14');
  assert.match((await run('forecast', { contract: CONTRACT, format: 'csv' })).split('\r\n')[0]!, /^date,kind,tokens,cumulative/);
});

test('advice, idle seats and concurrency print their tables', async () => {
  assert.match(await run('advice', { contract: CONTRACT, from: '2025-01-01', to: '2025-10-31' }), /^Period 2025-01-01 – 2025-10-31 \(10 months/);
  assert.match(await run('idle-seats', { team: TEAM, days: 30 }), /^Seats without use from 2025-10-17 to 2025-11-15 \(30 days\)/);
  const concurrency = await run('concurrency', { contract: CONTRACT, from: '2025-10-01', to: '2025-10-31', granularity: 'hour', top: 3 });
  assert.match(concurrency, /Busiest hours:\nproduct\s+periodStart\s+peakSessions\s+peakAt\s+distinctUsers/);
});

test('tenancy applies: a user who does not manage the contract is refused', async () => {
  await assert.rejects(runAnalyticsCommand(config, 'forecast', { user: 'alice@example.com', contract: 'NO-SUCH', format: 'table' }, NOW), CliError);
  await assert.rejects(run('idle-seats', {}), /--team is required/);
});
