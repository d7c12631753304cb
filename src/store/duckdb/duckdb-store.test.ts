import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ingestRecords } from '../../ingest/index.js';
import { JobLeaseLostError, openDuckDbStore, type Store, type UsageRecordInput } from '../index.js';
import { loadDemoData } from '../../seed/index.js';

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
  const summary = await loadDemoData(store, { rows: 100_000, seed: 7, from: '2025-01-01', to: '2025-12-31' });
  assert.equal(summary.usageRecords, 100_000);
  assert.equal(await memoryLimit(store), configured);
});

test('once the last bulk load ends, DuckDB holds none of its dropped staging tables or transaction data', async (t) => {
  // Measured in the soak before the release: 50 MiB of dropped in-memory tables and 18 MiB of
  // transaction data, kept for as long as nothing else was written.
  const dataDir = await mkdtemp(path.join(tmpdir(), 'store-duckdb-release-'));
  const store = await openDuckDbStore({ dataDir, memoryLimit: '256MB' });
  t.after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  await store.migrate();
  await loadDemoData(store, { rows: 20_000, seed: 7, from: '2025-01-01', to: '2025-12-31' });
  let known: unknown[] = [];
  for await (const row of store.streamRows({ sql: 'select contract_number, team_id, strftime(usage_date, \'%Y-%m-%d\'), contract_year from usage_records limit 1', parameters: [] }, new AbortController().signal)) known = row;
  const [contractNumber, teamId, usageDate, contractYear] = known as [string, string, string, number];
  const record: UsageRecordInput = { line: 1, id: 'x', contractNumber, teamId, usageCategory: 'MANUAL_ADJUSTMENT', source: 'flex', userId: null,
    userName: null, productLineCode: null, productName: null, parentProductName: null, productVersion: null, productFeatureCode: null,
    usageDate, contractYear: Number(contractYear), usageAt: 0, sessionStart: null, sessionEnd: null, licenseServerTzOffset: null, usageType: null,
    machineName: null, licenseServerName: null, hubId: null, hubName: null, jobStatus: null, transactionDate: 0, reasonType: null,
    reasonComment: 'x'.repeat(200), chargedItemId: 'x', tokens: 1, quantity: 0, customFields: Array<null>(10).fill(null) };
  async function* batches(): AsyncIterable<UsageRecordInput[]> {
    for (let k = 0; k < 20; k++) yield Array.from({ length: 1000 }, (_, n) => ({ ...record, line: k * 1000 + n + 1, id: `r${k}-${n}` }));
  }
  await ingestRecords(store, batches(), { dryRun: false });
  async function* small(): AsyncIterable<UsageRecordInput[]> {
    yield Array.from({ length: 20 }, (_, n) => ({ ...record, line: n + 1, id: `s-${n}` }));
  }
  await ingestRecords(store, small(), { dryRun: false });
  const held: Record<string, number> = {};
  for await (const row of store.streamRows({ sql: 'select tag, memory_usage_bytes from duckdb_memory()', parameters: [] }, new AbortController().signal)) {
    held[String(row[0])] = Number(row[1]);
  }
  assert.ok((held.IN_MEMORY_TABLE ?? 0) < 1 << 20, `dropped staging tables: ${held.IN_MEMORY_TABLE} bytes`);
  assert.ok((held.TRANSACTION ?? 0) < 1 << 20, `transaction data: ${held.TRANSACTION} bytes`);
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

test('ingestion leaves no chunk file behind: a batch deletes its own, and a batch cut off by a crash is swept at the next start', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'store-duckdb-spool-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const spool = path.join(dataDir, 'tmp');
  await mkdir(spool, { recursive: true });
  const leftover = path.join(spool, `ingest-${randomUUID()}-0.ndjson`);
  await writeFile(leftover, '{"a":1}\n');
  await writeFile(path.join(spool, 'not-ours.txt'), 'kept');
  const store = await openDuckDbStore({ dataDir });
  t.after(() => store.close());
  assert.deepEqual((await readdir(spool)).filter((name) => name.startsWith('ingest-')), []);
  assert.ok((await readdir(spool)).includes('not-ours.txt'));

  await store.migrate();
  // A staged batch whose body then fails: its chunk file goes all the same.
  const record: UsageRecordInput = { line: 1, id: 'x', contractNumber: 'C', teamId: 'T', usageCategory: 'MANUAL_ADJUSTMENT', source: 'flex', userId: null,
    userName: null, productLineCode: null, productName: null, parentProductName: null, productVersion: null, productFeatureCode: null,
    usageDate: '2025-01-01', contractYear: 1, usageAt: 0, sessionStart: null, sessionEnd: null, licenseServerTzOffset: null, usageType: null,
    machineName: null, licenseServerName: null, hubId: null, hubName: null, jobStatus: null, transactionDate: 0, reasonType: null,
    reasonComment: 'x'.repeat(1000), chargedItemId: 'x', tokens: 1, quantity: 0, customFields: Array<null>(10).fill(null) };
  async function* batches(): AsyncIterable<UsageRecordInput[]> {
    // 17k records of ~1 KB: more than one chunk file.
    for (let k = 0; k < 17; k++) yield Array.from({ length: 1000 }, (_, n) => ({ ...record, line: k * 1000 + n + 1, id: `r${k}-${n}` }));
    throw new Error('the client went away');
  }
  await assert.rejects(ingestRecords(store, batches(), { dryRun: false }), /went away/);
  assert.deepEqual((await readdir(spool)).filter((name) => name.startsWith('ingest-')), []);
});
