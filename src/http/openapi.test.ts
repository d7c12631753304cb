import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Store } from '../store/index.js';
import { buildTestApp, openSeededStore } from '../../test/helpers/build-app.js';

let store: Store;
before(async (t) => {
  store = await openSeededStore(t as never, 500);
});

test('GET /openapi.json is a valid OpenAPI 3.1 document', async (t) => {
  const { app } = await buildTestApp(t, store);
  const response = await app.inject({ url: '/openapi.json' });
  assert.equal(response.statusCode, 200);
  const document = response.json();
  assert.equal(document.openapi, '3.1.0');
  const result = await new Validator().validate(document);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
});

test('the OpenAPI document describes every route the app serves', async (t) => {
  const { app } = await buildTestApp(t, store);
  const document = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  const described = new Set(Object.entries(document.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
  // Every API path must be in the document; infrastructure (docs UI assets, the document itself) need not.
  for (const expected of [
    'GET /healthz', 'GET /readyz', 'GET /authentication/v2/keys', 'GET /insights/v1/catalog', 'GET /insights/v1/contexts',
    'GET /tokenflex/v1/catalog', 'GET /tokenflex/v1/contract', 'GET /tokenflex/v1/contract/{contract_number}',
  ]) {
    assert.ok(described.has(expected), `${expected} is missing from the OpenAPI document`);
  }
  for (const [route, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations)) {
      const url = route.replace('{*}', '*').replace(/\{(\w+)\}/g, ':$1');
      assert.ok(app.hasRoute({ method: method.toUpperCase() as 'GET', url }), `${method.toUpperCase()} ${route} is documented but not served`);
    }
  }
});

test('every route the app serves is in the OpenAPI document, but for the docs UI and the document itself', async (t) => {
  const { app } = await buildTestApp(t, store);
  const document = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
  const documented = new Set(Object.entries(document.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace('{*}', '*').replace(/\{(\w+)\}/g, ':$1')}`)));
  // printRoutes shows a wildcard route without its prefix; the only one outside the docs UI is the downloads route.
  assert.ok(documented.has('GET /downloads/*'));
  const served = servedRoutes(app.printRoutes({ commonPrefix: false })).filter((route) => !/ \/docs|\/openapi\.json$/.test(route) && route !== 'GET *');
  assert.ok(served.length > 10);
  for (const route of served) assert.ok(documented.has(route), `${route} is served but not documented`);
});

test('authenticated routes declare the bearer security scheme and health routes do not', async (t) => {
  const { app } = await buildTestApp(t, store);
  const document = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { security?: unknown }>> };
  assert.deepEqual(document.paths['/insights/v1/catalog']!.get!.security, [{ bearerAuth: [] }]);
  assert.equal(document.paths['/healthz']!.get!.security, undefined);
});

test('/docs serves the interactive documentation', async (t) => {
  const { app } = await buildTestApp(t, store);
  const response = await app.inject({ url: '/docs/' });
  assert.equal(response.statusCode, 200);
  assert.match(response.headers['content-type'] as string, /text\/html/);
  assert.match(response.body, /swagger/i);
});

/** Rebuilds "METHOD /full/path" from printRoutes' tree, where each level indents four columns. */
function servedRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([A-Z, ]+)\)/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const full = (stack[depth - 1] ?? '') + match[2]!;
    stack[depth] = full;
    stack.length = depth + 1;
    for (const method of match[3]!.split(', ')) {
      if (method !== 'HEAD' && method !== 'OPTIONS') routes.push(`${method} ${full}`);
    }
  }
  return routes;
}
