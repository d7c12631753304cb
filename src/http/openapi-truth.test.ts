import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Store } from '../store/index.js';
import { buildTestApp, openSeededStore, type TestApp } from '../../test/helpers/build-app.js';

// Issue 19 item 11: the OpenAPI document tells the truth. Every operation of /openapi.json gets a
// battery of requests (no token, a token without the scope, an admin token with made-up path
// parameters, an unknown query parameter, an empty and a wrong body); every status and content
// type observed must be documented on that operation.

interface Operation {
  readonly responses?: Record<string, { readonly content?: Record<string, unknown> }>;
  readonly parameters?: readonly { readonly in: string; readonly name: string }[];
  readonly requestBody?: { readonly content?: Record<string, unknown> };
}

let store: Store;
let testApp: TestApp;
before(async (t) => {
  store = await openSeededStore(t as never, 300);
  testApp = await buildTestApp(t as never, store);
});

const SKIP = /^\/(docs|openapi\.json)/;

test('every status and content type an operation answers is documented on it', async () => {
  const { app, tokenFor } = testApp;
  const document = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
  const admin = await tokenFor('admin@example.com', ['data:read', 'data:write']);
  const noScope = await tokenFor('admin@example.com', ['openid']);
  const undocumented = new Set<string>();
  let requests = 0;
  for (const [route, operations] of Object.entries(document.paths)) {
    if (SKIP.test(route)) continue;
    for (const [method, operation] of Object.entries(operations)) {
      const url = route.replace(/\{[^}]+\}/g, 'zz9');
      const bodies: (string | undefined)[] = method === 'get' || method === 'delete' ? [undefined] : ['{}', '{"zz":1}', '[1'];
      const tries: { headers: Record<string, string>; url: string; payload?: string }[] = [];
      for (const payload of bodies) {
        const json: Record<string, string> = payload === undefined ? {} : { 'content-type': 'application/json' };
        tries.push({ headers: json, url, ...(payload === undefined ? {} : { payload }) });
        tries.push({ headers: { ...json, authorization: `Bearer ${noScope}` }, url, ...(payload === undefined ? {} : { payload }) });
        tries.push({ headers: { ...json, authorization: `Bearer ${admin}` }, url, ...(payload === undefined ? {} : { payload }) });
        tries.push({ headers: { ...json, authorization: `Bearer ${admin}` }, url: `${url}?zz=1&offset=x`, ...(payload === undefined ? {} : { payload }) });
      }
      if (route.includes('{')) tries.push({ headers: { authorization: `Bearer ${admin}` }, url: route.replace(/\{[^}]+\}/g, 'z'.repeat(150)) });
      for (const attempt of tries) {
        requests++;
        const response = await app.inject({ method: method.toUpperCase() as 'GET', url: attempt.url, headers: attempt.headers, ...(attempt.payload === undefined ? {} : { payload: attempt.payload }) });
        const status = String(response.statusCode);
        const documented = operation.responses?.[status] ?? operation.responses?.[`${status[0]}XX`] ?? operation.responses?.default;
        const where = `${method.toUpperCase()} ${route}`;
        if (!documented) {
          undocumented.add(`${where}: status ${status}`);
          continue;
        }
        const type = String(response.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (type && documented.content && !Object.hasOwn(documented.content, type)) undocumented.add(`${where}: ${status} as ${type} (documented: ${Object.keys(documented.content).join(', ')})`);
      }
    }
  }
  assert.ok(requests > 300, `only ${requests} requests`);
  assert.deepEqual([...undocumented].sort(), [], [...undocumented].sort().join('\n'));
});
