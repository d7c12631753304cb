import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../../test/helpers/build-app.js';
import { FIXTURE_CONTRACT, openFixtureStore } from '../../../../test/helpers/usage-fixture.js';

// Issue 20: usage from where it already is (docs/sources.md), through POST /admin/v1/usage.

const SESSIONS_NDJSON = readFileSync(new URL('../../../../test/fixtures/usage-sessions.ndjson', import.meta.url), 'utf8');

async function fixtureApp(t: { after: (fn: () => Promise<void>) => void }): Promise<{ app: TestApp; token: string }> {
  const app = await buildTestApp(t, await openFixtureStore(t));
  return { app, token: await app.tokenFor('admin@example.com') };
}

function call(app: TestApp, token: string, method: 'GET' | 'PATCH', url: string, payload?: unknown) {
  return app.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

function postUsage(app: TestApp, token: string, body: string, contentType = 'application/x-ndjson', query = '') {
  return app.app.inject({
    method: 'POST', url: `/admin/v1/usage${query}`, payload: body, headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
  });
}

test('a contract says where its charges come from; records rated by us are refused by a contract charged by Autodesk', async (t) => {
  const { app, token } = await fixtureApp(t);
  const contract = await call(app, token, 'GET', `/admin/v1/contracts/${FIXTURE_CONTRACT}`);
  assert.equal((contract.json() as { chargesFrom: string }).chargesFrom, 'rating');
  const changed = await call(app, token, 'PATCH', `/admin/v1/contracts/${FIXTURE_CONTRACT}`, { chargesFrom: 'autodesk' });
  assert.equal(changed.statusCode, 200, changed.body);
  assert.equal((changed.json() as { chargesFrom: string }).chargesFrom, 'autodesk');
  const bad = await call(app, token, 'PATCH', `/admin/v1/contracts/${FIXTURE_CONTRACT}`, { chargesFrom: 'elsewhere' });
  assert.equal(bad.statusCode, 400);

  const refused = await postUsage(app, token, SESSIONS_NDJSON);
  assert.equal(refused.statusCode, 400, refused.body);
  const body = refused.json() as { code: string; errorCount: number; errors: { line: number; field: string; message: string }[] };
  assert.equal(body.code, 'USAGE_BATCH_INVALID');
  assert.equal(body.errorCount, 8);
  assert.deepEqual(body.errors[0], {
    line: 1, field: 'contractNumber',
    message: 'contract FX1 takes its charges from Autodesk\'s Token Flex export files (chargesFrom autodesk), so records rated by our own rating ' +
      'cannot be mixed in: import its exports with --source tokenflex-export, or send these records to a contract with chargesFrom rating',
  });

  // Back to our own rating (it has no records yet), the batch goes in; then the setting stays.
  assert.equal((await call(app, token, 'PATCH', `/admin/v1/contracts/${FIXTURE_CONTRACT}`, { chargesFrom: 'rating' })).statusCode, 200);
  assert.equal((await postUsage(app, token, SESSIONS_NDJSON)).statusCode, 200);
  const locked = await call(app, token, 'PATCH', `/admin/v1/contracts/${FIXTURE_CONTRACT}`, { chargesFrom: 'autodesk' });
  assert.equal(locked.statusCode, 409, locked.body);
  assert.match(locked.body, /already has usage records charged by our own rating/);
});

// A desktop session-level export as Autodesk writes it: quoted cells, a comma ending each line,
// times YYYY-MM-DD HH:MM:SS (UTC), numbers like 105.0. Charges deliberately unlike our own rating's
// (AutoCAD costs 4 a day in the fixture): they must be stored as given.
const EXPORT_HEADER = '"usageDate","contractYear","productName","productLineCode","productVersion","productFeatureCode","userName","machineName",' +
  '"sessionStartDate","sessionEndDate","licenseServerTimeZoneOffset","chargedItemID","chargeCategory","licenseServerName","usageType",' +
  '"usageCategory","tokensConsumed","usageMinutes",';
const exportRow = (day: string, user: string, product: string, start: string, end: string, id: string, charge: string, tokens: string, minutes: string) =>
  `"${day}","1","${product === 'ACD' ? 'AutoCAD' : 'Revit'}","${product}","2025","","${user}","WS-${user}","${start}","${end}","-05:00","${id}",` +
  `"${charge}","NYC-LIC01","Normal","DESKTOP_PRODUCT","${tokens}","${minutes}",`;
const MARCH_3 = exportRow('2025-03-03', 'ann', 'ACD', '2025-03-03 14:00:00', '2025-03-03 15:45:00', 'c-1', 'CHARGED', '7.0', '105.0');
const MARCH_3_CASUAL = exportRow('2025-03-03', 'ann', 'ACD', '2025-03-03 16:00:00', '2025-03-03 16:03:00', 'c-2', 'CASUAL', '0.0', '3.0');
const MARCH_4 = exportRow('2025-03-04', 'bob', 'RVT', '2025-03-04 14:00:00', '2025-03-04 18:00:00', 'c-3', 'CHARGED', '12.5', '240.0');

async function charges(app: TestApp): Promise<string[]> {
  const rows: string[] = [];
  for await (const row of app.store.streamRows({
    sql: `select charged_item_id, user_name, product_line_code, usage_date::varchar, contract_year, charge_category, token_pool, tokens_consumed,
      usage_minutes, is_charged_event, machine_name, license_server_name from usage_records order by charged_item_id`,
    parameters: [],
  }, new AbortController().signal)) rows.push(row.map(String).join(' '));
  return rows;
}

test('a Token Flex export goes in with Autodesk\'s charges as given; the same file twice and overlapping files count each session once', async (t) => {
  const { app, token } = await fixtureApp(t);
  const query = `?source=tokenflex-export&contract=${FIXTURE_CONTRACT}&name=march.csv`;
  // Into a contract rated by us: refused whole, with what to do.
  const wrong = await postUsage(app, token, [EXPORT_HEADER, MARCH_3].join('\n'), 'text/csv', query);
  assert.equal(wrong.statusCode, 400, wrong.body);
  assert.match((wrong.json() as { detail: string }).detail, /is rated by our own rating \(chargesFrom rating\), so a Token Flex export, rated by Autodesk, cannot be mixed in/);
  assert.equal((await call(app, token, 'PATCH', `/admin/v1/contracts/${FIXTURE_CONTRACT}`, { chargesFrom: 'autodesk' })).statusCode, 200);

  const first = await postUsage(app, token, `${[EXPORT_HEADER, MARCH_3, MARCH_3_CASUAL].join('\r\n')}\r\n`, 'text/csv', query);
  assert.equal(first.statusCode, 200, first.body);
  assert.deepEqual(first.json(), { records: 2, inserted: 2, duplicates: 0, rated: 0, dryRun: false });
  const again = await postUsage(app, token, `${[EXPORT_HEADER, MARCH_3, MARCH_3_CASUAL].join('\r\n')}\r\n`, 'text/csv', query);
  assert.deepEqual(again.json(), { records: 2, inserted: 0, duplicates: 2, rated: 0, dryRun: false });
  // An export of 3-4 March overlaps the first on the 3rd: only the 4th's session is new.
  const overlapping = await postUsage(app, token, [EXPORT_HEADER, MARCH_3_CASUAL, MARCH_3, MARCH_4].join('\n'), 'text/csv', query);
  assert.deepEqual(overlapping.json(), { records: 3, inserted: 1, duplicates: 2, rated: 0, dryRun: false });
  assert.deepEqual(await charges(app), [
    'c-1 ann ACD 2025-03-03 1 CHARGED CY 7 105 true WS-ann NYC-LIC01',
    'c-2 ann ACD 2025-03-03 1 CASUAL CY 0 3 false WS-ann NYC-LIC01',
    'c-3 bob RVT 2025-03-04 1 CHARGED CY 12.5 240 true WS-bob NYC-LIC01',
  ]);
  // Records rated by us are still refused by this contract.
  assert.equal((await postUsage(app, token, SESSIONS_NDJSON)).statusCode, 400);
});

test('a Token Flex export with a bad row, or an aggregated export, writes nothing and says why', async (t) => {
  const { app, token } = await fixtureApp(t);
  assert.equal((await call(app, token, 'PATCH', `/admin/v1/contracts/${FIXTURE_CONTRACT}`, { chargesFrom: 'autodesk' })).statusCode, 200);
  const query = `?source=tokenflex-export&contract=${FIXTURE_CONTRACT}&name=march.csv`;
  const badDay = MARCH_4.replace('"2025-03-04","1"', '"2025-03-32","1"');
  const bad = await postUsage(app, token, [EXPORT_HEADER, MARCH_3, badDay, MARCH_3_CASUAL.replace('"ann"', '""')].join('\n'), 'text/csv', query);
  assert.equal(bad.statusCode, 400, bad.body);
  const body = bad.json() as { code: string; errors: unknown[]; detail: string };
  assert.equal(body.code, 'USAGE_BATCH_INVALID');
  assert.deepEqual(body.errors, [
    { file: 'march.csv', line: 3, field: 'usageDate', message: 'must be a date YYYY-MM-DD, got \'2025-03-32\'' },
    { file: 'march.csv', line: 4, field: 'userName', message: 'is required for DESKTOP_PRODUCT records' },
  ]);
  assert.match(body.detail, /First: march\.csv, line 3, usageDate/);
  assert.deepEqual(await charges(app), []);

  const aggregated = await postUsage(app, token, '"usageDate","productName","userName","tokensConsumed",\n"2025-03-03","AutoCAD","ann","7.0",\n', 'text/csv', query);
  assert.equal(aggregated.statusCode, 400);
  const refusal = (aggregated.json() as { errors: { line: number; message: string }[] }).errors;
  assert.equal(refusal.length, 1);
  assert.match(refusal[0]!.message, /^this is an aggregated Token Flex export: .* Request a session-level export instead: for desktop usage, the desktop session-level export/);
  assert.deepEqual(await charges(app), []);
});

test('a Token Flex export row over the edge\'s CSV limits (README "Limits") is a 400 naming its line; nothing is written', async (t) => {
  const { app, token } = await fixtureApp(t);
  assert.equal((await call(app, token, 'PATCH', `/admin/v1/contracts/${FIXTURE_CONTRACT}`, { chargesFrom: 'autodesk' })).statusCode, 200);
  const query = `?source=tokenflex-export&contract=${FIXTURE_CONTRACT}&name=march.csv`;
  const cases: [string, string][] = [
    [`${MARCH_4}${',""'.repeat(200)}`, 'the row has more than 200 cells'],
    [MARCH_4.replace('"WS-bob"', `"${'W'.repeat(1 << 20)}"`), 'the row is longer than 1048576 bytes'],
  ];
  for (const [row, message] of cases) {
    const refused = await postUsage(app, token, [EXPORT_HEADER, MARCH_3, row, MARCH_3_CASUAL].join('\n'), 'text/csv', query);
    assert.equal(refused.statusCode, 400, refused.body.slice(0, 500));
    const body = refused.json() as { code: string; errors: unknown[]; detail: string };
    assert.equal(body.code, 'USAGE_BATCH_INVALID');
    assert.deepEqual(body.errors, [{ file: 'march.csv', line: 3, field: '', message }]);
    assert.match(body.detail, /First: march\.csv, line 3: /);
  }
  assert.deepEqual(await charges(app), []);
});

const FLEXLM_LOG = [
  ' 7:40:19 (lmgrd) FlexNet Licensing (v11.16.2.1 build 245043 x64_n6) started on NYC-LIC01 (IBM PC) (3/3/2025)',
  ' 8:00:00 (adskflex) OUT: "87140ACD_2025_0F" ann@WS-31',
  ' 8:10:00 (adskflex) DENIED: "87140ACD_2025_0F" bob@WS-33  (Licensed number of users already reached. (-4,342:10054 ""))',
  ' 8:40:00 (adskflex) DENIED: "87140ACD_2025_0F" bob@WS-33  (Licensed number of users already reached. (-4,342:10054 ""))',
  ' 9:10:00 (adskflex) DENIED: "87145RVT_2025_0F" cy@WS-40  (Licensed number of users already reached. (-4,342:10054 ""))',
  ' 9:30:00 (adskflex) IN: "87140ACD_2025_0F" ann@WS-31',
  '',
].join('\r\n');

test('a FlexNet log goes in through POST /admin/v1/usage?source=flexlm; its denials answer the denials query', async (t) => {
  const { app, token } = await fixtureApp(t);
  const query = `?source=flexlm&contract=${FIXTURE_CONTRACT}&server=NYC-LIC01&offset=-05:00&name=debug.log`;
  const missing = await postUsage(app, token, FLEXLM_LOG, 'text/plain', `?source=flexlm&contract=${FIXTURE_CONTRACT}`);
  assert.equal(missing.statusCode, 400);
  assert.match(missing.body, /needs \?server=/);
  const response = await postUsage(app, token, FLEXLM_LOG, 'text/plain', query);
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json() as Record<string, unknown> & { log: { sessions: number; denials: number } };
  assert.deepEqual([body.records, body.inserted, body.denials, body.denialsInserted, body.log.sessions, body.log.denials], [1, 1, 3, 3, 1, 3]);
  assert.equal((await postUsage(app, token, FLEXLM_LOG, 'text/plain', query)).json().denialsInserted, 0);

  const ask = (payload: object, contract = FIXTURE_CONTRACT) => app.app.inject({
    method: 'POST', url: `/tokenflex/v1/denials/${contract}/query`, headers: { authorization: `Bearer ${token}` }, payload,
  });
  const byProduct = await ask({ fields: ['productName', 'usageDate'], metrics: ['denials', 'uniqueUsers'], orderBy: 'productName' });
  assert.equal(byProduct.statusCode, 200, byProduct.body);
  assert.deepEqual(byProduct.json(), {
    columns: [{ name: 'productName', type: 'string' }, { name: 'usageDate', type: 'date' }, { name: 'denials', type: 'integer' }, { name: 'uniqueUsers', type: 'integer' }],
    rows: [['AutoCAD', '2025-03-03', 2, 1], ['Revit', '2025-03-03', 1, 1]],
  });
  const filtered = await ask({ fields: ['userName', 'usageHour'], metrics: ['denials'], where: "productLineCode = 'ACD'", orderBy: 'usageHour' });
  assert.deepEqual((filtered.json() as { rows: unknown[] }).rows, [['bob', '2025-03-03T13:00:00Z', 2]]);
  // The sessions with their licences and how they ended (the Token Flex catalogue has no room for them).
  const sessions = await app.app.inject({
    method: 'POST', url: `/tokenflex/v1/sessions/${FIXTURE_CONTRACT}/query`, headers: { authorization: `Bearer ${token}` },
    payload: { fields: ['userName', 'sessionStartDate', 'sessionEndDate', 'sessionLicenses', 'sessionEndedBy'], metrics: ['usageMinutes', 'licenseMinutes'],
      where: "licenseServerName = 'NYC-LIC01'", orderBy: 'sessionStartDate' },
  });
  assert.equal(sessions.statusCode, 200, sessions.body);
  assert.deepEqual((sessions.json() as { rows: unknown[] }).rows, [['ann', '2025-03-03T13:00:00Z', '2025-03-03T14:30:00Z', 1, 'checkin', 90, 90]]);
  assert.equal((await app.app.inject({ method: 'GET', url: '/tokenflex/v1/sessions/catalog', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
  const bad = await ask({ fields: ['tokensConsumed'] });
  assert.equal(bad.statusCode, 400, bad.body);
  assert.equal((await ask({ metrics: ['denials'] }, 'FX-OTHER')).statusCode, 403);
  assert.equal((await app.app.inject({ method: 'GET', url: '/tokenflex/v1/denials/catalog', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
});
