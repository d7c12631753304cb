import assert from 'node:assert/strict';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { openDuckDbStore } from '../../src/store/index.js';
import { startE2eServer } from '../helpers/e2e-server.js';
import { loadDemoData } from '../../src/seed/index.js';

// Issue "Exports", acceptance: an EXCEL export longer than a worksheet spans two worksheets and
// loses no row. The writer's documented split (xlsx-writer.ts): the sheet's rows less the header
// row of data per sheet, then a new sheet that starts again with the header row. A sheet holds
// Excel's 1,048,576 rows unless XLSX_SHEET_ROWS says fewer: here 4,000, so the 5,000-row export
// shows the same continuation as a 1,100,000-row one would, in seconds rather than a minute and a
// quarter (issue 21); config.test.ts checks the default. Frozen panes and sheet names are read
// back in writers.test.ts (exceljs' streaming reader does not parse sheet views).
const SHEET_ROWS = 4_000;
const TOTAL = 5_000;
const PER_SHEET = SHEET_ROWS - 1;
const RANGE = { startDate: '2025-01-01', endDate: '2025-12-31' };
const HEADER = ['Usage date', 'Team ID', 'Team name', 'User name', 'E-mail address', 'Product', 'Product line code', 'Version', 'Source', 'Tokens'];

/** One USAGE report row as the report orders it (spec §3.4), computed with our own SQL. */
const RAW_USAGE = `
  select strftime(r.usage_date, '%Y-%m-%d') as d, r.team_id, t.name, u.user_name, u.email, r.product_name, r.product_line_code,
         r.product_version, r.source, sum(r.tokens_consumed) as tokens
    from usage_records r join users u on u.id = r.user_id join teams t on t.id = r.team_id
   where r.usage_date between date '${RANGE.startDate}' and date '${RANGE.endDate}'
   group by all`;

/**
 * A data directory whose USAGE report of 2025 has exactly TOTAL rows: the demo generator seeds
 * users, teams and 2,000 records, then each added record copies one of those under a version of
 * its own, so it is a report row of its own.
 */
async function prepareDataDir(dir: string): Promise<{ readonly sheet1Last: unknown[]; readonly sheet2First: unknown[]; readonly tokens: number }> {
  const seeded = await openDuckDbStore({ dataDir: dir });
  await seeded.migrate();
  await loadDemoData(seeded, { rows: 2_000, seed: 7, from: '2025-01-01', to: '2025-12-31' });
  await seeded.close();
  const instance = await DuckDBInstance.create(path.join(dir, 'usage.duckdb'));
  const raw = await instance.connect();
  try {
    const count = async (sql: string) => Number((await raw.runAndReadAll(sql)).getRowsJson()[0]![0]);
    const seededRows = await count(`select count(*) from (${RAW_USAGE})`);
    const inRange = `usage_date between date '${RANGE.startDate}' and date '${RANGE.endDate}'`;
    // Only records that make report rows (a user and a team) serve as templates, and only the
    // columns the report reads are copied (the other 30 stay null: half the insert time).
    const columns = `contract_number, team_id, usage_category, source, user_id, user_name, product_line_code, product_name,
                     usage_date, contract_year, charge_category, token_pool, tokens_consumed`;
    await raw.run(`create temp table template as
      select ${columns}, product_version, row_number() over (order by r.id) - 1 as k from usage_records r
       where ${inRange} and r.user_id in (select id from users) and r.team_id in (select id from teams)`);
    await raw.run(`
      insert into usage_records (id, product_version, ${columns})
      select 'bulk-' || n, coalesce(product_version, '') || '.b' || n, ${columns}
        from range(${TOTAL - seededRows}) t(n) join template r on r.k = n % ${await count('select count(*) from template')}`);
    await raw.run(`create temp table expected as ${RAW_USAGE}`);
    assert.equal(await count('select count(*) from expected'), TOTAL);
    const tokens = await count('select sum(tokens) from expected');
    // The two rows either side of the sheet boundary, in the report's order.
    const boundary = (await raw.runAndReadAll(`select * from expected order by d, team_id, user_name, product_name, product_version, source
                                                limit 2 offset ${PER_SHEET - 1}`)).getRowsJson();
    return { sheet1Last: boundary[0]!, sheet2First: boundary[1]!, tokens };
  } finally {
    raw.closeSync();
    instance.closeSync();
  }
}

/** A report row as the test compares it: dates as YYYY-MM-DD, numbers as numbers, text as text. */
function cells(values: readonly unknown[]): unknown[] {
  // Array.from, not map: exceljs leaves an empty cell as a hole in the array, which map skips.
  return Array.from(values.slice(1), (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value ?? null));
}

test('an EXCEL export longer than a worksheet continues on a second worksheet, header repeated, and loses no row', async (t) => {
  // DuckDB even when TEST_STORE=postgres runs the suite: the rows are made by writing the DuckDB
  // file directly (prepareDataDir). The writer under test is the same on both backends;
  // PostgreSQL's exports are compared file for file with DuckDB's in queries.postgres.e2e.
  let expected: Awaited<ReturnType<typeof prepareDataDir>> | undefined;
  const server = await startE2eServer(t, {
    name: 'xlsx', env: { DATABASE_URL: '', XLSX_SHEET_ROWS: String(SHEET_ROWS) },
    prepare: async (dir) => { expected = await prepareDataDir(dir); },
  });
  assert.ok(expected);
  const headers = await server.headers();

  // 1. A real export over the socket: USAGE of every team of the admin, one year, EXCEL.
  const submitted = await fetch(`${server.url}/insights/v1/exports`, {
    method: 'POST', headers, body: JSON.stringify({ outputFormat: 'EXCEL', reports: ['USAGE'], ...RANGE }),
  });
  assert.equal(submitted.status, 200, await submitted.clone().text());
  const { id } = (await submitted.json()) as { id: string };
  let status: { status: string; downloads: { downloadURL: string; rowCount: number }[] };
  for (;;) {
    status = (await (await fetch(`${server.url}/insights/v1/exports/${id}`, { headers })).json()) as typeof status;
    if (status.status !== 'SUBMITTED') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.equal(status.status, 'COMPLETED', JSON.stringify(status));
  assert.equal(status.downloads[0]!.rowCount, TOTAL, 'the recorded row count');

  // 2. Read the download back as it streams in, with exceljs' streaming reader.
  const link = new URL(status.downloads[0]!.downloadURL);
  const download = await fetch(`${server.url}${link.pathname}${link.search}`);
  assert.equal(download.status, 200);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.fromWeb(download.body as never), {
    sharedStrings: 'ignore', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore',
  });
  const sheets: { name: string; header: unknown[]; rows: number; first: unknown[]; last: unknown[] }[] = [];
  let tokens = 0;
  for await (const worksheet of reader) {
    const sheet = { name: (worksheet as unknown as { name: string }).name, header: [] as unknown[], rows: 0, first: [] as unknown[], last: [] as unknown[] };
    for await (const row of worksheet) {
      const values = row.values as unknown[];
      if (row.number === 1) {
        sheet.header = values.slice(1);
        continue;
      }
      assert.equal(row.number, sheet.rows + 2, 'rows are contiguous');
      if (sheet.rows === 0) sheet.first = values;
      sheet.last = values;
      sheet.rows++;
      tokens += Number(values[10] ?? 0);
    }
    sheets.push(sheet);
  }

  // 3. Two sheets, split where the writer documents, every row there once.
  assert.deepEqual(sheets.map((s) => s.name), ['Usage', 'Usage (2)']);
  assert.deepEqual(sheets.map((s) => s.rows), [PER_SHEET, TOTAL - PER_SHEET]);
  for (const sheet of sheets) assert.deepEqual(sheet.header, HEADER, `header row of ${sheet.name}`);
  assert.deepEqual(cells(sheets[0]!.last), expected.sheet1Last, 'the last row of sheet 1 is the report row before the split');
  assert.deepEqual(cells(sheets[1]!.first), expected.sheet2First, 'sheet 2 starts with the very next report row');
  assert.ok(Math.abs(tokens - expected.tokens) < 1e-6 * expected.tokens, `token sum ${tokens} vs ${expected.tokens}`);
});
