import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
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
    'GET /tokenflex/v1/sessions/catalog', 'POST /tokenflex/v1/sessions/{contract_number}/query',
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

test('the usage query bodies say "at least one field or metric", and a query with neither still gets the planner\'s QUERY_INVALID', async (t) => {
  const { app, tokenFor } = await buildTestApp(t, store);
  const document = (await app.inject({ url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: object }> } }>>;
  };
  const ajv = new Ajv2020({ strict: false });
  const bodies = {
    'post /insights/v1/usage-queries': {},
    'post /tokenflex/v1/usage/{contract_number}/query': {},
    'post /tokenflex/v1/export/{contract_number}/requests': {},
    'post /tokenflex/v1/denials/{contract_number}/query': {},
    'post /tokenflex/v1/sessions/{contract_number}/query': {},
  };
  for (const operation of Object.keys(bodies)) {
    const [method, route] = operation.split(' ') as [string, string];
    const schema = document.paths[route]?.[method]?.requestBody?.content['application/json']?.schema;
    assert.ok(schema, `${operation} documents its body`);
    const validate = ajv.compile(schema);
    for (const empty of [{}, { fields: [] }, { metrics: [] }, { fields: [], metrics: [], where: "productName = 'x'" }]) {
      assert.equal(validate(empty), false, `${operation}: ${JSON.stringify(empty)} breaks the documented schema`);
    }
    for (const enough of [{ fields: ['productName'] }, { metrics: ['totalTokens'] }, { fields: [], metrics: ['totalTokens'] }]) {
      assert.equal(validate(enough), true, `${operation}: ${JSON.stringify(enough)} meets it: ${JSON.stringify(validate.errors)}`);
    }
  }
  // The validator leaves the rule to the planner, whose answer is the spec's (QUERY_INVALID in the
  // family's body, naming /fields beside the request's other problems), not the body schema's REQUEST_INVALID.
  const token = await tokenFor('admin@example.com');
  const contract = ((await app.inject({ url: '/tokenflex/v1/contract', headers: { authorization: `Bearer ${token}` } })).json() as { contractNumber: string }[])[0]!.contractNumber;
  const insights = await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: { authorization: `Bearer ${token}` }, payload: { fields: [] } });
  assert.equal(insights.statusCode, 400, insights.body);
  assert.deepEqual(insights.json(), {
    title: 'BAD_REQUEST', detail: 'A query needs at least one field or metric.', code: 'QUERY_INVALID',
    errors: [{ path: '/fields', message: 'a query needs at least one field or metric' }],
  });
  const tokenflex = await app.inject({
    method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: { authorization: `Bearer ${token}` }, payload: { metrics: [], fields: [] },
  });
  assert.equal(tokenflex.statusCode, 400, tokenflex.body);
  assert.match(tokenflex.body, /QUERY_INVALID/);
  assert.match(tokenflex.body, /at least one field or metric/);
  const sessions = await app.inject({
    method: 'POST', url: `/tokenflex/v1/sessions/${contract}/query`, headers: { authorization: `Bearer ${token}` }, payload: {},
  });
  assert.equal(sessions.statusCode, 400, sessions.body);
  assert.match(sessions.body, /at least one field or metric/);
});
