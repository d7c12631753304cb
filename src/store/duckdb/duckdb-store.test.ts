import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { JobLeaseLostError, openDuckDbStore, type Store } from '../index.js';

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

test('a result stored before its job row was marked is dropped when the job is swept back to the queue, and the next attempt stores it once', async (t) => {
  const store = await openDuckDbStore({ dataDir: ':memory:' });
  t.after(() => store.close());
  await store.migrate();
  const id = 'a'.repeat(64);
  await store.createJob({
    id, kind: 'usage-query', api: 'tokenflex', ownerUserId: 'u', tenantKey: 'C', request: {}, requestHash: 'h', maxAttempts: 3, claimedBy: 'w-1',
  });
  const query = { sql: 'select n from range(3) t(n)', parameters: [], columns: ['n'], order: [{ column: 'n', direction: 'asc' as const }] };
  // The row "still being written": the first attempt stores its result, then waits, as if the
  // process died there.
  let release!: () => void;
  const rowWritten = new Promise<void>((resolve) => { release = resolve; });
  const first = store.completeQueryJob(id, 'w-1', query, 60_000, new AbortController().signal, rowWritten);
  while ((await store.readResultPage(id, 0, 10)).length < 3) await new Promise((resolve) => setTimeout(resolve, 5));

  assert.deepEqual(await store.sweepStaleJobs(new Date(Date.now() + 1000)), { requeued: 1, failed: 0 });
  assert.deepEqual(await store.readResultPage(id, 0, 10), []);
  release();
  await assert.rejects(first, JobLeaseLostError);

  assert.equal((await store.claimJob(id, 'w-2'))?.attempts, 2);
  const done = await store.completeQueryJob(id, 'w-2', query, 60_000, new AbortController().signal);
  assert.equal(done.rowCount, 3);
  assert.deepEqual(await store.readResultPage(id, 0, 10), [[0], [1], [2]]);
  assert.equal((await store.getJob(id))?.state, 'succeeded');
});
