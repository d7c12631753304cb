import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore, type TestApp } from '../../../../test/helpers/build-app.js';
import { pollUntil } from '../../../../test/helpers/poll.js';
import { suiteScope } from '../../../../test/helpers/suite-scope.js';

// The personal-data switch per team (issue 18). While any team has it off, every Insights and Token
// Flex answer and export shows stable hashes instead of names and e-mail addresses, for all teams
// (as Autodesk does); the admin API and the CLI set it.
const LONDON_TEAM = '4865648';
const HASH = /^[0-9a-f]{32}$/;

let store: Store;
let t: TestApp;
let app: FastifyInstance;
let token: string;
let contract: string;

const ctx = suiteScope();

before(async () => {
  store = await openSeededStore(ctx);
  t = await buildTestApp(ctx, store);
  app = t.app;
  token = await t.tokenFor('admin@example.com');
  contract = ((await app.inject({ url: '/tokenflex/v1/contract', headers: bearer() })).json() as { contractNumber: string }[])[0]!.contractNumber;
});

function bearer(): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function setSwitch(teamId: string, personalData: boolean): Promise<Record<string, unknown>> {
  const response = await app.inject({ method: 'PATCH', url: `/admin/v1/teams/${teamId}`, headers: bearer(), payload: { personalData } });
  assert.equal(response.statusCode, 200, response.body);
  return response.json() as Record<string, unknown>;
}

/** Insights rows as objects, for every team the admin administers. */
async function insightsRows(): Promise<Record<string, unknown>[]> {
  const response = await app.inject({
    method: 'POST', url: '/insights/v1/usage-queries?limit=1000', headers: { ...bearer(), prefer: 'wait=30' },
    payload: { fields: ['userId', 'userName', 'fullName', 'emailAddress', 'contextId'], metrics: ['totalTokens'] },
  });
  assert.equal(response.statusCode, 200, response.body);
  const body = response.json() as { status: string; columns: string[]; rows: unknown[][] };
  assert.equal(body.status, 'COMPLETED');
  return body.rows.map((row) => Object.fromEntries(body.columns.map((c, i) => [c, row[i]])));
}

async function tokenflexUserNames(): Promise<string[]> {
  const response = await app.inject({
    method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: { ...bearer(), prefer: 'wait=30' },
    payload: { fields: ['userName'], metrics: ['tokensConsumed'] },
  });
  assert.ok(response.statusCode < 300, response.body);
  const body = response.json() as { status: string; result: { rows: unknown[][] } };
  assert.equal(body.status, 'DONE');
  // Manual adjustments have no user: an empty value stays empty.
  return body.result.rows.filter((row) => row[0] !== null && row[0] !== '').map((row) => String(row[0]));
}

async function download(url: string): Promise<string> {
  const link = new URL(url);
  const response = await app.inject({ url: `${link.pathname}${link.search}` });
  assert.equal(response.statusCode, 200);
  return response.body;
}

describe('the personal-data switch', () => {
  test('is on for a new team, and the admin API rejects a value that is not a boolean, naming it', async () => {
    const created = await app.inject({ method: 'POST', url: '/admin/v1/teams', headers: bearer(), payload: { name: 'Switch Office' } });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().personalData, true);
    const bad = await app.inject({ method: 'PATCH', url: `/admin/v1/teams/${created.json().teamId}`, headers: bearer(), payload: { personalData: 'no' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /personalData/);
  });

  test('one team off hashes names and e-mail addresses in Insights and Token Flex answers of every team, stably; on again shows them', async () => {
    const before = await insightsRows();
    assert.ok(before.some((row) => String(row.emailAddress).includes('@')));
    assert.ok((await tokenflexUserNames()).some((name) => !HASH.test(name)));

    assert.equal((await setSwitch(LONDON_TEAM, false)).personalData, false);
    const hidden = await insightsRows();
    assert.equal(hidden.length, before.length);
    assert.ok(new Set(hidden.map((row) => row.contextId)).size > 1, 'rows of several teams');
    for (const row of hidden) {
      for (const column of ['userName', 'fullName', 'emailAddress']) assert.match(String(row[column]), HASH, `${column}: ${String(row[column])}`);
    }
    // Stable: a user's hash is the same in every row and every answer; ids are not personal data.
    const byUser = new Map(before.map((row) => [row.userId, row]));
    const hashOf = new Map<unknown, unknown>();
    for (const row of hidden) {
      assert.ok(byUser.has(row.userId));
      if (hashOf.has(row.userId)) assert.equal(hashOf.get(row.userId), row.emailAddress);
      hashOf.set(row.userId, row.emailAddress);
    }
    assert.equal(new Set(hidden.map((row) => row.emailAddress)).size, new Set(before.map((row) => row.emailAddress)).size, 'distinct people stay distinct');
    assert.deepEqual((await insightsRows()).map((row) => row.emailAddress), hidden.map((row) => row.emailAddress));
    assert.ok((await tokenflexUserNames()).every((name) => HASH.test(name)));
    const values = (await app.inject({ url: `/tokenflex/v1/contract/${contract}/userName`, headers: bearer() })).json() as string[];
    assert.ok(values.length > 0 && values.every((name) => HASH.test(name)), 'GET /contract/:c/userName');
    // The analytics answers name users too.
    const idle = (await app.inject({ url: `/analytics/v1/teams/${LONDON_TEAM}/idle-seats?days=1`, headers: bearer() })).json() as { seats: { userName: string }[] };
    const advice = (await app.inject({ url: `/analytics/v1/contracts/${contract}/advice`, headers: bearer() })).json() as { recommendations: { userName: string }[] };
    const analyticsNames = [...idle.seats, ...advice.recommendations].map((item) => item.userName);
    assert.ok(analyticsNames.length > 0, 'the analytics name some user');
    assert.ok(analyticsNames.every((name) => HASH.test(name)), analyticsNames.join(' '));

    await setSwitch(LONDON_TEAM, true);
    assert.deepEqual((await insightsRows()).map((row) => row.emailAddress), before.map((row) => row.emailAddress));
  });

  test('exports made while a team has it off carry the hashes: an Insights USERS CSV and a Token Flex export', async () => {
    await setSwitch(LONDON_TEAM, false);
    try {
      const insights = await app.inject({ method: 'POST', url: '/insights/v1/exports', headers: bearer(), payload: { outputFormat: 'CSV', reports: ['USERS'] } });
      assert.equal(insights.statusCode, 200, insights.body);
      const done = await pollUntil(app, `/insights/v1/exports/${insights.json().id}`, token, (body) => body.status !== 'SUBMITTED');
      assert.equal(done.status, 'COMPLETED', JSON.stringify(done));
      const users = parse(await download((done.downloads as { downloadURL: string }[])[0]!.downloadURL), { columns: true }) as Record<string, string>[];
      assert.ok(users.length > 0);
      for (const row of users) {
        assert.match(row.emailAddress!, HASH);
        assert.match(row.userName!, HASH);
        assert.doesNotMatch(row.userId!, HASH);
      }

      const request = await app.inject({
        method: 'POST', url: `/tokenflex/v1/export/${contract}/requests`, headers: bearer(),
        payload: { fields: ['userName', 'productName'], metrics: ['tokensConsumed'], downloadFileName: 'hashed' },
      });
      assert.ok(request.statusCode < 300, request.body);
      const key = String(request.json().requestKey);
      const settled = await pollUntil(app, `/tokenflex/v1/export/${contract}/requests/${encodeURIComponent(key)}`, token, (body) => body.requestStatus !== 'Requested');
      assert.equal(settled.requestStatus, 'Download', JSON.stringify(settled));
      const rows = parse(await download(String(settled.downloadUrl)), { columns: true }) as Record<string, string>[];
      assert.ok(rows.some((row) => row.userName));
      for (const row of rows.filter((r) => r.userName)) {
        assert.match(row.userName!, HASH);
        assert.ok(Number.isFinite(Number(row.tokensConsumed)));
      }
    } finally {
      await setSwitch(LONDON_TEAM, true);
    }
  });

  test('while hidden, a Token Flex where names a person by the hash an answer showed, and gets their rows (queries and exports)', async () => {
    const query = async (where: string) => {
      const response = await app.inject({
        method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: { ...bearer(), prefer: 'wait=30' },
        payload: { fields: ['userName', 'productName'], metrics: ['tokensConsumed'], where },
      });
      assert.ok(response.statusCode < 300, response.body);
      const body = response.json() as { status: string; result: { rows: unknown[][] } };
      assert.equal(body.status, 'DONE');
      return body.result.rows;
    };
    const plain = (await tokenflexUserNames())[0]!;
    const shown = await query(`userName = '${plain}'`);
    assert.ok(shown.length > 0);
    await setSwitch(LONDON_TEAM, false);
    try {
      const hash = (await query(`userName = '${plain}'`))[0]![0] as string;
      assert.match(hash, HASH);
      // The same rows as the plain name gives, by the hash (=, IN), with the hash shown.
      const byHash = await query(`userName = '${hash}'`);
      assert.deepEqual(byHash.map((row) => row.slice(1)), shown.map((row) => row.slice(1)));
      assert.ok(byHash.every((row) => row[0] === hash));
      assert.deepEqual((await query(`userName in ('${hash}', 'nobody')`)).map((row) => row.slice(1)), shown.map((row) => row.slice(1)));
      assert.equal((await query(`userName != '${hash}'`)).some((row) => row[0] === hash), false);
      // A hash that stands for nobody matches nothing.
      assert.deepEqual(await query(`userName = '${'0'.repeat(32)}'`), []);

      const request = await app.inject({
        method: 'POST', url: `/tokenflex/v1/export/${contract}/requests`, headers: bearer(),
        payload: { fields: ['userName', 'productName'], metrics: ['tokensConsumed'], where: `userName = '${hash}'`, downloadFileName: 'one-user' },
      });
      assert.ok(request.statusCode < 300, request.body);
      const key = String(request.json().requestKey);
      const settled = await pollUntil(app, `/tokenflex/v1/export/${contract}/requests/${encodeURIComponent(key)}`, token, (body) => body.requestStatus !== 'Requested');
      assert.equal(settled.requestStatus, 'Download', JSON.stringify(settled));
      const rows = parse(await download(String(settled.downloadUrl)), { columns: true }) as Record<string, string>[];
      assert.equal(rows.length, shown.length);
      assert.ok(rows.every((row) => row.userName === hash));
    } finally {
      await setSwitch(LONDON_TEAM, true);
    }
    // Shown again: a hash is just text that names nobody.
    const hash = (await query(`userName = '${plain}'`))[0]![0] as string;
    assert.equal(hash, plain);
  });
});
