import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import { buildTestApp, type TestApp } from '../../../../test/helpers/build-app.js';
import { pollUntil } from '../../../../test/helpers/poll.js';
import { FIXTURE_CONTRACT, openFixtureStore } from '../../../../test/helpers/usage-fixture.js';

const SESSIONS_NDJSON = readFileSync(new URL('../../../../test/fixtures/usage-sessions.ndjson', import.meta.url), 'utf8');
const SESSIONS_CSV = readFileSync(new URL('../../../../test/fixtures/usage-sessions.csv', import.meta.url), 'utf8');

async function fixtureApp(t: { after: (fn: () => Promise<void>) => void }): Promise<{ app: TestApp; token: string }> {
  const app = await buildTestApp(t, await openFixtureStore(t));
  return { app, token: await app.tokenFor('admin@example.com') };
}

async function postUsage(app: TestApp, token: string, body: string | Buffer, contentType = 'application/x-ndjson', query = '', headers: Record<string, string> = {}) {
  return app.app.inject({
    method: 'POST', url: `/admin/v1/usage${query}`, payload: body,
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType, ...headers },
  });
}

/** Runs a Token Flex query on the fixture contract over HTTP (submit, then poll) and returns its rows, sorted. */
async function tokenflexQuery(app: TestApp, token: string, fields: readonly string[], metrics: readonly string[]): Promise<unknown[][]> {
  const submitted = await app.app.inject({
    method: 'POST', url: `/tokenflex/v1/usage/${FIXTURE_CONTRACT}/query`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `${fields.join()}-${Math.random()}` },
    payload: { fields, metrics },
  });
  assert.equal(submitted.statusCode, 200, submitted.body);
  const body = submitted.json() as { status: string; detail_uri: string; result?: { rows: unknown[][] } };
  const done = body.status === 'DONE' ? body : await pollUntil(app.app, body.detail_uri, token, (b) => b.status !== 'QUEUED' && b.status !== 'PROCESSING');
  assert.equal(done.status, 'DONE', JSON.stringify(done));
  return [...((done.result as { rows: unknown[][] }).rows)].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Every stored record's charge, by id: what must not move when nothing should change. */
async function storedCharges(app: TestApp): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for await (const row of app.store.streamRows({
    sql: `select id, usage_date::varchar, contract_year, charge_category, token_pool, tokens_consumed, is_charged_event, usage_minutes from usage_records`,
    parameters: [],
  }, new AbortController().signal)) rows[String(row[0])] = row.slice(1);
  return rows;
}

// The figures of test/fixtures/usage-sessions.ndjson, by hand. Licence server at -05:00; contract
// FX1 year 1 has 20 CY tokens; AutoCAD costs 4 a day, Revit 10.
//   line 1  ann AutoCAD 03-03 09:00–09:03 local   CASUAL       0   total  0  CY
//   line 2  ann AutoCAD 03-03 10:00–12:00         CHARGED      4   total  4  CY
//   line 3  ann AutoCAD 03-03 13:00–14:00         FREE         0   total  4  CY  (same product, same day)
//   line 4  ann Revit   03-03 15:00–17:00         INCREMENTAL  6   total 10  CY  (10 − 4 already charged)
//   line 5  bob AutoCAD 03-03 23:30–01:00         CHARGED      4   total 14  CY  (rated on the day it starts, local)
//   line 6  bob AutoCAD 03-04 09:00–10:00         CHARGED      4   total 18  CY  (same UTC day as line 5, a new local day)
//   line 7  ann Revit   03-05 10:00–11:00         CHARGED     10   total 28  MY  (CY has 20)
//   line 8  cy  AutoCAD 03-05 11:00–12:00         CHARGED      4   total 32  MY
const BY_PRODUCT_AND_CHARGE = [
  ['AutoCAD', 'CASUAL', 0, 0],
  ['AutoCAD', 'CHARGED', 16, 4],
  ['AutoCAD', 'FREE', 0, 0],
  ['Revit', 'CHARGED', 10, 1],
  ['Revit', 'INCREMENTAL', 6, 1],
];
const BY_POOL = [['CY', 18], ['MY', 14]];

test('after importing the hand-made sessions, the Token Flex query returns the figures computed by hand', async (t) => {
  const { app, token } = await fixtureApp(t);
  const response = await postUsage(app, token, SESSIONS_NDJSON);
  assert.equal(response.statusCode, 200, response.body);
  assert.deepEqual(response.json(), { records: 8, inserted: 8, duplicates: 0, rated: 8, dryRun: false });
  assert.deepEqual(await tokenflexQuery(app, token, ['productName', 'chargeCategory'], ['tokensConsumed', 'useCount']), BY_PRODUCT_AND_CHARGE);
  assert.deepEqual(await tokenflexQuery(app, token, ['tokenPool'], ['tokensConsumed']), BY_POOL);
  assert.deepEqual(await tokenflexQuery(app, token, ['userName', 'usageDate'], ['tokensConsumed']), [
    ['ann', '2025-03-03', 10], ['ann', '2025-03-05', 10], ['bob', '2025-03-03', 4], ['bob', '2025-03-04', 4], ['cy', '2025-03-05', 4],
  ]);
});

test('re-sending a good batch reports every record as a duplicate and changes no figure', async (t) => {
  const { app, token } = await fixtureApp(t);
  assert.equal((await postUsage(app, token, SESSIONS_NDJSON)).statusCode, 200);
  const before = await storedCharges(app);
  const again = await postUsage(app, token, SESSIONS_NDJSON);
  assert.equal(again.statusCode, 200, again.body);
  assert.deepEqual(again.json(), { records: 8, inserted: 0, duplicates: 8, rated: 0, dryRun: false });
  // The same records as CSV get the same content ids: duplicates too.
  const asCsv = await postUsage(app, token, SESSIONS_CSV, 'text/csv; charset=utf-8');
  assert.deepEqual(asCsv.json(), { records: 8, inserted: 0, duplicates: 8, rated: 0, dryRun: false });
  assert.deepEqual(await storedCharges(app), before);
  assert.deepEqual(await tokenflexQuery(app, token, ['productName', 'chargeCategory'], ['tokensConsumed', 'useCount']), BY_PRODUCT_AND_CHARGE);
});

test('a batch with one bad row in the middle writes nothing and names the line', async (t) => {
  const { app, token } = await fixtureApp(t);
  const lines = SESSIONS_NDJSON.trimEnd().split('\n');
  lines.splice(4, 0, JSON.stringify({ ...JSON.parse(lines[0] as string), sessionEndDate: '2025-03-03T13:00:00Z' }));
  const response = await postUsage(app, token, lines.join('\n'));
  assert.equal(response.statusCode, 400);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  assert.equal(body.code, 'USAGE_BATCH_INVALID');
  assert.deepEqual(body.errors, [{ line: 5, field: 'sessionEndDate', message: 'the session ends before it starts' }]);
  assert.equal(body.errorCount, 1);
  assert.match(String(body.detail), /line 5, sessionEndDate/);
  assert.deepEqual(await storedCharges(app), {});
});

test('unknown contracts, teams and products, and values outside the catalogue, are bad rows listed by line and field', async (t) => {
  const { app, token } = await fixtureApp(t);
  const good = JSON.parse(SESSIONS_NDJSON.split('\n')[1] as string) as Record<string, unknown>;
  const rows = [
    { ...good, contractNumber: 'NOPE' },
    { ...good, teamId: 'T404' },
    { ...good, productVersion: '1999' },
    { ...good, usageType: 'Lent' },
    { ...good, tokensConsumed: 4 },
    { ...good, sessionStartDate: '2025-02-30T10:00:00Z' },
    { ...good, sessionStartDate: '2024-03-03T10:00:00Z', sessionEndDate: '2024-03-03T11:00:00Z' },
    { ...good, hubId: 'b.1' },
  ];
  const response = await postUsage(app, token, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n{"contractNumber":`);
  assert.equal(response.statusCode, 400);
  const body = response.json() as { errors: { line: number; field: string; message: string }[]; errorCount: number; invalidLines: number };
  assert.deepEqual(body.errors.map((e) => [e.line, e.field]), [
    [1, 'contractNumber'], [2, 'teamId'], [3, 'productVersion'], [4, 'usageType'], [5, 'tokensConsumed'], [6, 'sessionStartDate'],
    [7, 'sessionStartDate'], [8, 'hubId'], [9, ''],
  ]);
  assert.match(body.errors[0]?.message ?? '', /unknown contract NOPE/);
  assert.match(body.errors[2]?.message ?? '', /unknown product ACD version 1999/);
  assert.match(body.errors[3]?.message ?? '', /must be one of Normal, Borrowed/);
  assert.match(body.errors[4]?.message ?? '', /computed by the rating/);
  assert.match(body.errors[6]?.message ?? '', /no year of contract FX1 covers the usage date 2024-03-03/);
  assert.match(body.errors[7]?.message ?? '', /does not apply to DESKTOP_PRODUCT records/);
  assert.match(body.errors[8]?.message ?? '', /not valid JSON/);
  assert.equal(body.invalidLines, 9);
  assert.deepEqual(await storedCharges(app), {});
});

test('only the first 100 problems are listed; all are counted', async (t) => {
  const { app, token } = await fixtureApp(t);
  const response = await postUsage(app, token, `${'{"contractNumber":"NOPE"}\n'.repeat(150)}`);
  const body = response.json() as { errors: unknown[]; errorCount: number; invalidLines: number };
  assert.equal(body.errors.length, 100);
  assert.equal(body.invalidLines, 150);
  assert.ok(body.errorCount > 150);
});

test('a dry run validates and counts but writes nothing', async (t) => {
  const { app, token } = await fixtureApp(t);
  const dry = await postUsage(app, token, SESSIONS_CSV, 'text/csv', '?dryRun=true');
  assert.equal(dry.statusCode, 200, dry.body);
  assert.deepEqual(dry.json(), { records: 8, inserted: 8, duplicates: 0, rated: 0, dryRun: true });
  assert.deepEqual(await storedCharges(app), {});
});

test('a CSV batch gives the same records as the NDJSON one, and a gzip body is read', async (t) => {
  const { app, token } = await fixtureApp(t);
  const response = await postUsage(app, token, gzipSync(SESSIONS_CSV), 'text/csv', '', { 'content-encoding': 'gzip' });
  assert.equal(response.statusCode, 200, response.body);
  assert.equal((response.json() as { inserted: number }).inserted, 8);
  assert.deepEqual(await tokenflexQuery(app, token, ['productName', 'chargeCategory'], ['tokensConsumed', 'useCount']), BY_PRODUCT_AND_CHARGE);
});

test('a gzip batch inflating past the cap is refused with 413 BODY_TOO_LARGE naming the limit, and nothing is written', async (t) => {
  // A small cap (the server's is 512 MiB) through HTTP: the 8 fixture sessions repeated to about
  // 200 KiB inflate past 64 KiB; the gzip is a few KiB, so its ratio is not what is bounded.
  const app = await buildTestApp(t, await openFixtureStore(t), {}, { maxInflatedBodyBytes: 64 * 1024 });
  const token = await app.tokenFor('admin@example.com');
  const before = await storedCharges(app);
  const big = SESSIONS_NDJSON.repeat(Math.ceil(200 * 1024 / SESSIONS_NDJSON.length));
  const gzipped = gzipSync(big);
  assert.ok(gzipped.length < 64 * 1024 && big.length > 64 * 1024);
  for (const [contentType, body] of [['application/x-ndjson', big], ['text/csv', SESSIONS_CSV.repeat(Math.ceil(200 * 1024 / SESSIONS_CSV.length))]] as const) {
    const response = await postUsage(app, token, gzipSync(body), contentType, '', { 'content-encoding': 'gzip' });
    assert.equal(response.statusCode, 413, response.body);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    const problem = response.json() as { code?: string; detail?: string };
    assert.equal(problem.code, 'BODY_TOO_LARGE');
    assert.match(problem.detail ?? '', /inflated body is larger than 65536 bytes \(README "Limits"\)/);
  }
  assert.deepEqual(await storedCharges(app), before, 'nothing is written');
  // The same records under the cap go in: the size was the only thing wrong.
  const within = await postUsage(app, token, gzipSync(SESSIONS_NDJSON), 'application/x-ndjson', '', { 'content-encoding': 'gzip' });
  assert.equal(within.statusCode, 200, within.body);
  assert.equal((within.json() as { inserted: number }).inserted, 8);
});

test('a record fills in what the references know: team, product name, user id and enrichment', async (t) => {
  const { app, token } = await fixtureApp(t);
  await postUsage(app, token, SESSIONS_NDJSON.split('\n')[1] as string);
  const rows: unknown[][] = [];
  for await (const row of app.store.streamRows({
    sql: 'select team_id, product_name, product_feature_code, user_id, custom_field_1, charged_item_id = id, cast(length(id) as integer), usage_timestamp = session_start from usage_records',
    parameters: [],
  }, new AbortController().signal)) rows.push(row);
  assert.deepEqual(rows, [['TFX', 'AutoCAD', '87140ACD_2025_0F', 'UFX1', 'Design', true, 32, true]]);
});

test('a late session re-rates the day it lands in and the pool split after it', async (t) => {
  const { app, token } = await fixtureApp(t);
  await postUsage(app, token, SESSIONS_NDJSON);
  // Ann used Revit at 08:00 local on 03-03, before every other session of that day: now that
  // session is CHARGED 10, her AutoCAD sessions are FREE (or CASUAL) and her later Revit session
  // is FREE instead of INCREMENTAL. Her day still costs 10, so the year's total and pools stay.
  const late = { ...JSON.parse(SESSIONS_NDJSON.split('\n')[3] as string), sessionStartDate: '2025-03-03T13:00:00Z', sessionEndDate: '2025-03-03T13:30:00Z' };
  const response = await postUsage(app, token, JSON.stringify(late));
  assert.deepEqual(response.json(), { records: 1, inserted: 1, duplicates: 0, rated: 9, dryRun: false });
  assert.deepEqual(await tokenflexQuery(app, token, ['productName', 'chargeCategory'], ['tokensConsumed', 'useCount']), [
    ['AutoCAD', 'CASUAL', 0, 0],
    ['AutoCAD', 'CHARGED', 12, 3],
    ['AutoCAD', 'FREE', 0, 0],
    ['Revit', 'CHARGED', 20, 2],
    ['Revit', 'FREE', 0, 0],
  ]);
  assert.deepEqual(await tokenflexQuery(app, token, ['tokenPool'], ['tokensConsumed']), [['CY', 18], ['MY', 14]]);
});

test("lastProcessDate is when a batch processed the records (inserted, or re-rated with a changed charge); lastUsageDate the usage's day", async (t) => {
  const { app, token } = await fixtureApp(t);
  const last = async () => Object.fromEntries(((await app.app.inject({ url: `/tokenflex/v1/usage/${FIXTURE_CONTRACT}/last`, headers: { authorization: `Bearer ${token}` } }))
    .json() as { usageCategory: string; chargeCategory: string; lastUsageDate: string; lastProcessDate: string }[])
    .map((row) => [`${row.usageCategory} ${row.chargeCategory}`, [row.lastUsageDate, row.lastProcessDate]]));
  /** Now, to the second, as lastProcessDate is written. */
  const second = () => `${new Date().toISOString().slice(0, 19)}Z`;
  const first = second();
  await postUsage(app, token, SESSIONS_NDJSON);
  const firstDone = second();
  const afterFirst = await last();
  assert.deepEqual(Object.fromEntries(Object.entries(afterFirst).map(([key, [day]]) => [key, day])), {
    'DESKTOP_PRODUCT CASUAL': '2025-03-03', 'DESKTOP_PRODUCT CHARGED': '2025-03-05', 'DESKTOP_PRODUCT FREE': '2025-03-03', 'DESKTOP_PRODUCT INCREMENTAL': '2025-03-03',
  });
  for (const [key, [, processed]] of Object.entries(afterFirst)) assert.ok(first <= processed! && processed! <= firstDone, `${key}: ${processed} in [${first}, ${firstDone}]`);

  // A second later, the late Revit session of the re-rating test: it is new (CHARGED), and it turns
  // ann's 10:00 AutoCAD session from CHARGED to FREE; her 09:00 CASUAL session does not change.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const lateSent = second();
  const late = { ...JSON.parse(SESSIONS_NDJSON.split('\n')[3] as string), sessionStartDate: '2025-03-03T13:00:00Z', sessionEndDate: '2025-03-03T13:30:00Z' };
  assert.equal((await postUsage(app, token, JSON.stringify(late))).statusCode, 200);
  const afterLate = await last();
  assert.ok(afterLate['DESKTOP_PRODUCT FREE']![1]! >= lateSent, 'a record re-rated with a new charge was processed again');
  assert.ok(afterLate['DESKTOP_PRODUCT CHARGED']![1]! >= lateSent, 'the new record');
  assert.equal(afterLate['DESKTOP_PRODUCT CASUAL']![1], afterFirst['DESKTOP_PRODUCT CASUAL']![1], 'an unchanged record keeps its time');
});

test('other media types are refused with 415, and the route needs the admin role', async (t) => {
  const { app, token } = await fixtureApp(t);
  const json = await postUsage(app, token, '[]', 'application/json');
  assert.equal(json.statusCode, 415);
  assert.match(String(json.headers['content-type']), /^application\/problem\+json/);
  assert.match((json.json() as { detail: string }).detail, /sent as application\/x-ndjson or text\/csv, not application\/json/);
  const other = await app.store.createUser({ id: 'UFX9', email: 'nobody@example.com', userName: 'nobody', firstName: 'No', lastName: 'Body', fullName: 'No Body', roles: [] });
  const refused = await postUsage(app, await app.tokenFor(other.email), SESSIONS_NDJSON);
  assert.equal(refused.statusCode, 403);
  assert.equal((refused.json() as { code: string }).code, 'ROLE_REQUIRED');
  assert.deepEqual(await storedCharges(app), {});
});

test('a client that hangs up mid-upload is logged as such, not as an unexpected error, and nothing is written', async (t) => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(line); } });
  const app = await buildTestApp(t, await openFixtureStore(t), {}, { logger });
  const token = await app.tokenFor('admin@example.com');
  const address = new URL(await app.app.listen({ port: 0, host: '127.0.0.1' }));
  const socket = connect(Number(address.port), '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`POST /admin/v1/usage HTTP/1.1\r\nhost: ${address.host}\r\nauthorization: Bearer ${token}\r\n` +
    `content-type: application/x-ndjson\r\ncontent-length: 10000000\r\n\r\n${SESSIONS_NDJSON}`);
  await pollFor(() => lines.some((line) => line.includes('"incoming request"')));
  socket.destroy();
  await pollFor(() => lines.some((line) => line.includes('ended early')));
  assert.deepEqual(lines.filter((line) => /"level":(50|60)/.test(line)), []);
  assert.deepEqual(await storedCharges(app), {});
});

async function pollFor(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
