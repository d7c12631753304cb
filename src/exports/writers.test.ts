import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { ExportColumn, ExportRow } from './columns.js';
import { LocalFileStore } from './file-store.js';
import { UrlSigner } from './signed-urls.js';
import { neutraliseCsvCell, writeCsv, writeJson, writeXlsx } from './index.js';

const columns: ExportColumn[] = [
  { name: 'usageDate', header: 'Usage date', type: 'date' },
  { name: 'userName', header: 'User', type: 'string' },
  { name: 'tokens', header: 'Tokens', type: 'number' },
  { name: 'sessions', header: 'Sessions', type: 'integer' },
  { name: 'assigned', header: 'Assigned', type: 'boolean' },
  { name: 'start', header: 'Start', type: 'datetime' },
];
const rows: ExportRow[] = [
  ['2025-03-01', 'alice', 12.5, 3, true, '2025-03-01T08:30:00Z'],
  ['2025-03-02', '=HYPERLINK("http://evil")', -4, 0, false, null],
  ['2025-03-03', 'comma, "quote"\nnewline', 0, 1, null, '2025-03-03T23:59:59Z'],
  ['2025-03-04', '@SUM(A1)', 1e6, 2, true, ''],
];

async function* from(list: readonly ExportRow[]): AsyncIterable<ExportRow> {
  for (const row of list) yield row;
}

let dir: string;
let store: LocalFileStore;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'writers-'));
  store = new LocalFileStore(dir);
});
after(() => rm(dir, { recursive: true, force: true }));

describe('CSV', () => {
  test('writes RFC 4180 with a header row and reads back to the same cells', async () => {
    const file = await store.write('t/a.csv', (out) => writeCsv(from(rows), columns, out));
    assert.equal(file.rowCount, 4);
    const text = await readFile(path.join(dir, 't/a.csv'), 'utf8');
    assert.ok(text.includes('\r\n'));
    const parsed = parse(text) as string[][];
    assert.deepEqual(parsed[0], columns.map((c) => c.header));
    assert.equal(parsed.length, 5);
    assert.equal(parsed[3]![1], 'comma, "quote"\nnewline');
  });

  test('neutralises cells that a spreadsheet would run as formulas, but not negative numbers', () => {
    assert.equal(neutraliseCsvCell('=HYPERLINK("x")'), `'=HYPERLINK("x")`);
    assert.equal(neutraliseCsvCell('+1'), `'+1`);
    assert.equal(neutraliseCsvCell('-cmd'), `'-cmd`);
    assert.equal(neutraliseCsvCell('@SUM(A1)'), `'@SUM(A1)`);
    assert.equal(neutraliseCsvCell(-4), '-4');
    assert.equal(neutraliseCsvCell(null), '');
  });
});

describe('typed text and free text (issue 22)', () => {
  const typedColumns: ExportColumn[] = [
    { name: 'machineName', header: 'machineName', type: 'string' },
    { name: 'licenseServerTimeZoneOffset', header: 'licenseServerTimeZoneOffset', type: 'string', freeText: false },
    { name: 'tokens', header: 'tokens', type: 'number' },
  ];
  const typedRows: ExportRow[] = [['＝1+1', '-05:00', -2], [' \n@x', '+01:00', 3]];

  test('CSV writes typed values unchanged and neutralises free text, fullwidth and whitespace-led too', async () => {
    await store.write('t/typed.csv', (out) => writeCsv(from(typedRows), typedColumns, out));
    const parsed = parse(await readFile(path.join(dir, 't/typed.csv'), 'utf8')) as string[][];
    assert.deepEqual(parsed.slice(1), [["'＝1+1", '-05:00', '-2'], ["' \n@x", '+01:00', '3']]);
  });

  test('XLSX does the same with the same function', async () => {
    await store.write('t/typed.xlsx', (out) => writeXlsx(from(typedRows), typedColumns, out, { sheetName: 'Typed' }));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(dir, 't/typed.xlsx'));
    const sheet = workbook.worksheets[0]!;
    assert.deepEqual([sheet.getCell('A2').value, sheet.getCell('B2').value, sheet.getCell('C2').value], ["'＝1+1", '-05:00', -2]);
    assert.deepEqual([sheet.getCell('A3').value, sheet.getCell('B3').value], ["' \n@x", '+01:00']);
  });
});

describe('JSON', () => {
  test('writes an array of objects keyed by column name', async () => {
    const file = await store.write('t/a.json', (out) => writeJson(from(rows), columns, out));
    const parsed = JSON.parse(await readFile(path.join(dir, 't/a.json'), 'utf8')) as Record<string, unknown>[];
    assert.equal(file.rowCount, 4);
    assert.deepEqual(parsed[0], { usageDate: '2025-03-01', userName: 'alice', tokens: 12.5, sessions: 3, assigned: true, start: '2025-03-01T08:30:00Z' });
  });

  test('an empty result is an empty array', async () => {
    await store.write('t/empty.json', (out) => writeJson(from([]), columns, out));
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, 't/empty.json'), 'utf8')), []);
  });
});

describe('XLSX', () => {
  test('reads back with exceljs: bold frozen header, numbers as numbers, dates as dates', async () => {
    await store.write('t/a.xlsx', (out) => writeXlsx(from(rows), columns, out, { sheetName: 'Usage' }));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(dir, 't/a.xlsx'));
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.name, 'Usage');
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), columns.map((c) => c.header));
    assert.equal(sheet.getRow(1).getCell(1).font?.bold, true);
    assert.equal(sheet.views[0]?.state, 'frozen');
    assert.equal(sheet.getCell('C2').value, 12.5);
    assert.equal(sheet.getCell('D2').value, 3);
    assert.equal(sheet.getCell('E2').value, true);
    assert.deepEqual(sheet.getCell('A2').value, new Date('2025-03-01T00:00:00Z'));
    assert.deepEqual(sheet.getCell('F2').value, new Date('2025-03-01T08:30:00Z'));
    // Issue 19 item 12: the same neutralising as the CSV's, so a copy or a re-save does not run it.
    assert.equal(sheet.getCell('B3').value, `'=HYPERLINK("http://evil")`, 'text, not a formula');
    assert.equal(sheet.getCell('B4').value, 'comma, "quote"\nnewline');
    assert.equal(sheet.rowCount, 5);
  });

  test('continues on further worksheets past the row limit and loses no row', async () => {
    const many: ExportRow[] = Array.from({ length: 25 }, (_, i) => ['2025-01-01', `u${i}`, i, i, false, null]);
    const file = await store.write('t/many.xlsx', (out) => writeXlsx(from(many), columns, out, { sheetName: 'Users', maxRowsPerSheet: 10 }));
    assert.equal(file.rowCount, 25);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(dir, 't/many.xlsx'));
    assert.deepEqual(workbook.worksheets.map((s) => s.name), ['Users', 'Users (2)', 'Users (3)']);
    const names = workbook.worksheets.flatMap((s) => s.getSheetValues().slice(2).map((r) => (r as unknown[])[2]));
    assert.deepEqual(names, many.map((r) => r[1]));
    for (const sheet of workbook.worksheets) {
      assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), columns.map((c) => c.header), `header repeated on ${sheet.name}`);
      assert.equal(sheet.views[0]?.state, 'frozen', `header frozen on ${sheet.name}`);
      assert.equal(sheet.views[0]?.ySplit, 1);
    }
  });

  test('rows written in batches cross sheet boundaries in order, none lost or repeated', async () => {
    // 5,000 rows of ~400 bytes: several 64 KB batches per sheet, and a sheet change inside a batch.
    const many: ExportRow[] = Array.from({ length: 5_000 }, (_, i) => ['2025-01-01', `user-${i}-${'x'.repeat(200)}`, i / 4, i, i % 2 === 0, null]);
    await store.write('t/batched.xlsx', (out) => writeXlsx(from(many), columns, out, { sheetName: 'Usage', maxRowsPerSheet: 2_000 }));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(dir, 't/batched.xlsx'));
    assert.deepEqual(workbook.worksheets.map((s) => s.rowCount - 1), [2_000, 2_000, 1_000]);
    const read = workbook.worksheets.flatMap((s) => s.getSheetValues().slice(2).map((r) => [(r as unknown[])[2], (r as unknown[])[3]]));
    assert.deepEqual(read, many.map((r) => [r[1], r[2]]));
  });
});

describe('file store', () => {
  test('records byte size and SHA-256 of a complete file', async () => {
    const file = await store.write('t/h.csv', (out) => writeCsv(from(rows), columns, out));
    const bytes = await readFile(path.join(dir, 't/h.csv'));
    assert.equal(file.byteSize, bytes.length);
    const { createHash } = await import('node:crypto');
    assert.equal(file.sha256, createHash('sha256').update(bytes).digest('hex'));
  });

  test('a writer that fails midway leaves no file behind, partial or complete', async () => {
    async function* failing(): AsyncIterable<ExportRow> {
      yield rows[0]!;
      throw new Error('database went away');
    }
    await assert.rejects(store.write('t/broken.xlsx', (out) => writeXlsx(failing(), columns, out, { sheetName: 'x' })), /database went away/);
    await assert.rejects(store.write('t/broken.csv', (out) => writeCsv(failing(), columns, out)), /database went away/);
    const left = await readdir(path.join(dir, 't'));
    assert.deepEqual(left.filter((name) => name.startsWith('broken')), []);
    assert.equal(await store.size('t/broken.csv'), undefined);
  });

  test('a writer that fails before its file has opened leaves nothing behind once the open lands', async () => {
    // CI saw a partial file left: the pipeline had settled, and the removal run, before the file's
    // open came back from the thread pool. Every open is held 30 ms here so that order is certain.
    async function* failing(): AsyncIterable<ExportRow> {
      yield rows[0]!;
      throw new Error('database went away');
    }
    const open = fs.open;
    (fs as { open: unknown }).open = (...args: unknown[]) => setTimeout(() => (open as (...a: unknown[]) => void)(...args), 30);
    try {
      await assert.rejects(store.write('late/broken.xlsx', (out) => writeXlsx(failing(), columns, out, { sheetName: 'x' })), /database went away/);
      await assert.rejects(store.write('late/broken.csv', (out) => writeCsv(failing(), columns, out)), /database went away/);
    } finally {
      fs.open = open;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await readdir(path.join(dir, 'late')), []);
  });

  test('writing a key again removes what an earlier, killed write of it left; other keys\' partial files stay', async () => {
    await mkdir(path.join(dir, 'k'), { recursive: true });
    // What a process killed mid-write leaves: the partial file of its attempt.
    await writeFile(path.join(dir, 'k', 'report.csv.0b8e8c4e-0000-4000-8000-000000000000.partial'), 'half a file');
    await writeFile(path.join(dir, 'k', 'other.csv.0b8e8c4e-0000-4000-8000-000000000001.partial'), 'someone else');
    await store.write('k/report.csv', (out) => writeCsv(from(rows), columns, out));
    assert.deepEqual((await readdir(path.join(dir, 'k'))).sort(), ['other.csv.0b8e8c4e-0000-4000-8000-000000000001.partial', 'report.csv']);
    await writeFile(path.join(dir, 'k', 'report.csv.0b8e8c4e-0000-4000-8000-000000000002.partial'), 'half a file');
    await store.writeFromPath('k/report.csv', async (target) => {
      await writeFile(target, 'a,b\n');
      return { rowCount: 1 };
    });
    assert.deepEqual((await readdir(path.join(dir, 'k'))).sort(), ['other.csv.0b8e8c4e-0000-4000-8000-000000000001.partial', 'report.csv']);
  });

  test('keys that climb out of the store are refused', () => {
    assert.throws(() => store.read('../etc/passwd'));
    assert.throws(() => store.read('/etc/passwd'));
    assert.throws(() => store.read('a/../../b'));
  });
});

describe('signed download links', () => {
  const signer = new UrlSigner(Buffer.alloc(32, 7), 'http://localhost:8080');

  test('a fresh link verifies; an expired, tampered or re-keyed one does not', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const link = new URL(signer.sign('exports/x/a.csv', 'report.csv', 600, now).url);
    const expires = link.searchParams.get('expires')!;
    const sig = link.searchParams.get('sig')!;
    assert.equal(link.pathname, '/downloads/exports/x/a.csv');
    assert.equal(signer.verify('exports/x/a.csv', expires, 'report.csv', sig, now), true);
    assert.equal(signer.verify('exports/x/a.csv', expires, 'report.csv', sig, now + 601_000), false, 'expired');
    assert.equal(signer.verify('exports/x/b.csv', expires, 'report.csv', sig, now), false, 'other file');
    assert.equal(signer.verify('exports/x/a.csv', String(Number(expires) + 3600), 'report.csv', sig, now), false, 'longer life');
    assert.equal(signer.verify('exports/x/a.csv', expires, 'other.csv', sig, now), false, 'other name');
    assert.equal(signer.verify('exports/x/a.csv', expires, 'report.csv', 'AAAA', now), false, 'garbage signature');
    assert.equal(new UrlSigner(Buffer.alloc(32, 8), 'http://x').verify('exports/x/a.csv', expires, 'report.csv', sig, now), false, 'other secret');
  });
});
