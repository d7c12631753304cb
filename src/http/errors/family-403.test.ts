import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Store } from '../../store/index.js';
import { buildTestApp, openSeededStore } from '../../../test/helpers/build-app.js';

let store: Store;
before(async (t) => {
  store = await openSeededStore(t as never, 500);
});

// Issue 22: a valid token without the route's scope gets its family's 403 body (spec §1.1), not the
// gateway's, with RFC 6750 §3.1's `insufficient_scope` challenge.
describe('a token without the scope a route needs (RFC 6750 insufficient_scope)', () => {
  test('Insights answers 403 {"title":"ACCESS_DENIED",…}', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({ url: '/insights/v1/contexts', headers: { authorization: `Bearer ${await tokenFor('admin@example.com', ['data:write'])}` } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="insufficient_scope"');
    const body = response.json();
    assert.equal(body.title, 'ACCESS_DENIED');
    assert.match(body.detail, /needs the "data:read" scope/);
    assert.equal(body.developerMessage, undefined);
  });

  test('Token Flex answers 403 {"Code":"ForbiddenError",…}', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({ url: '/tokenflex/v1/contract', headers: { authorization: `Bearer ${await tokenFor('admin@example.com', ['data:write'])}` } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="insufficient_scope"');
    const body = response.json();
    assert.equal(body.Code, 'ForbiddenError');
    assert.match(body.Message, /^ForbiddenError: This operation needs the "data:read" scope/);
  });

  test('the admin API answers 403 problem+json', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({
      method: 'POST', url: '/admin/v1/teams', payload: { name: 'x' },
      headers: { authorization: `Bearer ${await tokenFor('admin@example.com', ['data:read'])}` },
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="insufficient_scope"');
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    const body = response.json();
    assert.equal(body.status, 403);
    assert.equal(body.code, 'AUTH_SCOPE_MISSING');
  });

  test('/userinfo answers 403 with OAuth JSON {"error":"insufficient_scope",…}', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({ url: '/userinfo', headers: { authorization: `Bearer ${await tokenFor('admin@example.com', ['data:read'])}` } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="insufficient_scope"');
    assert.equal(response.json().error, 'insufficient_scope');
    assert.equal(typeof response.json().error_description, 'string');
  });
});

describe('the error-code reference', () => {
  test("a 401's moreInfo is an absolute URL under the public base URL, and that page answers", async (t) => {
    const { app } = await buildTestApp(t, store);
    const response = await app.inject({ url: '/tokenflex/v1/contract' });
    assert.equal(response.statusCode, 401);
    const moreInfo = String(response.json().moreInfo);
    assert.equal(moreInfo, 'http://localhost:8080/docs/errors#auth_token_missing');
    const page = await app.inject({ url: new URL(moreInfo).pathname });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<a id="auth_token_missing">AUTH_TOKEN_MISSING<\/a>/);
    assert.doesNotMatch(page.body, /<script/i);
  });
});
