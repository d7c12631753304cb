import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isProblem, readRows, type ReadItem, type UsageFormat } from './read-rows.js';
import { CsvBoundsError, guardCsv } from './csv-guard.js';

// Issue 19 items 4, 7 and 10: a CSV record is bounded in bytes and cells before it is parsed,
// every parser error is a problem of its line (never a 500), and NDJSON and CSV are strict UTF-8.

async function readAll(chunks: readonly (string | Uint8Array)[], format: UsageFormat): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const batch of readRows((async function* () { yield* chunks; })(), format)) items.push(...batch);
  return items;
}

function problemsOf(items: readonly ReadItem[]): string[] {
  return items.filter(isProblem).map((p) => `${p.line}: ${p.message}`);
}

async function drain(body: Iterable<string | Uint8Array>, bounds = { maxRecordBytes: 64, maxColumns: 4 }): Promise<number> {
  let bytes = 0;
  for await (const chunk of guardCsv(body, bounds)) bytes += chunk.length;
  return bytes;
}

test('the guard passes a well-formed body through unchanged, quoted commas and line breaks included', async () => {
  const body = 'a,b,c,d\n"x,y","two\nlines",3,4\n';
  assert.equal(await drain([body.slice(0, 9), body.slice(9)]), Buffer.byteLength(body));
});

test('a row with too many cells or bytes is refused at the line it starts on, before it is held', async () => {
  await assert.rejects(drain(['a,b\n1,2\n', '1,2,3,4,5\n']), (error: unknown) => error instanceof CsvBoundsError && error.line === 3 && /more than 4 cells/.test(error.message));
  await assert.rejects(drain(['a\n"', 'x'.repeat(100), '"\n']), (error: unknown) => error instanceof CsvBoundsError && error.line === 2 && /longer than 64 bytes/.test(error.message));
  // 52 million empty cells in 52 MB are counted as they arrive: refused after the first chunk.
  let served = 0;
  const huge = function* () {
    for (let k = 0; k < 800; k++) {
      served++;
      yield ','.repeat(65_536);
    }
  };
  await assert.rejects(drain(huge(), { maxRecordBytes: 1 << 20, maxColumns: 200 }), /more than 200 cells/);
  assert.equal(served, 1);
});

test('CSV: every parser error is a problem naming its line, INVALID_OPENING_QUOTE too', async () => {
  assert.deepEqual(problemsOf(await readAll(['a"b'], 'csv')).map((p) => p.split(':')[0]), ['1']);
  const items = await readAll(['contractNumber,userName\nC1,a\nC2,x"y"z\n'], 'csv');
  const problems = problemsOf(items);
  assert.equal(problems.length, 1);
  assert.match(problems[0] as string, /^3: not valid CSV/);
});

test('CSV: a row beyond the bounds is a problem naming its line', async () => {
  const wide = `contractNumber\nC1\n${','.repeat(250)}\n`;
  assert.deepEqual(problemsOf(await readAll([wide], 'csv')), ['3: the row has more than 200 cells']);
  const long = `contractNumber\n"${'x'.repeat((1 << 20) + 10)}"\n`;
  assert.deepEqual(problemsOf(await readAll([long], 'csv')), ['2: the row is longer than 1048576 bytes']);
});

test('CSV and NDJSON: bytes that are not UTF-8 are a problem naming the line, never U+FFFD', async () => {
  const bad = Buffer.from([0xff, 0xfe, 0xc0, 0xaf]);
  const csv = Buffer.concat([Buffer.from('contractNumber,machineName\nC1,ok\nC1,'), bad, Buffer.from('\nC1,ok\n')]);
  assert.deepEqual(problemsOf(await readAll([csv.subarray(0, 30), csv.subarray(30)], 'csv')), ['3: the line is not valid UTF-8 text']);
  const ndjson = Buffer.concat([Buffer.from('{"a":1}\n{"machineName":"'), bad, Buffer.from('"}\n{"b":2}\n')]);
  const items = await readAll([ndjson], 'ndjson');
  assert.deepEqual(problemsOf(items), ['2: the line is not valid UTF-8 text']);
  assert.equal(items.filter((i) => !isProblem(i)).length, 2);
  // A character split between two chunks is still whole.
  const split = Buffer.from('contractNumber,machineName\nC1,Zoë\n');
  assert.deepEqual(problemsOf(await readAll([split.subarray(0, 31), split.subarray(31)], 'csv')), []);
});
