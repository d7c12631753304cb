import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UsageReferences } from '../../store/index.js';
import { RecordValidator } from '../validate-record.js';
import type { SourceProblem } from './source-items.js';
import { readTokenflexExport, type TokenflexExportItem, type TokenflexExportRecord } from './tokenflex-export.js';

const CONTRACT = '110000917988';

/** The desktop session-level export's columns, in the order of seed 002's request. */
const DESKTOP_COLUMNS = [
  'usageMonth', 'usageDate', 'contractYear', 'productName', 'productLineCode', 'productVersion', 'productFeatureCode', 'userName',
  'machineName', 'sessionStartDate', 'sessionEndDate', 'licenseServerTimeZoneOffset', 'chargedItemID', 'chargeCategory',
  'licenseServerName', 'usageType', 'usageCategory', ...Array.from({ length: 10 }, (_, k) => `customField${k + 1}`),
  'tokensConsumed', 'usageMinutes', 'usageHours',
];

/** A line as Autodesk writes it: every cell quoted, a comma at the end. */
const autodeskLine = (cells: readonly string[]) => `${cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')},\r\n`;

const DESKTOP_ROW = (values: Partial<Record<string, string>>) => DESKTOP_COLUMNS.map((name) => values[name] ?? ({
  usageMonth: '2025-03-01', usageDate: '2025-03-04', contractYear: '1', productName: 'AutoCAD', productLineCode: 'ACD', productVersion: '2025',
  productFeatureCode: '87545ACD_2025_0F', userName: 'ann', machineName: 'NYC-WS0001', sessionStartDate: '2025-03-04 13:02:11',
  sessionEndDate: '2025-03-04 14:47:30', licenseServerTimeZoneOffset: '-05:00', chargedItemID: '4f1d8a2e-61c0-4b7e-9d3a-0c2b5e7f9a11',
  chargeCategory: 'CHARGED', licenseServerName: 'NYC-LIC01', usageType: 'Normal', usageCategory: 'DESKTOP_PRODUCT', customField1: 'Design',
  tokensConsumed: '6.0', usageMinutes: '105.32', usageHours: '1.7553',
} as Record<string, string>)[name] ?? '');

async function read(text: string, file = 'export.csv'): Promise<TokenflexExportItem[]> {
  const items: TokenflexExportItem[] = [];
  for await (const chunk of readTokenflexExport([Buffer.from(text, 'utf8')], file, { contractNumber: CONTRACT })) items.push(...chunk);
  return items;
}

const records = (items: readonly TokenflexExportItem[]) => items.filter((i): i is TokenflexExportRecord => i.kind === 'record');
const problems = (items: readonly TokenflexExportItem[]) => items.filter((i): i is SourceProblem => i.kind === 'problem')
  .map((p) => `${p.file}:${p.line} ${p.field ? `${p.field}: ` : ''}${p.message}`);

test('a desktop session-level export as Autodesk writes it becomes records carrying Autodesk\'s charges as given', async () => {
  const items = await read(autodeskLine(DESKTOP_COLUMNS) + autodeskLine(DESKTOP_ROW({}))
    + autodeskLine(DESKTOP_ROW({ chargedItemID: 'b2', sessionStartDate: '2025-03-04 15:00:00', sessionEndDate: '2025-03-04 15:03:00', chargeCategory: 'CASUAL', tokensConsumed: '0.0', usageMinutes: '3.0', usageHours: '0.05', customField1: '' })));
  assert.deepEqual(problems(items), []);
  const [first, second] = records(items);
  assert.deepEqual(first, {
    kind: 'record', file: 'export.csv', line: 2,
    values: {
      productName: 'AutoCAD', productLineCode: 'ACD', productVersion: '2025', productFeatureCode: '87545ACD_2025_0F', userName: 'ann',
      machineName: 'NYC-WS0001', sessionStartDate: '2025-03-04T13:02:11Z', sessionEndDate: '2025-03-04T14:47:30Z',
      licenseServerTimeZoneOffset: '-05:00', chargedItemID: '4f1d8a2e-61c0-4b7e-9d3a-0c2b5e7f9a11', licenseServerName: 'NYC-LIC01',
      usageType: 'Normal', customField1: 'Design', id: first!.values.id as string, usageCategory: 'DESKTOP_PRODUCT', contractNumber: CONTRACT,
    },
    charge: { usageDate: '2025-03-04', contractYear: 1, chargeCategory: 'CHARGED', tokenPool: null, tokensConsumed: 6, usageMinutes: 105.32, isChargedEvent: true },
  });
  assert.match(first!.values.id as string, /^tokenflex-[0-9a-f]{32}$/);
  assert.deepEqual([second!.line, second!.charge], [3, { usageDate: '2025-03-04', contractYear: 1, chargeCategory: 'CASUAL', tokenPool: null, tokensConsumed: 0, usageMinutes: 3, isChargedEvent: false }]);
  assert.equal('customField1' in second!.values, false);
});

test('the same session in our own export\'s layout (ISO times, cells quoted only when needed) and in an overlapping file gets the same id', async () => {
  const autodesk = records(await read(autodeskLine(DESKTOP_COLUMNS) + autodeskLine(DESKTOP_ROW({}))));
  const columns = ['usageDate', 'contractYear', 'productLineCode', 'productVersion', 'userName', 'sessionStartDate', 'sessionEndDate', 'chargedItemID', 'chargeCategory', 'usageCategory', 'tokensConsumed'];
  const ours = records(await read(`${columns.join(',')}\r\n2025-03-04,1,ACD,2025,ann,2025-03-04T13:02:11Z,2025-03-04T14:47:30Z,4f1d8a2e-61c0-4b7e-9d3a-0c2b5e7f9a11,CHARGED,DESKTOP_PRODUCT,6.0\r\n`, 'ours.csv'));
  assert.equal(ours[0]!.values.id, autodesk[0]!.values.id);
  assert.deepEqual(ours[0]!.charge, { ...autodesk[0]!.charge, usageMinutes: null });
  // Another session of the same charged item (same user, another start) is another record.
  const other = records(await read(autodeskLine(DESKTOP_COLUMNS) + autodeskLine(DESKTOP_ROW({ sessionStartDate: '2025-03-04 16:00:00', sessionEndDate: '2025-03-04 17:00:00' }))));
  assert.notEqual(other[0]!.values.id, autodesk[0]!.values.id);
});

test('cloud and manual session-level exports: tokens as given (a refund negative), jobStatus, quantity, tokenPool', async () => {
  const cloud = records(await read(
    'usageDate,contractYear,productName,productLineCode,userName,usageTimestamp,hubId,hubName,jobStatus,chargedItemID,chargeCategory,tokenPool,usageCategory,tokensConsumed\n' +
    '2025-03-04,1,Rendering,RENDER,ann,2025-03-04 15:00:00,hub-1,Main hub,Success,c-1,CHARGED,MY,CLOUD_SERVICE,3.0\n' +
    '2025-03-04,1,Rendering,RENDER,ann,2025-03-04 15:30:00,hub-1,Main hub,Failed,c-2,FREE,CY,CLOUD_SERVICE,0.0\n'));
  assert.deepEqual(cloud.map((r) => [r.values.usageTimestamp, r.values.jobStatus, r.values.tokens, r.charge.chargeCategory, r.charge.tokenPool, r.charge.isChargedEvent]), [
    ['2025-03-04T15:00:00Z', 'Success', 3, 'CHARGED', 'MY', true],
    ['2025-03-04T15:30:00Z', 'Failed', 0, 'FREE', 'CY', false],
  ]);
  const manual = records(await read(
    'usageDate,contractYear,transactionDate,reasonType,reasonComment,chargedItemID,usageCategory,tokensConsumed,quantity\n' +
    '2025-03-10,1,2025-03-10,REFUND,"Duplicate charge, March 4",m-1,MANUAL_ADJUSTMENT,-6.0,1.0\n'));
  assert.deepEqual(manual.map((r) => [r.values.transactionDate, r.values.reasonComment, r.values.tokens, r.values.quantity, r.charge]), [
    ['2025-03-10T00:00:00Z', 'Duplicate charge, March 4', -6, 1,
      { usageDate: '2025-03-10', contractYear: 1, chargeCategory: 'N/A', tokenPool: null, tokensConsumed: -6, usageMinutes: null, isChargedEvent: false }],
  ]);
});

test('the records are records of the usage record format: the batch validation accepts them (the charge apart)', async () => {
  const [desktop] = records(await read(autodeskLine(DESKTOP_COLUMNS) + autodeskLine(DESKTOP_ROW({}))));
  const references: UsageReferences = {
    contracts: [{ contractNumber: CONTRACT, teamId: 'T1', years: [{ year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 100 }] }],
    teamIds: ['T1'],
    products: [{ productLineCode: 'ACD', version: '2025', productName: 'AutoCAD', featureCode: '87545ACD_2025_0F', dailyTokenRate: 6, effectiveFrom: null, effectiveTo: null }],
  };
  const result = new RecordValidator(references).validate({ line: desktop!.line, values: desktop!.values, fromCsv: false });
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual([result.record.id, result.record.usageDate, result.record.contractYear], [desktop!.values.id, desktop!.charge.usageDate, desktop!.charge.contractYear]);
});

test('an aggregated export is refused with a sentence saying which export to request', async () => {
  const items = await read(autodeskLine(['usageDate', 'productName', 'userName', 'usageCategory', 'tokensConsumed', 'usageMinutes'])
    + autodeskLine(['2025-03-04', 'AutoCAD', 'ann', 'DESKTOP_PRODUCT', '12.0', '240.5']));
  assert.equal(items.length, 1);
  const [message] = problems(items);
  assert.match(message!, /^export\.csv:1 this is an aggregated Token Flex export: it has none of the session-level fields .* Request a session-level export instead: for desktop usage, the desktop session-level export \(usageCategory \["DESKTOP_PRODUCT"\], fields usageDate, contractYear, .*chargedItemID.*\); for cloud usage, .*; for manual transactions, .*$/);
});

test('a session-level export without what its records need is refused at its header', async () => {
  const cases: [string, string][] = [
    ['usageDate,contractYear,userName,sessionStartDate,sessionEndDate,usageCategory,tokensConsumed\n',
      'export.csv:1 chargedItemID: a session-level export to import needs the column chargedItemID (the record\'s id and its charge). Request for desktop usage'],
    ['usageDate,contractYear,chargedItemID,usageTimestamp,tokensConsumed\n',
      'export.csv:1 usageCategory: the export has no usageCategory column and its fields do not tell which category its rows are'],
    ['usageDate,contractYear,chargedItemID,sessionStartDate,tokensConsumed\n',
      'export.csv:1 sessionEndDate: a DESKTOP_PRODUCT session-level export needs the columns sessionEndDate, userName, productLineCode, productVersion, chargeCategory.'],
    ['usageDate,contractYear,chargedItemID,sessionStart,Department,usageDate\n',
      'export.csv:1 sessionStart: is not a Token Flex field or metric (GET /tokenflex/v1/catalog lists them)'],
    ['', 'export.csv:1 the file is empty: a Token Flex export starts with a header row of field and metric names'],
  ];
  for (const [text, expected] of cases) {
    const found = problems(await read(text));
    assert.ok(found[0]!.startsWith(expected), `${found[0]}\n  should start with\n${expected}`);
  }
  // Every bad name of the header is listed.
  assert.deepEqual(problems(await read('usageDate,contractYear,chargedItemID,sessionStart,Department,usageDate\n')).map((p) => p.split(':')[1]),
    ['1 sessionStart', '1 Department', '1 usageDate']);
});

test('every refused row names its line, its column and the reason', async () => {
  const header = 'usageDate,contractYear,productLineCode,productVersion,userName,sessionStartDate,sessionEndDate,chargedItemID,chargeCategory,usageCategory,tokensConsumed,usageMinutes\n';
  const good = '2025-03-04,1,ACD,2025,ann,2025-03-04 13:00:00,2025-03-04 14:00:00,c-1,CHARGED,DESKTOP_PRODUCT,6.0,60.0';
  const rows = [
    good,
    good.replace('2025-03-04 13:00:00', '2025-03-04 25:00:00'),
    good.replace('2025-03-04,1', '04/03/2025,1'),
    good.replace(',1,ACD', ',0,ACD'),
    good.replace('CHARGED', 'charged'),
    good.replace(',6.0,', ',6 tokens,'),
    good.replace(',6.0,', ',-6.0,'),
    good.replace(',60.0', ',-1'),
    good.replace(',ann,', ',,'),
    good.replace('DESKTOP_PRODUCT', 'CLOUD_SERVICE'),
    `${good},x`,
    good.replace('DESKTOP_PRODUCT', 'DESK'),
  ];
  const items = await read(header + rows.join('\n'));
  assert.equal(records(items).length, 1);
  const found = problems(items);
  const cloud = 'export.csv:11 usageTimestamp: is required for CLOUD_SERVICE records, and the export has no such column. Request for desktop usage';
  assert.ok(found[8]!.startsWith(cloud), found[8]);
  assert.deepEqual([...found.slice(0, 8), cloud, ...found.slice(9)], [
    "export.csv:3 sessionStartDate: must be a date-time YYYY-MM-DD HH:MM:SS (UTC) or ISO 8601, got '2025-03-04 25:00:00'",
    "export.csv:4 usageDate: must be a date YYYY-MM-DD, got '04/03/2025'",
    "export.csv:5 contractYear: must be a contract year from 1, got '0'",
    "export.csv:6 chargeCategory: must be one of CASUAL, INCREMENTAL, CHARGED, FREE, N/A, got 'charged'",
    "export.csv:7 tokensConsumed: must be a number, got '6 tokens'",
    "export.csv:8 tokensConsumed: a DESKTOP_PRODUCT record cannot consume negative tokens, got '-6'",
    "export.csv:9 usageMinutes: must be a number of minutes, at least 0, got '-1'",
    'export.csv:10 userName: is required for DESKTOP_PRODUCT records',
    cloud,
    'export.csv:12 the row has 13 cells, the header 12',
    "export.csv:13 usageCategory: must be a usage category, got 'DESK'",
  ]);
});

test('a text cell our own export guarded against formula injection reads as it was; other apostrophes stay', async () => {
  const header = 'usageDate,contractYear,productLineCode,productVersion,userName,sessionStartDate,sessionEndDate,chargedItemID,chargeCategory,usageCategory,tokensConsumed,licenseServerTimeZoneOffset,customField1,customField2\n';
  const [record] = records(await read(`${header}2025-03-04,1,ACD,2025,ann,2025-03-04T13:00:00Z,2025-03-04T14:00:00Z,c-1,CHARGED,DESKTOP_PRODUCT,6.0,'-05:00,'=SUM(A1),'t Hooft\n`));
  assert.deepEqual([record!.values.licenseServerTimeZoneOffset, record!.values.customField1, record!.values.customField2], ['-05:00', '=SUM(A1)', "'t Hooft"]);
});

test('the edge\'s CSV limits hold for an export too: a row over 200 cells or 1 MiB, or a line not UTF-8, is refused at its line', async () => {
  const head = autodeskLine(DESKTOP_COLUMNS) + autodeskLine(DESKTOP_ROW({}));
  const wide = `${DESKTOP_ROW({}).map((c) => `"${c}"`).join(',')}${',""'.repeat(200)}\r\n`;
  const long = autodeskLine(DESKTOP_ROW({ customField2: 'x'.repeat(1 << 20) }));
  assert.deepEqual(problems(await read(head + wide + autodeskLine(DESKTOP_ROW({})))), ['export.csv:3 the row has more than 200 cells']);
  assert.deepEqual(problems(await read(head + long)), ['export.csv:3 the row is longer than 1048576 bytes']);
  // A quoted cell over several lines is one record, counted whole, named by the line it starts on.
  const spanning = autodeskLine(DESKTOP_ROW({ customField2: `a\n${'y'.repeat(1 << 20)}` }));
  assert.deepEqual(problems(await read(head + autodeskLine(DESKTOP_ROW({})) + spanning)), ['export.csv:4 the row is longer than 1048576 bytes']);
  const latin1 = Buffer.concat([Buffer.from(head + autodeskLine(DESKTOP_ROW({}))), Buffer.from(autodeskLine(DESKTOP_ROW({ userName: 'ren\u00e9' })), 'latin1')]);
  const items: TokenflexExportItem[] = [];
  for await (const chunk of readTokenflexExport([latin1], 'export.csv', { contractNumber: CONTRACT })) items.push(...chunk);
  assert.deepEqual(problems(items), ['export.csv:4 the line is not valid UTF-8 text']);
});
