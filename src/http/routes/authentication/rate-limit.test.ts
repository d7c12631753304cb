// Issue 19 item 5: every endpoint that checks a client secret is rate-limited (@fastify/rate-limit),
// per address and per client id, with one budget shared by the processes of a PostgreSQL deployment.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createClient } from '../../../auth/index.js';
import { openDuckDbStore, type Store } from '../../../store/index.js';
import { buildTestApp } from '../../../../test/helpers/build-app.js';
import { openTestPostgresStore, requirePostgres } from '../../../../test/helpers/databases.js';
import { suiteScope } from '../../../../test/helpers/suite-scope.js';

const ctx = suiteScope();

async function duckdb(): Promise<Store> {
  const store = await openDuckDbStore({ dataDir: ':memory:' });
  await store.migrate();
  ctx.after(() => store.close());
  return store;
}

function wrongSecret(app: FastifyInstance, path: string, clientId: string, remoteAddress = '127.0.0.1') {
  return app.inject({
    method: 'POST', url: `/authentication/v2/${path}`, remoteAddress,
    payload: new URLSearchParams({ grant_type: 'client_credentials', token: 'x' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:wrong`).toString('base64')}` },
  });
}

describe('rate limits on the endpoints that check a client secret', () => {
  test('/token, /introspect and /revoke share one budget per address: past it, 429 with Retry-After and the OAuth body', async () => {
    const store = await duckdb();
    const { app } = await buildTestApp(ctx, store, {}, { authRateLimits: { token: 4, signIn: 20 } });
    const statuses = [];
    for (const path of ['token', 'introspect', 'revoke', 'token', 'revoke']) {
      statuses.push((await wrongSecret(app, path, `client-${statuses.length}`, '10.0.0.1')).statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 429]);
    const limited = await wrongSecret(app, 'introspect', 'another', '10.0.0.1');
    assert.equal(limited.statusCode, 429);
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    assert.equal((limited.json() as { error: string }).error, 'too_many_requests');
    // Another address has its own budget.
    assert.equal((await wrongSecret(app, 'revoke', 'client-x', '10.0.0.2')).statusCode, 401);
  });

  test('one client id has one budget, whatever the addresses (Basic or client_id in the form)', async () => {
    const store = await duckdb();
    const { app } = await buildTestApp(ctx, store, {}, { authRateLimits: { token: 3, signIn: 20 } });
    const client = await createClient(store, { name: 'Target', redirectUris: [], isPublic: false });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await wrongSecret(app, 'token', client.clientId, `10.1.0.${i}`)).statusCode);
    const viaForm = await app.inject({
      method: 'POST', url: '/authentication/v2/revoke', remoteAddress: '10.1.0.9',
      payload: new URLSearchParams({ token: 'x', client_id: client.clientId, client_secret: 'wrong' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    statuses.push(viaForm.statusCode);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
  });

  test('a limit of 0 turns limiting off', async () => {
    const store = await duckdb();
    const { app } = await buildTestApp(ctx, store, {}, { authRateLimits: { token: 0, signIn: 0 } });
    for (let i = 0; i < 6; i++) assert.equal((await wrongSecret(app, 'token', 'c')).statusCode, 401);
  });
});

const postgres = await requirePostgres();
describe('rate limits over PostgreSQL', postgres.describeOptions, () => {
  test('two processes on one database share the budget of an address', async () => {
    const { store, schema, dispose } = await openTestPostgresStore();
    ctx.after(dispose);
    await store.migrate();
    const second = await openTestPostgresStore(schema);
    ctx.after(() => second.store.close());
    const one = (await buildTestApp(ctx, store, {}, { authRateLimits: { token: 3, signIn: 20 } })).app;
    const two = (await buildTestApp(ctx, second.store, {}, { authRateLimits: { token: 3, signIn: 20 } })).app;
    const statuses = [];
    for (const app of [one, two, one, two]) statuses.push((await wrongSecret(app, 'token', `c-${statuses.length}`, '10.2.0.1')).statusCode);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
  });
});
