import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { createClient, createPersonalAccessToken, createUser, disableUser, revokePersonalAccessToken } from '../../auth/index.js';
import type { Store } from '../../store/index.js';
import { buildTestApp, openSeededStore, type TestApp } from '../../../test/helpers/build-app.js';
import { suiteScope } from '../../../test/helpers/suite-scope.js';

// ADSK-PAT personal access tokens next to a two-legged bearer token (spec §2, issue 5).
let store: Store;
let testApp: TestApp;
let twoLegged: string;

const ctx = suiteScope();

before(async () => {
  store = await openSeededStore(ctx);
  testApp = await buildTestApp(ctx, store);
  const client = await createClient(store, { name: 'PAT script', redirectUris: [], isPublic: false });
  const response = await testApp.app.inject({
    method: 'POST', url: '/authentication/v2/token',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret!}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: 'grant_type=client_credentials&scope=data:read',
  });
  assert.equal(response.statusCode, 200, response.body);
  twoLegged = (response.json() as { access_token: string }).access_token;
});

function contexts(bearer: string, pat?: string) {
  return testApp.app.inject({
    method: 'GET', url: '/insights/v1/contexts',
    headers: { authorization: `Bearer ${bearer}`, ...(pat !== undefined ? { 'adsk-pat': pat } : {}) },
  });
}

function assertRefused(response: Awaited<ReturnType<typeof contexts>>, message: RegExp) {
  assert.equal(response.statusCode, 401);
  assert.equal(response.headers['www-authenticate'], 'Bearer error="invalid_token"');
  const body = response.json() as { errorCode: string; developerMessage: string };
  assert.equal(body.errorCode, 'AUTH-006');
  assert.match(body.developerMessage, message);
}

const ttlSeconds = 3600;

describe('ADSK-PAT personal access tokens', () => {
  test('a two-legged token with a valid ADSK-PAT acts as the PAT\'s user', async () => {
    const alone = await contexts(twoLegged);
    assert.equal(alone.statusCode, 200);
    assert.deepEqual(alone.json(), [], 'a two-legged token bound to no user sees nothing');
    const { token } = await createPersonalAccessToken(store, { email: 'admin@example.com', name: 'reports', ttlSeconds });
    const withPat = await contexts(twoLegged, token);
    assert.equal(withPat.statusCode, 200, withPat.body);
    assert.ok((withPat.json() as unknown[]).length > 0);
  });

  test('only the sha-256 of a PAT is stored, with its user, name, expiry and last use', async () => {
    const now = new Date();
    const created = await createPersonalAccessToken(store, { email: 'alice@example.com', name: 'nightly', ttlSeconds }, now);
    assert.match(created.token, /^pat_[A-Za-z0-9_-]{43}$/);
    const hash = createHash('sha256').update(created.token).digest('hex');
    const stored = await store.findPersonalAccessToken(hash);
    assert.equal(stored?.id, created.id);
    assert.equal(stored.name, 'nightly');
    assert.equal(stored.expiresAt, new Date(now.getTime() + ttlSeconds * 1000).toISOString());
    assert.equal(stored.lastUsedAt, null);
    assert.equal((await contexts(twoLegged, created.token)).statusCode, 200);
    assert.notEqual((await store.findPersonalAccessToken(hash))?.lastUsedAt, null);
  });

  test('an unknown ADSK-PAT is refused with the gateway 401 (RFC 6750 invalid_token)', async () => {
    assertRefused(await contexts(twoLegged, 'pat_not-a-real-token'), /not valid/);
  });

  test('an expired ADSK-PAT is refused', async () => {
    const { token } = await createPersonalAccessToken(store, { email: 'admin@example.com', name: 'old', ttlSeconds: 1 }, new Date(Date.now() - 60_000));
    assertRefused(await contexts(twoLegged, token), /expired/);
  });

  test('a revoked ADSK-PAT is refused', async () => {
    const { id, token } = await createPersonalAccessToken(store, { email: 'admin@example.com', name: 'gone', ttlSeconds });
    assert.equal((await contexts(twoLegged, token)).statusCode, 200);
    await revokePersonalAccessToken(store, id);
    assertRefused(await contexts(twoLegged, token), /revoked/);
  });

  test('an ADSK-PAT of a disabled user is refused', async () => {
    await createUser(store, { email: 'pat-owner@example.com', name: 'Pat Owner' });
    const { token } = await createPersonalAccessToken(store, { email: 'pat-owner@example.com', name: 'x', ttlSeconds });
    await disableUser(store, 'pat-owner@example.com');
    assertRefused(await contexts(twoLegged, token), /disabled/);
  });

  test('an ADSK-PAT next to a token that already names a user is refused', async () => {
    const { token } = await createPersonalAccessToken(store, { email: 'admin@example.com', name: 'swap', ttlSeconds });
    assertRefused(await contexts(await testApp.tokenFor('alice@example.com'), token), /two-legged/);
  });

  test('a PAT cannot be created for a disabled user or with a lifetime over 365 days', async () => {
    await assert.rejects(createPersonalAccessToken(store, { email: 'pat-owner@example.com', name: 'x', ttlSeconds }), /disabled/);
    await assert.rejects(createPersonalAccessToken(store, { email: 'admin@example.com', name: 'x', ttlSeconds: 366 * 86400 }), /365 days/);
  });
});
