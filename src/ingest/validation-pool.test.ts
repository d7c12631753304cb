import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { FIXTURE_CONTRACT, openFixtureStore } from '../../test/helpers/usage-fixture.js';
import { ingestUsage } from './ingest-usage.js';
import { isProblem, MAX_LINE_BYTES, ndjsonSegments, readNdjsonSegment, type ReadItem } from './ndjson-segments.js';
import type { SegmentResult } from './validate-segment.js';
import { validateNdjson } from './validation-pool.js';

// Issue 7 (speed): NDJSON batches are cut into segments of whole lines and validated in worker
// threads. These tests hold the segmented reading to the plain line-by-line meaning of NDJSON,
// and the workers' results to those of validating in this thread.

async function* chunked(chunks: readonly (string | Uint8Array)[]): AsyncIterable<string | Uint8Array> {
  yield* chunks;
}

async function itemsOf(chunks: readonly (string | Uint8Array)[]): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const piece of ndjsonSegments(chunked(chunks))) items.push(...(isProblem(piece) ? [piece] : readNdjsonSegment(piece)));
  return items;
}

/** The meaning of an NDJSON body, line by line, with the whole body in hand. */
function expectedItems(text: string): ReadItem[] {
  const items: ReadItem[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  body.split('\n').forEach((raw, i) => {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() !== '') items.push({ line: i + 1, values: JSON.parse(content) as Record<string, unknown>, fromCsv: false });
  });
  return items;
}

test('segments of a body cut anywhere, in bytes or text, read as its lines read one by one', async () => {
  const lineArbitrary = fc.oneof(
    fc.constant(''), fc.constant('  '),
    fc.record({ k: fc.string({ unit: 'binary', maxLength: 12 }), n: fc.integer() }).map((o) => JSON.stringify(o)),
  );
  await fc.assert(fc.asyncProperty(
    fc.array(lineArbitrary, { minLength: 1, maxLength: 40 }), fc.boolean(), fc.boolean(), fc.boolean(),
    fc.array(fc.nat(), { maxLength: 8 }),
    async (lines, bom, crlf, bytes, cuts) => {
      const text = (bom ? '\ufeff' : '') + lines.join(crlf ? '\r\n' : '\n');
      const whole: Uint8Array | string = bytes ? new TextEncoder().encode(text) : text;
      const at = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
      const chunks = [0, ...at].map((from, k) => whole.slice(from, at[k] ?? whole.length));
      assert.deepEqual(await itemsOf(chunks), expectedItems(text));
    },
  ), { numRuns: 300 });
});

test('a line too long to hold is a problem in its place, and the lines around it still count', async () => {
  const long = `{"x":"${'y'.repeat(MAX_LINE_BYTES)}"}`;
  const items = await itemsOf(['{"a":1}\n', long.slice(0, 600_000), long.slice(600_000), '\n{"b":2}\n']);
  assert.deepEqual(items.map((i) => (isProblem(i) ? `${i.line} ${i.message}` : `${i.line} row`)), [
    '1 row', `2 the line is longer than ${MAX_LINE_BYTES} bytes`, '3 row',
  ]);
});

/** A session line of the fixture world (test/helpers/usage-fixture.ts), the nth of a batch. */
function sessionLine(n: number, overrides: Record<string, unknown> = {}): string {
  const start = Date.parse('2025-03-01T08:00:00Z') + n * 61_000;
  return JSON.stringify({
    contractNumber: FIXTURE_CONTRACT, userName: ['ann', 'bob', 'cy'][n % 3], productLineCode: ['ACD', 'RVT', 'ACDLT'][n % 3],
    productVersion: '2025', sessionStartDate: new Date(start).toISOString(), sessionEndDate: new Date(start + 3_600_000).toISOString(),
    licenseServerTimeZoneOffset: '+01:00', machineName: `WS-${n}`, ...overrides,
  });
}

/** Enough lines for several segments (a segment is about 1 MB). */
const MANY = 12_000;

async function resultsOf(body: string[], workers: number): Promise<SegmentResult[]> {
  const store = await openFixtureStore({ after: () => undefined }, 'duckdb');
  try {
    const results: SegmentResult[] = [];
    for await (const result of validateNdjson(chunked(body), { references: await store.loadUsageReferences(), defaults: {}, workers, stage: () => true })) {
      results.push(result);
    }
    return results;
  } finally {
    await store.close();
  }
}

test('segments validated in worker threads give what validating them in this thread gives', async () => {
  const lines = Array.from({ length: MANY }, (_, n) => sessionLine(n));
  lines[9_000] = sessionLine(9_000, { productVersion: '1999', colour: 'red' });
  const body = lines.map((l) => `${l}\n`);
  const [inline, pooled] = [await resultsOf(body, 0), await resultsOf(body, 2)];
  assert.ok(inline.length >= 3, `${inline.length} segments: one in this thread, one for each worker`);
  assert.deepEqual(pooled, inline);
  const problems = inline.flatMap((r) => r.problems);
  assert.deepEqual(problems.map((p) => `${p.line} ${p.field}`), ['9001 colour']);
});

test('a batch validated by workers is stored whole, or not at all when a late line is bad, and is counted once when sent again', async (t) => {
  const store = await openFixtureStore(t, 'duckdb');
  const lines = Array.from({ length: MANY }, (_, n) => sessionLine(n));
  const body = () => chunked(lines.map((l) => `${l}\n`));
  const bad = [...lines];
  bad[MANY - 5] = sessionLine(MANY - 5, { sessionEndDate: '2025-02-01T00:00:00Z' });
  await assert.rejects(ingestUsage(store, chunked(bad.map((l) => `${l}\n`)), { format: 'ndjson', dryRun: false, validationWorkers: 2 }), (error) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'USAGE_BATCH_INVALID');
    assert.match(error.message, new RegExp(`line ${MANY - 4}, sessionEndDate`));
    return true;
  });
  // Nothing of the bad batch was written: every record of the good one is new.
  const first = await ingestUsage(store, body(), { format: 'ndjson', dryRun: false, validationWorkers: 2 });
  assert.deepEqual({ ...first }, { records: MANY, inserted: MANY, duplicates: 0, rated: MANY, dryRun: false });
  const again = await ingestUsage(store, body(), { format: 'ndjson', dryRun: false, validationWorkers: 2 });
  assert.deepEqual({ ...again }, { records: MANY, inserted: 0, duplicates: MANY, rated: 0, dryRun: false });
});

test('a record staged with the content its id was hashed from is stored as the same record sent as CSV', async (t) => {
  // NDJSON is staged by the validation workers with the content array the id was hashed from as the
  // tail of its staged line; CSV from the record's fields. Both must store the same record, every column.
  const awkward = 'quote " backslash \\ tab \t newline \n ünïcödé 😀 \u0001 end';
  const rows: Record<string, unknown>[] = [
    JSON.parse(sessionLine(0, { machineName: awkward, customField10: awkward, parentProductName: awkward })) as Record<string, unknown>,
    JSON.parse(sessionLine(1, { id: 'given-1', chargedItemID: 'session-7', userId: 'UFX2', usageType: 'borrowed', teamId: 'TFY' })) as Record<string, unknown>,
    JSON.parse(sessionLine(2, { productName: 'LT, named', productFeatureCode: 'F', customField1: 'Ops', source: 'SUS' })) as Record<string, unknown>,
    {
      usageCategory: 'CLOUD_SERVICE', contractNumber: FIXTURE_CONTRACT, userName: 'ann', productLineCode: 'RENDER', productName: awkward,
      usageTimestamp: '2025-03-04T10:20:30.456+02:00', tokens: 2.75, hubId: 'hub-1', hubName: awkward, jobStatus: 'Failed',
    },
    {
      usageCategory: 'CLOUD_PRODUCT', contractNumber: FIXTURE_CONTRACT, userName: 'bob', productLineCode: 'DOCS',
      usageTimestamp: '2025-03-05T00:00:00Z', tokens: 0.000001, licenseServerTimeZoneOffset: '-05:00', // the smallest accepted: at most 6 decimals (issue 19 item 3; was 1e-7)
    },
    {
      usageCategory: 'MANUAL_ADJUSTMENT', contractNumber: FIXTURE_CONTRACT, transactionDate: '2025-03-05T00:00:00Z', tokens: -12.5,
      quantity: 0.1, reasonType: 'Refund', reasonComment: awkward, source: 'ppu', chargedItemID: 'tx-1',
    },
    { usageCategory: 'MANUAL_CONSUMPTION', contractNumber: FIXTURE_CONTRACT, transactionDate: '2025-06-05T12:00:00Z', tokens: 123456789.123456 },
  ];
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const csv = stringify([names, ...rows.map((r) => names.map((name) => (r[name] === undefined ? '' : String(r[name]))))]);
  const [fromNdjson, fromCsv] = [await openFixtureStore(t, 'duckdb'), await openFixtureStore(t, 'duckdb')];
  await ingestUsage(fromNdjson, chunked(rows.map((r) => `${JSON.stringify(r)}\n`)), { format: 'ndjson', dryRun: false, validationWorkers: 0 });
  await ingestUsage(fromCsv, chunked([csv]), { format: 'csv', dryRun: false });
  const stored = async (store: Store) => {
    const all: unknown[][] = [];
    // Every column but when the batch was processed: the two batches ran at different times.
    for await (const row of store.streamRows({ sql: 'select * exclude (processed_at) from usage_records order by id', parameters: [] }, new AbortController().signal)) all.push(row);
    return all;
  };
  const [a, b] = [await stored(fromNdjson), await stored(fromCsv)];
  assert.equal(a.length, rows.length);
  assert.deepEqual(a, b);
  // And the awkward text arrived as it was sent.
  assert.ok(a.some((row) => row.includes(awkward)));
});
