import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { setUserPassword } from '../../../auth/index.js';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore } from '../../../../test/helpers/build-app.js';
import { CONSOLE_CLIENT_ID, consoleRedirectUris, ensureConsoleBuilt, hashConsoleSources, hashOpenApi, registerConsoleClient } from './index.js';

const PASSWORD = 'a long enough password';
const PUBLIC_URL = 'http://localhost:8080';
const REDIRECT = `${PUBLIC_URL}/console/callback`;

let store: Store;
let distDir: string;
before(async (t) => {
  store = await openSeededStore(t as never, 300);
  await setUserPassword(store, 'alice@example.com', PASSWORD);
  distDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-console-dist-'));
  await mkdir(path.join(distDir, 'assets'));
  await writeFile(path.join(distDir, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/app.js"></script>');
  await writeFile(path.join(distDir, 'assets', 'app.js'), 'console.log("app")');
});
after(() => rm(distDir, { recursive: true, force: true }));

describe('the console OAuth client', () => {
  test('is registered once, public, with its callback under the public URL and the loopback aliases', async () => {
    assert.equal(await registerConsoleClient(store, PUBLIC_URL), 'created');
    assert.equal(await registerConsoleClient(store, PUBLIC_URL), 'current');
    const client = await store.findOAuthClient(CONSOLE_CLIENT_ID);
    assert.equal(client?.isPublic, true);
    assert.equal(client?.secretHash, null);
    assert.deepEqual(client?.redirectUris, ['http://localhost:8080/console/callback', 'http://127.0.0.1:8080/console/callback', 'http://[::1]:8080/console/callback']);
    // Another public URL moves the redirect URIs along.
    assert.equal(await registerConsoleClient(store, 'https://insights.example.com/base/'), 'updated');
    assert.deepEqual((await store.findOAuthClient(CONSOLE_CLIENT_ID))?.redirectUris, ['https://insights.example.com/base/console/callback']);
    assert.equal(await registerConsoleClient(store, PUBLIC_URL), 'updated');
  });

  test('redirect URIs of a public URL that is no loopback address are that URL only', () => {
    assert.deepEqual(consoleRedirectUris('https://reports.example.com'), ['https://reports.example.com/console/callback']);
  });
});

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** Signs alice in through the real form and returns the session cookie header. */
async function signedInCookie(app: FastifyInstance, params: Record<string, string>): Promise<string> {
  const page = await app.inject({ url: `/authentication/v2/authorize?${form(params)}` });
  assert.equal(page.statusCode, 200, page.body);
  const jar = new Map<string, string>();
  const keep = (header: string | string[] | undefined) => {
    for (const line of [header ?? []].flat()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      jar.set(name!, value ?? '');
    }
  };
  keep(page.headers['set-cookie']);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const signIn = await app.inject({
    method: 'POST', url: '/authentication/v2/sign-in',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    payload: form({ ...params, csrf, email: 'alice@example.com', password: PASSWORD }),
  });
  assert.equal(signIn.statusCode, 303, signIn.body);
  keep(signIn.headers['set-cookie']);
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

describe('signing in to the console (first-party client)', () => {
  const verifier = randomBytes(32).toString('base64url');
  const params = {
    response_type: 'code', client_id: CONSOLE_CLIENT_ID, redirect_uri: REDIRECT, scope: 'data:read data:write openid', state: 's1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  };

  test('needs no consent page: the signed-in user goes straight back with a code that buys tokens', async (t) => {
    await registerConsoleClient(store, PUBLIC_URL);
    const { app } = await buildTestApp(t, store, {}, { console: { distDir } });
    const cookie = await signedInCookie(app, params);
    const authorize = await app.inject({ url: `/authentication/v2/authorize?${form(params)}`, headers: { cookie } });
    assert.equal(authorize.statusCode, 303, authorize.body);
    const landed = new URL(String(authorize.headers.location));
    assert.equal(`${landed.origin}${landed.pathname}`, REDIRECT);
    assert.equal(landed.searchParams.get('state'), 's1');
    const token = await app.inject({
      method: 'POST', url: '/authentication/v2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ grant_type: 'authorization_code', client_id: CONSOLE_CLIENT_ID, code: landed.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier }),
    });
    assert.equal(token.statusCode, 200, token.body);
    assert.ok(token.json().refresh_token);
  });

  test('prompt=none signs in silently while the session lives, and answers login_required without one', async (t) => {
    await registerConsoleClient(store, PUBLIC_URL);
    const { app } = await buildTestApp(t, store, {}, { console: { distDir } });
    const silent = { ...params, prompt: 'none' };
    const anonymous = await app.inject({ url: `/authentication/v2/authorize?${form(silent)}` });
    assert.equal(anonymous.statusCode, 303);
    assert.equal(new URL(String(anonymous.headers.location)).searchParams.get('error'), 'login_required');
    const cookie = await signedInCookie(app, params);
    const signedIn = await app.inject({ url: `/authentication/v2/authorize?${form(silent)}`, headers: { cookie } });
    assert.ok(new URL(String(signedIn.headers.location)).searchParams.get('code'));
  });

  test('another client still gets the consent page, and consent_required for prompt=none', async (t) => {
    await registerConsoleClient(store, PUBLIC_URL);
    const { app } = await buildTestApp(t, store, {}, { console: { distDir } });
    const other = 'third-party-app';
    await store.createOAuthClient({
      id: other, name: 'Third party', secretHash: null, redirectUris: ['http://127.0.0.1:9/cb'], isPublic: true, boundUserId: null,
      scopes: ['data:read'], createdAt: new Date().toISOString(),
    });
    t.after(() => store.deleteOAuthClient(other, new Date()).then(() => undefined));
    const otherParams = { ...params, client_id: other, redirect_uri: 'http://127.0.0.1:9/cb', scope: 'data:read' };
    const cookie = await signedInCookie(app, otherParams);
    const page = await app.inject({ url: `/authentication/v2/authorize?${form(otherParams)}`, headers: { cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Allow/);
    const silent = await app.inject({ url: `/authentication/v2/authorize?${form({ ...otherParams, prompt: 'none' })}`, headers: { cookie } });
    assert.equal(new URL(String(silent.headers.location)).searchParams.get('error'), 'consent_required');
  });
});

describe('serving the console', () => {
  test('GET / leads to /console/, and every console path answers the page with a strict CSP', async (t) => {
    const { app } = await buildTestApp(t, store, {}, { console: { distDir } });
    const root = await app.inject({ url: '/' });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers.location, '/console/');
    for (const url of ['/console/', '/console/token-usage?contract=1', '/console/callback?code=x&state=y']) {
      const page = await app.inject({ url });
      assert.equal(page.statusCode, 200, url);
      assert.match(page.body, /<title>console<\/title>/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
      assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.equal(page.headers['cache-control'], 'no-cache');
    }
  });

  test('assets are served with a year-long cache; an unknown asset is 404, not the page', async (t) => {
    const { app } = await buildTestApp(t, store, {}, { console: { distDir } });
    const asset = await app.inject({ url: '/console/assets/app.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    const missing = await app.inject({ url: '/console/assets/nope.js' });
    assert.equal(missing.statusCode, 404);
    assert.doesNotMatch(missing.body, /<title>console/);
  });

  test('a missing build answers 503 with a sentence saying how to build it', async (t) => {
    const { app } = await buildTestApp(t, store, {}, { console: { distDir: path.join(distDir, 'nothing-here') } });
    const page = await app.inject({ url: '/console/' });
    assert.equal(page.statusCode, 503);
    assert.match(page.body, /npm install/);
  });

  test('the console pages are no API: the OpenAPI document does not list them, and its hash ignores servers and GET /metrics', async (t) => {
    const { app } = await buildTestApp(t, store, {}, { console: { distDir } });
    const document = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    assert.ok(!Object.keys(document.paths).some((p) => p === '/' || p.startsWith('/console')));
    assert.equal(hashOpenApi({ ...document, servers: [{ url: 'http://a' }] }), hashOpenApi({ ...document, servers: [{ url: 'http://b' }] }));
    // The server lists /metrics unless METRICS=off; the build describes an app without it (a fresh install warned).
    const { '/metrics': _metrics, ...others } = document.paths;
    const withMetrics = { ...document, paths: { ...others, '/metrics': { get: { summary: 'Prometheus metrics' } } } };
    assert.equal(hashOpenApi(withMetrics), hashOpenApi({ ...document, paths: others }));
    assert.notEqual(hashOpenApi({ ...document, paths: { ...document.paths, '/insights/v1/new': { get: {} } } }), hashOpenApi(document), 'any other path counts');
  });
});

describe('the console build check at start', () => {
  test('a build of the same sources is current; one checked against another API document only warns', async () => {
    const webDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-web-'));
    after(() => rm(webDir, { recursive: true, force: true }));
    await mkdir(path.join(webDir, 'src'));
    await writeFile(path.join(webDir, 'src', 'main.tsx'), 'export {};');
    await mkdir(path.join(webDir, 'dist'));
    const document = { openapi: '3.1.0', paths: { '/a': {} } };
    await writeFile(path.join(webDir, 'dist', 'build-stamp.json'), JSON.stringify({ sources: await hashConsoleSources(webDir), openapi: hashOpenApi(document) }));
    const warnings: string[] = [];
    const log = { info: () => undefined, warn: (_: object, message: string) => { warnings.push(message); } };
    assert.equal(await ensureConsoleBuilt({ openapi: { ...document, servers: [{ url: 'http://elsewhere' }] }, log, webDir }), 'current');
    assert.deepEqual(warnings, []);
    assert.equal(await ensureConsoleBuilt({ openapi: { ...document, paths: { '/b': {} } }, log, webDir }), 'current');
    assert.match(warnings[0] ?? '', /npm run build:console/);
  });

  test('the hash of the sources changes with any file of web/ but not with its build output', async () => {
    const webDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-web-'));
    after(() => rm(webDir, { recursive: true, force: true }));
    await mkdir(path.join(webDir, 'src'));
    await writeFile(path.join(webDir, 'src', 'a.ts'), 'export const a = 1;');
    const first = await hashConsoleSources(webDir);
    await mkdir(path.join(webDir, 'dist'));
    await writeFile(path.join(webDir, 'dist', 'index.html'), 'built');
    await mkdir(path.join(webDir, 'generated'));
    await writeFile(path.join(webDir, 'generated', 'api.ts'), 'generated');
    assert.equal(await hashConsoleSources(webDir), first);
    await writeFile(path.join(webDir, 'src', 'a.ts'), 'export const a = 2;');
    assert.notEqual(await hashConsoleSources(webDir), first);
  });
});
