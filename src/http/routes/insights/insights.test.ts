import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore } from '../../../../test/helpers/build-app.js';

let store: Store;
before(async (t) => {
  store = await openSeededStore(t as never);
});

// RFC 6750 §3: a request without credentials or with a bad token gets 401 + WWW-Authenticate.
describe('Insights auth (spec-compliance RFC 6750)', () => {
  test('a request without a token answers 401 with the gateway body and WWW-Authenticate', async (t) => {
    const { app } = await buildTestApp(t, store);
    const response = await app.inject({ url: '/insights/v1/catalog' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="invalid_token"');
    const body = response.json();
    assert.equal(body.errorCode, 'AUTH-010');
    assert.match(body.developerMessage, /Authorization header/);
    assert.ok(body.moreInfo);
  });

  test('a malformed Authorization header answers 401', async (t) => {
    const { app } = await buildTestApp(t, store);
    const response = await app.inject({ url: '/insights/v1/catalog', headers: { authorization: 'Basic abc' } });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().errorCode, 'AUTH-006');
  });

  test('a token for a user that does not exist answers 401', async (t) => {
    const { app, rawToken } = await buildTestApp(t, store);
    const token = await rawToken({ subject: 'nobody', clientId: 'x', scopes: ['data:read'], ttlSeconds: 60 });
    const response = await app.inject({ url: '/insights/v1/catalog', headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.statusCode, 401);
    assert.match(response.json().developerMessage, /no longer exists/);
  });

  test('a token without data:read answers 403 insufficient_scope', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com', ['data:write']);
    const response = await app.inject({ url: '/insights/v1/catalog', headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="insufficient_scope"');
    // Issue 22: the family's 403 body, not the gateway's.
    assert.equal(response.json().title, 'ACCESS_DENIED');
    assert.equal(response.json().code, 'AUTH_SCOPE_MISSING');
  });

  test('the response echoes a well-formed x-request-id and mints one otherwise', async (t) => {
    const { app } = await buildTestApp(t, store);
    const echoed = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(echoed.headers['x-request-id'], 'abc-123');
    const minted = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(String(minted.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });
});

describe('GET /insights/v1/catalog', () => {
  test('lists every field and metric with type and description', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({ url: '/insights/v1/catalog', headers: { authorization: `Bearer ${await tokenFor('alice@example.com')}` } });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.ok(body.fields.some((f: { name: string; filterable: boolean }) => f.name === 'emailAddress' && f.filterable === false));
    assert.ok(body.metrics.some((m: { name: string }) => m.name === 'totalTokens'));
  });
});

describe('GET /insights/v1/contexts', () => {
  test('lists only the teams the caller administers', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const admin = (await app.inject({ url: '/insights/v1/contexts', headers: { authorization: `Bearer ${await tokenFor('admin@example.com')}` } })).json();
    const alice = (await app.inject({ url: '/insights/v1/contexts', headers: { authorization: `Bearer ${await tokenFor('alice@example.com')}` } })).json();
    assert.ok(admin.length > 1);
    assert.equal(alice.length, 1);
    assert.ok(admin.some((team: { contextId: string }) => team.contextId === alice[0].contextId));
    assert.deepEqual(Object.keys(alice[0]).sort(), ['alias', 'contextId', 'reportingBenefits']);
  });

  test('a two-legged token bound to no user sees no team', async (t) => {
    const { app, rawToken } = await buildTestApp(t, store);
    const token = await rawToken({ clientId: 'service', scopes: ['data:read'], ttlSeconds: 60 });
    const response = await app.inject({ url: '/insights/v1/contexts', headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), []);
  });
});

describe('Insights errors', () => {
  test('an unknown Insights route answers 404 in the Insights shape', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({ url: '/insights/v1/nothing', headers: { authorization: `Bearer ${await tokenFor('admin@example.com')}` } });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().title, 'NOT_FOUND');
  });
});
