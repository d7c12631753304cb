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
