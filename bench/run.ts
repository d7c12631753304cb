/**
 * `npm run bench [-- --rows N] [-- --repeat R]`: seeds a data directory of N usage records
 * (default 1,000,000), then times named cases, each beside a baseline measured in the same run on
 * the same machine. Ratios, not absolute times, are what the issues' targets speak of.
 *
 * Cases so far (Foundation issue):
 * - seed: `insights seed`'s generator vs. the floor of writing the same number of rows with one
 *   INSERT … SELECT of random values into the same table (what DuckDB needs at the least).
 * - contract detail: the store's `getContractDetail` (what `GET /tokenflex/v1/contract/:c` runs)
 *   vs. the same per-year aggregation written by hand as raw SQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbStore } from '../src/store/index.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, repeat: { type: 'string', default: '5' }, keep: { type: 'boolean', default: false } },
});
const rows = Number(values.rows);
const repeat = Number(values.repeat);
if (!Number.isInteger(rows) || rows < 1000 || !Number.isInteger(repeat) || repeat < 1) {
  console.error('usage: npm run bench -- [--rows N>=1000] [--repeat R>=1] [--keep]');
  process.exit(2);
}

interface Result { readonly name: string; readonly ms: number; readonly baselineName: string; readonly baselineMs: number }
const results: Result[] = [];

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Median of `repeat` runs after one warm-up. */
async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) samples.push(await time(fn));
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const root = await mkdtemp(path.join(tmpdir(), 'usage-insights-bench-'));
try {
  // 1. Seed, timed once (it is the setup of everything else).
  const dataDir = path.join(root, 'data');
  let store = await openDuckDbStore({ dataDir });
  await store.migrate();
  const seedMs = await time(() => store.loadDemoData({ rows, seed: 42, from: '2024-11-01', to: '2026-10-31' }));
  await store.close();

  // Baseline: the cheapest way to put `rows` rows of the same shape into the same table.
  const floorDir = path.join(root, 'floor');
  const floor = await openDuckDbStore({ dataDir: floorDir });
  await floor.migrate();
  await floor.close();
  const floorDb = await DuckDBInstance.create(path.join(floorDir, 'usage.duckdb'));
  const floorConn = await floorDb.connect();
  const floorMs = await time(() => floorConn.run(`
    insert into usage_records (id, contract_number, team_id, usage_category, source, user_id, user_name, product_line_code,
      product_name, usage_date, contract_year, charge_category, token_pool, tokens_consumed, usage_minutes)
    select 'b-' || i, 'C' || (i % 6), 'T' || (i % 6), 'DESKTOP_PRODUCT', 'flex', 'U' || (i % 2000), 'u' || (i % 2000),
           'P' || (i % 40), 'Product ' || (i % 40), date '2025-01-01' + cast(i % 700 as integer), 1 + i % 2, 'CHARGED', 'CY',
           random() * 10, random() * 300
      from range(${rows}) t(i)`));
  floorConn.closeSync();
  floorDb.closeSync();
  results.push({ name: `seed ${rows.toLocaleString('en')} records`, ms: seedMs, baselineName: 'raw INSERT … SELECT of random rows', baselineMs: floorMs });

  // 2. Contract detail through the store vs. raw SQL on the same file.
  store = await openDuckDbStore({ dataDir, readOnly: true });
  const contract = '110000917988';
  const storeMs = await median(() => store.getContractDetail(contract));
  await store.close();
  const raw = await DuckDBInstance.create(path.join(dataDir, 'usage.duckdb'), { access_mode: 'READ_ONLY' });
  const rawConn = await raw.connect();
  const rawMs = await median(() => rawConn.runAndReadAll(
    `select contract_year, sum(tokens_consumed) filter (where token_pool = 'CY'), sum(tokens_consumed) filter (where token_pool = 'MY')
       from usage_records where contract_number = $1 group by contract_year order by contract_year`, [contract]));
  rawConn.closeSync();
  raw.closeSync();
  results.push({ name: 'contract detail (store)', ms: storeMs, baselineName: 'raw SQL aggregation', baselineMs: rawMs });
} finally {
  if (!values.keep) await rm(root, { recursive: true, force: true });
}

const pad = (text: string, width: number) => text.padEnd(width);
console.log(`\nusage-insights bench: ${rows.toLocaleString('en')} records, median of ${repeat} runs after a warm-up (seed: one run)\n`);
console.log(`${pad('case', 36)}${pad('ms', 12)}${pad('baseline', 40)}${pad('ms', 12)}ratio`);
for (const r of results) {
  console.log(`${pad(r.name, 36)}${pad(r.ms.toFixed(1), 12)}${pad(r.baselineName, 40)}${pad(r.baselineMs.toFixed(1), 12)}${(r.ms / r.baselineMs).toFixed(2)}x`);
}
