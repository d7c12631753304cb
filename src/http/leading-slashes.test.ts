import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, describe, test } from 'node:test';
import type { Store } from '../store/index.js';
import { buildTestApp, openSeededStore } from '../../test/helpers/build-app.js';

// Spec §1 Paths (issue 22): the APS Node SDK sends `//authentication/v2/token` when its base address
// is a `URL` object. These go over a real socket with the target written byte for byte: an
// injected request would have its URL parsed by the test client first.

let store: Store;
before(async (t) => {
  store = await openSeededStore(t as never, 500);
});

interface Answer { readonly status: number; readonly body: Record<string, unknown> | unknown[] }

function send(port: number, method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) as Answer['body'] : {} }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function listening(t: Parameters<typeof buildTestApp>[0]) {
  const built = await buildTestApp(t, store);
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...built, port: (built.app.server.address() as AddressInfo).port };
}

describe('a doubled or tripled leading slash is collapsed before routing', () => {
  test('on the Token Flex API: GET //tokenflex/v1/contract and ///tokenflex/v1/contract list the contracts', async (t) => {
    const { port, tokenFor } = await listening(t);
    const authorization = `Bearer ${await tokenFor('admin@example.com')}`;
    const single = await send(port, 'GET', '/tokenflex/v1/contract', { authorization });
    for (const target of ['//tokenflex/v1/contract', '///tokenflex/v1/contract']) {
      const answer = await send(port, 'GET', target, { authorization });
      assert.equal(answer.status, 200, target);
      assert.deepEqual(answer.body, single.body, target);
    }
  });

  test('on the Insights API: GET //insights/v1/contexts?limit=5 keeps its query string', async (t) => {
    const { port, tokenFor } = await listening(t);
    const authorization = `Bearer ${await tokenFor('admin@example.com')}`;
    const single = await send(port, 'GET', '/insights/v1/contexts?limit=5', { authorization });
    const doubled = await send(port, 'GET', '//insights/v1/contexts?limit=5', { authorization });
    assert.equal(doubled.status, 200);
    assert.deepEqual(doubled.body, single.body);
  });

  test('on the authentication API: POST //authentication/v2/token and GET //.well-known/openid-configuration', async (t) => {
    const { port } = await listening(t);
    const discovery = await send(port, 'GET', '//.well-known/openid-configuration');
    assert.equal(discovery.status, 200);
    assert.equal(typeof (discovery.body as { token_endpoint?: unknown }).token_endpoint, 'string');
    // No client authentication: the token endpoint itself answers (an OAuth error, not a 404).
    const token = await send(port, 'POST', '//authentication/v2/token',
      { 'content-type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials&scope=data%3Aread');
    assert.notEqual(token.status, 404);
    assert.equal(typeof (token.body as { error?: unknown }).error, 'string');
    assert.notEqual((token.body as { error?: unknown }).error, 'not_found');
    const keys = await send(port, 'GET', '///authentication/v2/keys');
    assert.equal(keys.status, 200);
    assert.ok(Array.isArray((keys.body as { keys?: unknown }).keys));
  });

  test('on the admin API: GET //admin/v1/products answers as /admin/v1/products', async (t) => {
    const { port, tokenFor } = await listening(t);
    const authorization = `Bearer ${await tokenFor('admin@example.com')}`;
    const single = await send(port, 'GET', '/admin/v1/products', { authorization });
    const doubled = await send(port, 'GET', '//admin/v1/products', { authorization });
    assert.equal(single.status, 200);
    assert.equal(doubled.status, 200);
    assert.deepEqual(doubled.body, single.body);
  });

  test('a slash doubled inside the path is not a leading slash and stays a 404', async (t) => {
    const { port, tokenFor } = await listening(t);
    const answer = await send(port, 'GET', '/tokenflex//v1/contract', { authorization: `Bearer ${await tokenFor('admin@example.com')}` });
    assert.equal(answer.status, 404);
  });
});
