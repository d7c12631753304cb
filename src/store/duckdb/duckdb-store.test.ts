import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDuckDbStore, type Store } from '../index.js';

async function memoryLimit(store: Store): Promise<string> {
  for await (const row of store.streamRows({ sql: "select current_setting('memory_limit')", parameters: [] }, new AbortController().signal)) {
    return String(row[0]);
  }
  throw new Error('no row');
}

test('the memory limit holds for queries; a bulk load runs under DuckDB\'s own, and the configured one is back afterwards', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'store-duckdb-memory-'));
  const store = await openDuckDbStore({ dataDir, memoryLimit: '48MB' });
  t.after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  await store.migrate();
  const configured = await memoryLimit(store);
  assert.match(configured, /^4[5-8](\.\d+)? MiB$/);
  // 100k records keep more than 48MB in temporary tables while they are rated.
  const summary = await store.loadDemoData({ rows: 100_000, seed: 7, from: '2025-01-01', to: '2025-12-31' });
  assert.equal(summary.usageRecords, 100_000);
  assert.equal(await memoryLimit(store), configured);
});
