import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UsageReferences } from '../store/index.js';
import { INPUT_COLUMNS, describeRecordFormat } from './record-format.js';
import { isProblem, readRows, type ReadItem, type UsageFormat } from './read-rows.js';
import { RecordValidator, type RawRow } from './validate-record.js';

const REFERENCES: UsageReferences = {
  contracts: [{
    contractNumber: 'C1', teamId: 'T1',
    years: [{ year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 100 }],
  }],
  teamIds: ['T1', 'T2'],
  products: [
    { productLineCode: 'ACD', version: '2025', productName: 'AutoCAD', featureCode: 'F-ACD', dailyTokenRate: 4, effectiveFrom: null, effectiveTo: null },
    { productLineCode: 'X', version: '1', productName: 'X old', featureCode: 'F-X1', dailyTokenRate: 1, effectiveFrom: null, effectiveTo: '2025-06-30' },
    { productLineCode: 'X', version: '1', productName: 'X new', featureCode: 'F-X2', dailyTokenRate: 2, effectiveFrom: '2025-07-01', effectiveTo: null },
  ],
};

const SESSION = {
  contractNumber: 'C1', userName: 'ann', productLineCode: 'ACD', productVersion: '2025',
  sessionStartDate: '2025-03-04T04:30:00Z', sessionEndDate: '2025-03-04T06:00:00Z', licenseServerTimeZoneOffset: '-05:00',
};

const validator = new RecordValidator(REFERENCES);
const row = (values: Record<string, unknown>, fromCsv = false): RawRow => ({ line: 7, values, fromCsv });

function problemsOf(values: Record<string, unknown>, fromCsv = false): string[] {
  const result = validator.validate(row(values, fromCsv));
  assert.equal(result.ok, false, 'expected the row to be refused');
  return result.ok ? [] : result.problems.map((p) => `${p.line} ${p.field}: ${p.message}`);
}

function recordOf(values: Record<string, unknown>, fromCsv = false) {
  const result = validator.validate(row(values, fromCsv));
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.record;
}

async function readAll(chunks: readonly (string | Uint8Array)[], format: UsageFormat): Promise<ReadItem[]> {
  const items: ReadItem[] = [];
  for await (const batch of readRows((async function* () { yield* chunks; })(), format)) items.push(...batch);
  return items;
}

// ---- Reading -------------------------------------------------------------------------------------

test('NDJSON lines are numbered from 1, blank lines skipped, CRLF and a BOM accepted, across chunk boundaries', async () => {
  const items = await readAll(['\ufeff{"a":1}\r\n\n  \n{"b"', ':2}\n{"c":3}'], 'ndjson');
  assert.deepEqual(items, [
    { line: 1, values: { a: 1 }, fromCsv: false },
    { line: 4, values: { b: 2 }, fromCsv: false },
    { line: 5, values: { c: 3 }, fromCsv: false },
  ]);
});

test('a line that is not JSON, or not one object, is a problem of the whole line', async () => {
  const items = await readAll(['{"a":\n[1,2]\nnull\n{"ok":true}\n'], 'ndjson');
  assert.deepEqual(items.map((i) => (isProblem(i) ? `${i.line} '${i.field}' ${i.message.split(':')[0]}` : `${i.line} row`)), [
    "1 '' not valid JSON", "2 '' a line must hold one JSON object", "3 '' a line must hold one JSON object", '4 row',
  ]);
});

test('a UTF-8 character split between two chunks is read whole', async () => {
  const bytes = new TextEncoder().encode('{"userName":"Zoë"}\n');
  const items = await readAll([bytes.slice(0, 16), bytes.slice(16)], 'ndjson');
  assert.deepEqual(items, [{ line: 1, values: { userName: 'Zoë' }, fromCsv: false }]);
});

test('CSV rows are keyed by the header and numbered by the line they start on', async () => {
  const items = await readAll(['contractNumber,reasonComment\r\nC1,"two\r\nlines"\r\n', 'C2,one\r\nC3,"a\nb\r\nc"\r\nC4,x\r\n'], 'csv');
  assert.deepEqual(items.map((i) => (isProblem(i) ? i : i.line)), [2, 4, 5, 8]);
  assert.deepEqual(items[0], { line: 2, values: { contractNumber: 'C1', reasonComment: 'two\r\nlines' }, fromCsv: true });
});

test('a CSV header with an unknown or repeated column stops the batch at line 1, with a suggestion', async () => {
  const items = await readAll(['contractnumber,userName,userName,chargeCategory\nC1,a,b,c\n'], 'csv');
  assert.deepEqual(items, [
    { line: 1, field: 'contractnumber', message: 'unknown column; did you mean contractNumber?' },
    { line: 1, field: 'userName', message: 'the header names this column twice' },
    { line: 1, field: 'chargeCategory', message: 'chargeCategory is computed by the rating; leave it out' },
  ]);
});

test('a CSV row with the wrong number of cells, an unclosed quote or an empty body is a problem', async () => {
  assert.deepEqual(await readAll(['contractNumber,userName\nC1\n'], 'csv'), [{ line: 2, field: '', message: 'the row has 1 cells, the header 2' }]);
  const unclosed = await readAll(['contractNumber\n"C1\n'], 'csv');
  assert.equal(unclosed.length, 1);
  assert.match(isProblem(unclosed[0] as ReadItem) ? (unclosed[0] as { message: string }).message : '', /^not valid CSV: Quote Not Closed/);
  assert.deepEqual(await readAll([''], 'csv'), [{ line: 1, field: '', message: 'the body is empty: a CSV body starts with a header row naming the columns' }]);
});

// ---- Validation ----------------------------------------------------------------------------------

test('a desktop session is dated on the licence server\'s local day and filled in from the references', () => {
  const record = recordOf(SESSION);
  assert.equal(record.usageDate, '2025-03-03');
  assert.equal(record.contractYear, 1);
  assert.equal(record.teamId, 'T1');
  assert.equal(record.productName, 'AutoCAD');
  assert.equal(record.productFeatureCode, 'F-ACD');
  assert.equal(record.usageType, 'Normal');
  assert.equal(record.source, 'flex');
  assert.equal(record.usageAt, Date.parse('2025-03-04T04:30:00Z'));
  assert.equal(record.sessionEnd, Date.parse('2025-03-04T06:00:00Z'));
  assert.equal(record.chargedItemId, record.id);
  assert.match(record.id, /^[0-9a-f]{32}$/);
});

test('the content id is the same whether defaults are written out, the row is CSV, or an offset is written differently', () => {
  const id = recordOf(SESSION).id;
  assert.equal(recordOf({ ...SESSION, source: 'flex', usageType: 'Normal', usageCategory: 'DESKTOP_PRODUCT' }).id, id);
  assert.equal(recordOf({ ...SESSION, usageCategory: 'PRODUCT_CONSUMPTION', usageType: 'normal' }).id, id);
  assert.equal(recordOf({ ...SESSION, machineName: '' }).id, id);
  assert.equal(recordOf({ ...SESSION, sessionStartDate: '2025-03-03T23:30:00-05:00' }).id, id);
  assert.notEqual(recordOf({ ...SESSION, sessionEndDate: '2025-03-04T06:00:01Z' }).id, id);
  assert.notEqual(recordOf({ ...SESSION, userName: 'bob' }).id, id);
  assert.equal(recordOf({ ...SESSION, id: 'my-own-id' }).id, 'my-own-id');
});

test('content ids never change: records sent before an upgrade are still counted once when sent again', () => {
  // Ids computed by the release that introduced them; a new way of hashing must give these same ids.
  assert.equal(recordOf(SESSION).id, 'f1d74e6e7dae02802e1a3fcbf8dac661');
  assert.equal(recordOf({
    usageCategory: 'CLOUD_SERVICE', contractNumber: 'C1', userName: 'bob "b" \\ é 😀', productLineCode: 'RENDER', productName: 'Cloud\tRendering',
    usageTimestamp: '2025-05-01T10:20:30.456Z', tokens: 2.75, hubId: 'h1', jobStatus: 'Failed', customField3: 'x\u0001y',
  }).id, 'b932e26fa0ac62a4238ddde8470d9c88');
  assert.equal(recordOf({
    usageCategory: 'MANUAL_ADJUSTMENT', contractNumber: 'C1', teamId: 'T2', transactionDate: '2025-06-01T00:00:00+02:00', tokens: -12.5,
    quantity: 0.1, reasonType: 'Refund', reasonComment: 'line\nbreak', chargedItemID: 'ci-1', source: 'ppu',
  }).id, 'e471c8d82765f7044cb2eff6e38b1d35');
});

test('text that no database can store as UTF-8 is a bad value, named by its column', () => {
  assert.deepEqual(problemsOf(JSON.parse(`{"contractNumber":"C1","userName":"ann","productLineCode":"ACD","productVersion":"2025",
    "sessionStartDate":"2025-03-04T04:30:00Z","sessionEndDate":"2025-03-04T06:00:00Z","licenseServerTimeZoneOffset":"-05:00",
    "machineName":"lone \\ud800 half","licenseServerName":"nul \\u0000 char"}`) as Record<string, unknown>), [
    '7 machineName: is not valid Unicode text: it holds an unpaired surrogate (U+D800 to U+DFFF)',
    '7 licenseServerName: must not contain the NUL character (U+0000)',
  ]);
  // A pair is one character, and any other control character is text like the rest.
  assert.equal(recordOf({ ...SESSION, machineName: 'emoji \ud83d\ude00 del \u007f' }).machineName, 'emoji \ud83d\ude00 del \u007f');
});

test('numbers are parsed from CSV text and must be numbers in JSON', () => {
  const manual = { usageCategory: 'MANUAL_ADJUSTMENT', contractNumber: 'C1', transactionDate: '2025-05-01T10:00:00Z' };
  assert.equal(recordOf({ ...manual, tokens: '-12.5', quantity: '3' }, true).tokens, -12.5);
  assert.deepEqual(problemsOf({ ...manual, tokens: '-12.5' }), ["7 tokens: must be a number, got '-12.5'"]);
  assert.deepEqual(problemsOf({ ...manual, tokens: 'many' }, true), ["7 tokens: must be a finite number, got 'many'"]);
});

// Problems of one row come in the order of its columns.
test('required values depend on the usage category, and values of other categories are refused', () => {
  assert.deepEqual(problemsOf({ contractNumber: 'C1' }), [
    '7 userName: is required for DESKTOP_PRODUCT records',
    '7 productLineCode: is required for DESKTOP_PRODUCT records',
    '7 productVersion: is required for DESKTOP_PRODUCT records',
    '7 sessionStartDate: is required for DESKTOP_PRODUCT records',
    '7 sessionEndDate: is required for DESKTOP_PRODUCT records',
    '7 licenseServerTimeZoneOffset: is required for DESKTOP_PRODUCT records',
  ]);
  assert.deepEqual(problemsOf({ ...SESSION, tokens: 3, jobStatus: 'Failed' }), [
    '7 tokens: does not apply to DESKTOP_PRODUCT records',
    '7 jobStatus: does not apply to DESKTOP_PRODUCT records',
  ]);
  const cloud = { usageCategory: 'CLOUD_SERVICE', contractNumber: 'C1', userName: 'ann', productLineCode: 'RENDER', usageTimestamp: '2025-05-01T10:00:00Z' };
  assert.deepEqual(problemsOf(cloud), ['7 tokens: is required for a Flex cloud event that did not fail']);
  assert.equal(recordOf({ ...cloud, jobStatus: 'failed' }).jobStatus, 'Failed');
  assert.deepEqual(problemsOf({ ...cloud, tokens: -1 }), ['7 tokens: a cloud event cannot have negative tokens']);
});

test('types, enumerations, offsets and lengths are checked against the catalogue', () => {
  assert.deepEqual(problemsOf({ ...SESSION, usageCategory: 'DESKTOP', source: 'free', usageType: 'Lent', contractNumber: 110 }), [
    '7 contractNumber: must be a string, got 110',
    "7 usageCategory: must be one of DESKTOP_PRODUCT, CLOUD_PRODUCT, CLOUD_SERVICE, MANUAL_ADJUSTMENT, MANUAL_CONSUMPTION, got 'DESKTOP'",
    "7 source: must be one of sus, ppu, flex, got 'free'",
    "7 usageType: must be one of Normal, Borrowed, got 'Lent'",
  ]);
  assert.deepEqual(problemsOf({ ...SESSION, licenseServerTimeZoneOffset: 'CET', sessionEndDate: '2025-03-04' }), [
    "7 sessionEndDate: must be an ISO 8601 date-time such as 2025-03-04T08:15:00Z, got '2025-03-04'",
    "7 licenseServerTimeZoneOffset: must be a UTC offset such as +01:00 or -05:00, got 'CET'",
  ]);
  assert.deepEqual(problemsOf({ ...SESSION, id: 'x'.repeat(201) }), ['7 id: is longer than 200 characters']);
  assert.deepEqual(problemsOf({ ...SESSION, useCount: 1, hubname: 'x' }), [
    '7 useCount: useCount is computed by the rating; leave it out',
    '7 hubname: unknown column; did you mean hubName?',
  ]);
});

test('unknown contracts, teams and products, and days outside every contract year, are refused', () => {
  assert.deepEqual(problemsOf({ ...SESSION, contractNumber: 'C9', teamId: 'T9', productVersion: '1999' }), [
    '7 contractNumber: unknown contract C9',
    '7 teamId: unknown team T9',
    '7 productVersion: unknown product ACD version 1999',
  ]);
  assert.deepEqual(problemsOf({ ...SESSION, sessionStartDate: '2026-01-01T06:00:00Z', sessionEndDate: '2026-01-01T07:00:00Z' }), [
    '7 sessionStartDate: no year of contract C1 covers the usage date 2026-01-01',
  ]);
  assert.deepEqual(problemsOf({ ...SESSION, sessionEndDate: '2025-03-04T04:00:00Z' }), ['7 sessionEndDate: the session ends before it starts']);
});

test('several entries of one product version are told apart by their effective dates', () => {
  const x = { ...SESSION, productLineCode: 'X', productVersion: '1' };
  assert.equal(recordOf(x).productName, 'X old');
  assert.equal(recordOf({ ...x, sessionStartDate: '2025-07-02T10:00:00Z', sessionEndDate: '2025-07-02T11:00:00Z' }).productName, 'X new');
  assert.equal(recordOf({ ...x, productName: 'Given' }).productName, 'Given');
});

test('the documented format names every column, and the computed ones', () => {
  const text = describeRecordFormat();
  for (const column of INPUT_COLUMNS.filter((c) => !/^customField([2-9]|10)$/.test(c.name))) assert.ok(text.includes(`\`${column.name}`), column.name);
  assert.match(text, /`tokenPool`/);
});
