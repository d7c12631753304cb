import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { readCsvRecords, type CsvRecord } from './csv-records.js';
import type { SourceProblem } from './source-items.js';

async function readAll(text: string, chunkSize = 1 << 16): Promise<(CsvRecord | SourceProblem)[]> {
  const bytes = Buffer.from(text, 'utf8');
  const chunks = function* () {
    for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize);
  };
  const items: (CsvRecord | SourceProblem)[] = [];
  for await (const batch of readCsvRecords(chunks(), 'export.csv')) items.push(...batch);
  return items;
}

test('quoted and unquoted cells, doubled quotes, commas and line breaks inside quotes; a record is numbered by the line it starts on', async () => {
  const text = '\ufeff"a","b",c\r\n"x ""quoted""","1,5",plain\r\n\r\n"two\r\nlines","",\r\nlast,row,here';
  assert.deepEqual(await readAll(text), [
    { line: 1, cells: ['a', 'b', 'c'] },
    { line: 2, cells: ['x "quoted"', '1,5', 'plain'] },
    { line: 4, cells: ['two\r\nlines', '', ''] },
    { line: 6, cells: ['last', 'row', 'here'] },
  ]);
});

test('a comma ending the line (as Autodesk writes) is one empty cell more', async () => {
  assert.deepEqual(await readAll('"a","b",\n"1","2",\n'), [{ line: 1, cells: ['a', 'b', ''] }, { line: 2, cells: ['1', '2', ''] }]);
});

test('the records do not depend on where the chunks are cut, not even inside a quote pair or a CRLF', async () => {
  const text = '"h1","h2"\r\n"a""b","c\r\nd"\r\ne,"f"\r\n';
  const whole = await readAll(text);
  for (let size = 1; size <= 7; size++) assert.deepEqual(await readAll(text, size), whole, `chunks of ${size}`);
});

test('what csv-stringify writes reads back cell for cell (random text, quoted or not)', async () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'Z', ',', '"', '\n', '\r\n', ' ', 'é', '😀', '0'), maxLength: 8 });
  const rows = fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 });
  await fc.assert(fc.asyncProperty(rows, fc.boolean(), fc.integer({ min: 1, max: 9 }), async (data, quoted, chunk) => {
    // Unquoted, csv-stringify leaves a lone LF in a cell bare under CRLF line ends: LF line ends then.
    const text = stringify(data, { quoted, quoted_empty: quoted, record_delimiter: quoted ? 'windows' : 'unix' });
    const records = await readAll(text, chunk);
    assert.deepEqual(records.map((r) => ('cells' in r ? r.cells : r)), data);
  }), { numRuns: 300 });
});

test('malformed CSV ends the reading with a problem at the record\'s line', async () => {
  const cases: [string, string][] = [
    ['"a","b"\n"unclosed,x\n', 'export.csv:2 not valid CSV: a quoted cell is not closed'],
    ['"a","b"\n"a"x,"b"\n"c","d"\n', 'export.csv:2 not valid CSV: text after the closing quote of a cell'],
    ['"a","b"\nab"c,d\n', 'export.csv:2 not valid CSV: a quote inside a cell that does not start with one'],
  ];
  for (const [text, expected] of cases) {
    const items = await readAll(text);
    const last = items[items.length - 1] as SourceProblem;
    assert.equal(`${last.file}:${last.line} ${last.message}`, expected);
    assert.equal(items.filter((i) => 'kind' in i).length, 1);
  }
});
