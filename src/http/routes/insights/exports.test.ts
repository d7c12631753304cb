import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededDatabases } from '../../../../test/helpers/build-app.js';
import { pollUntil } from '../../../../test/helpers/poll.js';

let store: Store;
let raw: DuckDBConnection;
before(async (t) => {
  ({ store, raw } = await openSeededDatabases(t as never, 20_000));
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const done = (body: Record<string, unknown>) => body.status !== 'SUBMITTED';
type App = Awaited<ReturnType<typeof buildTestApp>>['app'];

async function exportAndWait(app: App, token: string, payload: object, headers: Record<string, string> = {}) {
  const submit = await app.inject({ method: 'POST', url: '/insights/v1/exports', headers: { ...bearer(token), ...headers }, payload });
  assert.equal(submit.statusCode, 200, submit.body);
  const body = submit.json();
  assert.equal(body.status, 'SUBMITTED');
  assert.deepEqual(body.downloads, []);
  return pollUntil(app, `/insights/v1/exports/${body.id}`, token, done);
}

async function download(app: App, url: string): Promise<Buffer> {
  const link = new URL(url);
  const response = await app.inject({ url: `${link.pathname}${link.search}` });
  assert.equal(response.statusCode, 200);
  return response.rawPayload;
}

const count = async (sql: string, params: string[] = []) => Number((await raw.runAndReadAll(sql, params)).getRowsJson()[0]![0]);

describe('Insights exports (seed 001)', () => {
  test('EXCEL SUBSCRIPTIONS for all teams holds every subscription of the teams administered', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const result = await exportAndWait(app, token, { outputFormat: 'EXCEL', reports: ['SUBSCRIPTIONS'] });
    assert.equal(result.status, 'COMPLETED', JSON.stringify(result));
    assert.equal(result.teamId, null);
    assert.equal(result.teamName, null);
    const downloads = result.downloads as { type: string; downloadURL: string; rowCount: number }[];
    assert.equal(downloads.length, 1);
    assert.equal(downloads[0]!.type, 'SUBSCRIPTIONS');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await download(app, downloads[0]!.downloadURL) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    assert.equal(sheet.name, 'Subscriptions');
    const expected = await count(`select count(*) from subscriptions where team_id in (select team_id from team_members m join users u on u.id = m.user_id where u.email = 'admin@example.com' and m.is_admin)`);
    assert.equal(sheet.rowCount - 1, expected);
    assert.equal(downloads[0]!.rowCount, expected);
    assert.equal(typeof sheet.getCell('J2').value, 'number', 'quantity is a number cell');
    assert.ok(sheet.getCell('L2').value instanceof Date, 'startDate is a date cell');
  });

  test('teamId: null means every team the caller administers, as omitting it does (seed 001, issue 22)', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const withNull = await exportAndWait(app, token, { outputFormat: 'CSV', reports: ['SUBSCRIPTIONS'], teamId: null });
    const omitted = await exportAndWait(app, token, { outputFormat: 'CSV', reports: ['SUBSCRIPTIONS'] });
    assert.equal(withNull.status, 'COMPLETED', JSON.stringify(withNull));
    assert.equal(withNull.teamId, null);
    assert.equal(withNull.teamName, null);
    const rowsOf = (result: Record<string, unknown>) => (result.downloads as { rowCount: number }[])[0]!.rowCount;
    assert.equal(rowsOf(withNull), rowsOf(omitted));
    assert.ok(rowsOf(withNull) > 0);
  });

  test('CSV USERS for one team names the team and holds exactly its members; GET /exports lists both', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const [team] = (await app.inject({ url: '/insights/v1/contexts', headers: bearer(token) })).json() as { contextId: string; alias: string }[];
    const first = await exportAndWait(app, token, { outputFormat: 'CSV', reports: ['USERS'], teamId: team!.contextId });
    assert.equal(first.teamId, team!.contextId);
    assert.equal(first.teamName, team!.alias);
    const csv = parse((await download(app, (first.downloads as { downloadURL: string }[])[0]!.downloadURL)).toString('utf8')) as string[][];
    assert.deepEqual(csv[0], ['teamId', 'teamName', 'userId', 'userName', 'fullName', 'emailAddress', 'userStatus', 'assignedProducts', 'lastUsageDate']);
    assert.equal(csv.length - 1, await count('select count(*) from team_members where team_id = $1', [team!.contextId]));
    const second = await exportAndWait(app, token, { outputFormat: 'JSON', reports: ['SUBSCRIPTIONS'] });
    const list = (await app.inject({ url: '/insights/v1/exports', headers: bearer(token) })).json();
    const ids = (list.exports as { id: string }[]).map((e) => e.id);
    assert.deepEqual(ids.slice(0, 2), [second.id, first.id], 'newest first');
    assert.equal(list.pagination.offset, 0);
    assert.equal(list.pagination.limit, 100);
    assert.ok(list.pagination.totalResults >= 2);
  });

  test('USAGE in JSON holds one row per user, product and day of the range, summing the records', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('alice@example.com');
    const [team] = (await app.inject({ url: '/insights/v1/contexts', headers: bearer(token) })).json() as { contextId: string }[];
    const result = await exportAndWait(app, token, { outputFormat: 'JSON', reports: ['USAGE'], startDate: '2025-06-01T00:00:00Z', endDate: '2025-06-30T23:59:59Z' });
    const rows = JSON.parse((await download(app, (result.downloads as { downloadURL: string }[])[0]!.downloadURL)).toString('utf8')) as { tokens: number; usageDate: string }[];
    const expected = await count(`select count(*) from (select 1 from usage_records where team_id = $1 and usage_date between date '2025-06-01' and date '2025-06-30'
      group by usage_date, user_id, product_name, product_line_code, product_version, source)`, [team!.contextId]);
    assert.equal(rows.length, expected);
    assert.ok(rows.every((row) => row.usageDate >= '2025-06-01' && row.usageDate <= '2025-06-30'));
  });

  test('USAGE_REPORT yields a summary then a detail download, localised by Accept-Language in EXCEL', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const result = await exportAndWait(app, token, {
      outputFormat: 'EXCEL', reports: ['USAGE_REPORT'], usageReports: ['USAGE_REPORT_BY_PRODUCT'],
      startDate: '2025-01-01', endDate: '2025-03-31', filters: { source: ['flex'] },
    }, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    const downloads = result.downloads as { type: string; downloadURL: string; fileName: string }[];
    assert.deepEqual(downloads.map((d) => d.fileName), ['usage-report-summary.xlsx', 'usage-report-detail.xlsx']);
    // Issue 22: the two downloads carry distinct types.
    assert.deepEqual(downloads.map((d) => d.type), ['USAGE_REPORT_BY_PRODUCT', 'USAGE_REPORT_BY_PRODUCT_DETAIL']);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await download(app, downloads[0]!.downloadURL) as unknown as ArrayBuffer);
    assert.equal(workbook.worksheets[0]!.name, 'Nutzung nach Produkt');
    assert.equal(workbook.worksheets[0]!.getCell('A1').value, 'Produkt');
  });

  test('USAGE_REPORT keeps filters.usageCategory (the console\'s Usage report export): summary and detail hold only that category\'s records', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('alice@example.com');
    const [team] = (await app.inject({ url: '/insights/v1/contexts', headers: bearer(token) })).json() as { contextId: string }[];
    const range = { startDate: '2025-01-01T00:00:00Z', endDate: '2025-12-31T23:59:59Z' };
    const totals = async (category?: string) => (await raw.runAndReadAll(`select count(distinct r.user_id), coalesce(sum(r.tokens_consumed), 0) from usage_records r join users u on u.id = r.user_id
      where r.team_id = $1 and r.usage_date between date '2025-01-01' and date '2025-12-31'${category ? ' and r.usage_category = $2' : ''}`,
    category ? [team!.contextId, category] : [team!.contextId])).getRowsJson()[0]!.map(Number);
    // The category with the most records of the team's year, so the filtered report is neither empty nor the whole one.
    const category = String((await raw.runAndReadAll(`select usage_category from usage_records where team_id = $1 and usage_date between date '2025-01-01' and date '2025-12-31'
      group by 1 order by count(*) desc, 1 limit 1`, [team!.contextId])).getRowsJson()[0]![0]);
    const [users, tokens] = await totals(category);
    const [, allTokens] = await totals();
    assert.ok(users! > 0 && tokens! > 0 && tokens! < allTokens!, `${category} is part of the year's usage: ${tokens} of ${allTokens} tokens`);

    const result = await exportAndWait(app, token, {
      outputFormat: 'JSON', reports: ['USAGE_REPORT'], usageReports: ['USAGE_REPORT_BY_PRODUCT'], teamId: team!.contextId, ...range, filters: { usageCategory: [category] },
    });
    assert.equal(result.status, 'COMPLETED', JSON.stringify(result));
    const [summaryFile, detailFile] = result.downloads as { downloadURL: string }[];
    const summary = JSON.parse((await download(app, summaryFile!.downloadURL)).toString('utf8')) as { productLineCode: string; uniqueUsers: number; totalTokens: number }[];
    const detail = JSON.parse((await download(app, detailFile!.downloadURL)).toString('utf8')) as { productLineCode: string; userName: string; totalTokens: number }[];
    const sum = (rows: readonly { totalTokens: number }[]) => rows.reduce((total, row) => total + Number(row.totalTokens), 0);
    assert.ok(Math.abs(sum(summary) - tokens!) < 1e-6, `summary tokens ${sum(summary)} = ${category}'s ${tokens}`);
    assert.ok(Math.abs(sum(detail) - tokens!) < 1e-6, `detail tokens ${sum(detail)} = ${category}'s ${tokens}`);
    const expectedProducts = (await raw.runAndReadAll(`select distinct product_line_code from usage_records where team_id = $1
      and usage_date between date '2025-01-01' and date '2025-12-31' and usage_category = $2 order by 1`, [team!.contextId, category])).getRowsJson().map((row) => String(row[0]));
    assert.deepEqual([...new Set(summary.map((row) => row.productLineCode))].sort(), expectedProducts);

    // A usage category that does not exist is the request's fault, named.
    const bad = await app.inject({ method: 'POST', url: '/insights/v1/exports', headers: bearer(token), payload: {
      outputFormat: 'JSON', reports: ['USAGE_REPORT'], usageReports: ['USAGE_REPORT_BY_PRODUCT'], ...range, filters: { usageCategory: ['DESKTOP'] },
    } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.ok((bad.json().errors as { path: string }[]).some((e) => e.path.startsWith('body/filters')), bad.body);
  });

  test('bad requests answer 400 naming the member at fault', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const headers = bearer(await tokenFor('admin@example.com'));
    const post = (payload: object) => app.inject({ method: 'POST', url: '/insights/v1/exports', headers, payload });
    const cases: [object, string][] = [
      [{ outputFormat: 'EXCEL', reports: ['USAGE'] }, 'body/startDate'],
      [{ outputFormat: 'EXCEL', reports: ['USAGE'], startDate: '2025-01-01', endDate: '2026-06-01' }, 'body/endDate'],
      [{ outputFormat: 'EXCEL', reports: ['USAGE'], startDate: '2025-03-01', endDate: '2025-01-01' }, 'body/endDate'],
      [{ outputFormat: 'EXCEL', reports: ['USERS'], filters: { assigned: true } }, 'body/filters'],
      [{ outputFormat: 'EXCEL', reports: ['USAGE_REPORT'], startDate: '2025-01-01', endDate: '2025-02-01' }, 'body/usageReports'],
      [{ outputFormat: 'PDF', reports: ['USERS'] }, 'body/outputFormat'],
      [{ outputFormat: 'CSV', reports: ['USERS', 'USERS'] }, 'body/reports'],
      [{ outputFormat: 'CSV', reports: [] }, 'body/reports'],
      [{ outputFormat: 'CSV', reports: ['USERS'], team: '1' }, 'body/team'],
    ];
    for (const [payload, path] of cases) {
      const response = await post(payload);
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.equal(response.json().title, 'BAD_REQUEST');
      assert.ok((response.json().errors as { path: string }[]).some((e) => e.path === path), `${JSON.stringify(payload)} → ${response.body}`);
    }
  });

  test("a team the caller does not administer answers 403, another user's export 403, a finished export can be deleted", async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const admin = await tokenFor('admin@example.com');
    const alice = await tokenFor('alice@example.com');
    const teams = (await app.inject({ url: '/insights/v1/contexts', headers: bearer(admin) })).json() as { contextId: string }[];
    const aliceTeams = (await app.inject({ url: '/insights/v1/contexts', headers: bearer(alice) })).json() as { contextId: string }[];
    const other = teams.find((team) => team.contextId !== aliceTeams[0]!.contextId)!;
    const denied = await app.inject({ method: 'POST', url: '/insights/v1/exports', headers: bearer(alice), payload: { outputFormat: 'CSV', reports: ['USERS'], teamId: other.contextId } });
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().title, 'ACCESS_DENIED');
    const result = await exportAndWait(app, admin, { outputFormat: 'CSV', reports: ['SUBSCRIPTIONS'] });
    assert.equal((await app.inject({ url: `/insights/v1/exports/${String(result.id)}`, headers: bearer(alice) })).statusCode, 403);
    assert.equal((await app.inject({ method: 'DELETE', url: `/insights/v1/exports/${String(result.id)}`, headers: bearer(admin) })).statusCode, 204);
    assert.equal((await app.inject({ url: `/insights/v1/exports/${String(result.id)}`, headers: bearer(admin) })).statusCode, 404);
    const link = new URL((result.downloads as { downloadURL: string }[])[0]!.downloadURL);
    assert.equal((await app.inject({ url: `${link.pathname}${link.search}` })).statusCode, 403, 'its files are gone');
  });
});
