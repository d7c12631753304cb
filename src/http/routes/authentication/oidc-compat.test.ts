// Issue 22 (spec §2): the wire details public OAuth/OIDC clients rely on; issue 19 item 8 (the
// consent form's CSRF token bound to the sign-in session); issue 18 (remembered consent).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createClient, setUserPassword } from '../../../auth/index.js';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore } from '../../../../test/helpers/build-app.js';
import { suiteScope } from '../../../../test/helpers/suite-scope.js';

const REDIRECT = 'https://app.example/callback';
const PASSWORD = 'correct horse battery';
const ctx = suiteScope();
let store: Store;
let app: FastifyInstance;
let confidential: { clientId: string; clientSecret?: string };
let publicClient: { clientId: string };
let bound: { clientId: string; clientSecret?: string };

before(async () => {
  store = await openSeededStore(ctx);
  app = (await buildTestApp(ctx, store, {}, { authRateLimits: { token: 0, signIn: 0 } })).app;
  confidential = await createClient(store, { name: 'Report Viewer', redirectUris: [REDIRECT], isPublic: false });
  publicClient = await createClient(store, { name: 'Desktop App', redirectUris: [REDIRECT], isPublic: true });
  bound = await createClient(store, { name: 'Nightly Export', redirectUris: [], isPublic: false, userEmail: 'admin@example.com' });
  await setUserPassword(store, 'alice@example.com', PASSWORD);
});

const basic = (client: { clientId: string; clientSecret?: string }) =>
  `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;

function form(fields: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)).toString();
}

async function post(path: string, fields: Record<string, string | undefined>, authorization?: string) {
  const response = await app.inject({
    method: 'POST', url: path, payload: form(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
  });
  return { status: response.statusCode, body: response.json() as Record<string, unknown>, headers: response.headers };
}

const claimsOf = (jwt: unknown) => JSON.parse(Buffer.from(String(jwt).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** A browser: a cookie jar that follows the authorize → sign-in → consent pages. */
class Browser {
  readonly jar = new Map<string, string>();
  cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  keep(setCookie: string | string[] | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      this.jar.set(name!, value!);
    }
  }
  async get(url: string) {
    const response = await app.inject({ method: 'GET', url, headers: { cookie: this.cookie() } });
    this.keep(response.headers['set-cookie']);
    return response;
  }
  async submit(url: string, fields: Record<string, string | undefined>) {
    const response = await app.inject({
      method: 'POST', url, payload: form(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookie() },
    });
    this.keep(response.headers['set-cookie']);
    return response;
  }
}

function authorizeParams(options: { client?: string; scope?: string; prompt?: string; max_age?: string; verifier: string }) {
  return {
    response_type: 'code', client_id: options.client ?? confidential.clientId, redirect_uri: REDIRECT,
    scope: options.scope ?? 'openid data:read', state: 's-1', nonce: 'n-1', prompt: options.prompt, max_age: options.max_age,
    code_challenge: createHash('sha256').update(options.verifier).digest('base64url'), code_challenge_method: 'S256',
  };
}

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;

/** Signs in on the page shown and, when the consent page follows, allows. Returns the redirect's query. */
async function signInAndConsent(browser: Browser, page: { statusCode: number; body: string; headers: Record<string, unknown> }, params: Record<string, string | undefined>) {
  let current = page;
  if (current.statusCode === 200 && /action="\/authentication\/v2\/sign-in"/.test(current.body)) {
    const signedIn = await browser.submit('/authentication/v2/sign-in', { ...params, csrf: csrfOf(current.body), email: 'alice@example.com', password: PASSWORD });
    assert.equal(signedIn.statusCode, 303, signedIn.body);
    current = await browser.get(String(signedIn.headers.location));
  }
  if (current.statusCode === 200 && /action="\/authentication\/v2\/consent"/.test(current.body)) {
    current = await browser.submit('/authentication/v2/consent', { ...params, csrf: csrfOf(current.body), decision: 'allow' });
  }
  assert.equal(current.statusCode, 303, current.body);
  return Object.fromEntries(new URL(String(current.headers.location)).searchParams);
}

async function codeFlow(options: { client?: string; scope?: string; browser?: Browser } = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const browser = options.browser ?? new Browser();
  const params = authorizeParams({ ...options, verifier });
  const query = await signInAndConsent(browser, await browser.get(`/authentication/v2/authorize?${form(params)}`), params);
  return { code: query.code!, verifier, browser };
}

describe('client authentication (spec §2)', () => {
  test('client_secret_post works on /token, /introspect and /revoke', async () => {
    const creds = { client_id: bound.clientId, client_secret: bound.clientSecret };
    const issued = await post('/authentication/v2/token', { grant_type: 'client_credentials', scope: 'data:read', ...creds });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const active = await post('/authentication/v2/introspect', { token: String(issued.body.access_token), ...creds });
    assert.equal(active.body.active, true);
    assert.equal((await post('/authentication/v2/revoke', { token: String(issued.body.access_token), ...creds })).status, 200);
    assert.equal((await post('/authentication/v2/introspect', { token: String(issued.body.access_token), ...creds })).body.active, false);
    const wrong = await post('/authentication/v2/token', { grant_type: 'client_credentials', client_id: bound.clientId, client_secret: 'wrong' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
  });

  test('Basic and form credentials at once are 400 invalid_request with APS\'s sentence', async () => {
    for (const path of ['/authentication/v2/token', '/authentication/v2/introspect', '/authentication/v2/revoke']) {
      const both = await post(path, { grant_type: 'client_credentials', token: 'x', client_id: bound.clientId, client_secret: bound.clientSecret }, basic(bound));
      assert.equal(both.status, 400, path);
      assert.equal(both.body.error, 'invalid_request');
      assert.equal(both.body.error_description, "The 'client_id' is not supported in the request body when Authorization headers are present.");
    }
  });

  test('a public PKCE client may omit client_id on the code exchange and the refresh; a redirect_uri on a refresh is ignored', async () => {
    const { code, verifier } = await codeFlow({ client: publicClient.clientId });
    const exchanged = await post('/authentication/v2/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
    assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
    const refreshed = await post('/authentication/v2/token', {
      grant_type: 'refresh_token', refresh_token: String(exchanged.body.refresh_token), redirect_uri: 'https://anything.example/ignored',
    });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  });

  test('a confidential client\'s refresh token without credentials is invalid_client', async () => {
    const { code, verifier } = await codeFlow();
    const exchanged = await post('/authentication/v2/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    const anonymous = await post('/authentication/v2/token', { grant_type: 'refresh_token', refresh_token: String(exchanged.body.refresh_token) });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error, 'invalid_client');
  });
});

describe('protocol shapes (spec §2)', () => {
  test('discovery lists the auth methods and revoke_endpoint, also at /.well-known/oauth-authorization-server', async () => {
    for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const doc = (await app.inject({ url })).json() as Record<string, unknown>;
      assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'none']);
      assert.equal(doc.revoke_endpoint, doc.revocation_endpoint);
      assert.match(String(doc.revoke_endpoint), /\/authentication\/v2\/revoke$/);
      for (const scope of ['openid', 'profile', 'email', 'offline_access']) assert.ok((doc.scopes_supported as string[]).includes(scope), scope);
    }
  });

  test('introspection of a three-legged token carries userid, scope as a string, client_id and a numeric exp; two-legged has no userid', async () => {
    const { code, verifier } = await codeFlow({ scope: 'data:read data:write' });
    const grant = await post('/authentication/v2/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    const alice = await store.findUserByEmail('alice@example.com');
    const introspected = (await post('/authentication/v2/introspect', { token: String(grant.body.access_token) }, basic(confidential))).body;
    assert.equal(introspected.active, true);
    assert.equal(introspected.userid, alice!.id);
    assert.equal(introspected.scope, 'data:read data:write');
    assert.equal(introspected.client_id, confidential.clientId);
    assert.equal(typeof introspected.exp, 'number');
    const twoLegged = await post('/authentication/v2/token', { grant_type: 'client_credentials', scope: 'data:read' }, basic(bound));
    const introspected2 = (await post('/authentication/v2/introspect', { token: String(twoLegged.body.access_token) }, basic(bound))).body;
    assert.equal(introspected2.active, true);
    assert.equal(introspected2.userid, undefined);
  });

  test('/userinfo accepts a bare token without "Bearer "', async () => {
    const { code, verifier } = await codeFlow();
    const grant = await post('/authentication/v2/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    const info = await app.inject({ url: '/userinfo', headers: { authorization: String(grant.body.access_token) } });
    assert.equal(info.statusCode, 200, info.body);
    assert.equal((info.json() as { email: string }).email, 'alice@example.com');
    // Elsewhere a bare token is still refused.
    assert.equal((await app.inject({ url: '/insights/v1/contexts', headers: { authorization: String(grant.body.access_token) } })).statusCode, 401);
  });
});

describe('OpenID Connect for generic relying parties (spec §2)', () => {
  test('openid profile email offline_access are accepted, with their claims in the ID token; an unknown scope stays invalid_scope', async () => {
    const { code, verifier } = await codeFlow({ scope: 'openid profile email offline_access data:read' });
    const grant = await post('/authentication/v2/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    assert.equal(grant.status, 200, JSON.stringify(grant.body));
    const id = claimsOf(grant.body.id_token);
    assert.equal(id.email, 'alice@example.com');
    assert.equal(id.email_verified, true);
    assert.equal(typeof id.given_name, 'string');
    assert.equal(typeof id.family_name, 'string');
    const verifier2 = randomBytes(32).toString('base64url');
    const refused = await app.inject({ url: `/authentication/v2/authorize?${form(authorizeParams({ scope: 'openid phone-home', verifier: verifier2 }))}` });
    assert.equal(refused.statusCode, 303);
    assert.equal(new URL(String(refused.headers.location)).searchParams.get('error'), 'invalid_scope');
  });

  test('auth_time is the sign-in time, and ID tokens issued on refresh carry it', async () => {
    const browser = new Browser();
    const before = Math.floor(Date.now() / 1000);
    const first = await codeFlow({ browser });
    const signedIn = Math.ceil(Date.now() / 1000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // A second authorization on the same sign-in session, a second later.
    const second = await codeFlow({ browser });
    const grant = await post('/authentication/v2/token', { grant_type: 'authorization_code', code: second.code, redirect_uri: REDIRECT, code_verifier: second.verifier }, basic(confidential));
    const authTime = Number(claimsOf(grant.body.id_token).auth_time);
    assert.ok(authTime >= before && authTime <= signedIn, `auth_time ${authTime} is the sign-in (${before}), not the second consent`);
    assert.ok(first.code);
    const refreshed = await post('/authentication/v2/token', { grant_type: 'refresh_token', refresh_token: String(grant.body.refresh_token) }, basic(confidential));
    assert.equal(claimsOf(refreshed.body.id_token).auth_time, authTime);
  });

  test('max_age: an older sign-in must sign in again', async () => {
    const browser = new Browser();
    await codeFlow({ browser });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const verifier = randomBytes(32).toString('base64url');
    const page = await browser.get(`/authentication/v2/authorize?${form(authorizeParams({ verifier, max_age: '0' }))}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /action="\/authentication\/v2\/sign-in"/);
    const signInStarted = Math.floor(Date.now() / 1000);
    const query = await signInAndConsent(browser, page, authorizeParams({ verifier, max_age: '0' }));
    const grant = await post('/authentication/v2/token', { grant_type: 'authorization_code', code: query.code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    // The new sign-in's time, not the first one's (timed from before it, so a slow machine cannot fail it).
    assert.ok(Number(claimsOf(grant.body.id_token).auth_time) >= signInStarted);
    // A generous max_age lets the session pass without a new sign-in.
    const verifier2 = randomBytes(32).toString('base64url');
    const silent = await browser.get(`/authentication/v2/authorize?${form(authorizeParams({ verifier: verifier2, max_age: '3600' }))}`);
    assert.equal(silent.statusCode, 303);
  });

  test('POST /authorize with a form body works like GET', async () => {
    const browser = new Browser();
    const verifier = randomBytes(32).toString('base64url');
    const params = authorizeParams({ verifier });
    const page = await browser.submit('/authentication/v2/authorize', params);
    assert.equal(page.statusCode, 200);
    const query = await signInAndConsent(browser, page, params);
    assert.equal(query.state, 's-1');
    const grant = await post('/authentication/v2/token', { grant_type: 'authorization_code', code: query.code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    assert.equal(grant.status, 200);
  });
});

describe('consent (issues 18, 19 item 8)', () => {
  test('a consent POST whose CSRF cookie and field carry the same attacker-chosen value is refused', async () => {
    const browser = new Browser();
    const verifier = randomBytes(32).toString('base64url');
    const params = authorizeParams({ verifier, prompt: 'consent' });
    const page = await browser.get(`/authentication/v2/authorize?${form(params)}`);
    const signedIn = await browser.submit('/authentication/v2/sign-in', { ...params, csrf: csrfOf(page.body), email: 'alice@example.com', password: PASSWORD });
    await browser.get(String(signedIn.headers.location));
    const chosen = 'A'.repeat(43);
    browser.jar.set('insights_csrf', chosen);
    const forged = await browser.submit('/authentication/v2/consent', { ...params, csrf: chosen, decision: 'allow' });
    assert.equal(forged.statusCode, 403);
  });

  test('consent is remembered per client and scopes: prompt=none then answers with a code; wider scopes need consent again', async () => {
    const browser = new Browser();
    const client = await createClient(store, { name: 'Remembering App', redirectUris: [REDIRECT], isPublic: false });
    const none = (scope: string) => browser.get(`/authentication/v2/authorize?${form(authorizeParams({ client: client.clientId, scope, prompt: 'none', verifier: randomBytes(32).toString('base64url') }))}`);
    // Before any consent: consent_required (signed in) or login_required.
    assert.equal(new URL(String((await none('openid data:read')).headers.location)).searchParams.get('error'), 'login_required');
    await codeFlow({ client: client.clientId, scope: 'openid data:read', browser });
    const silent = new URL(String((await none('openid data:read')).headers.location)).searchParams;
    assert.equal(silent.get('error'), null);
    assert.ok(silent.get('code'));
    assert.equal(new URL(String((await none('openid data:read data:write')).headers.location)).searchParams.get('error'), 'consent_required');
    // Sign-out ends the sign-in session: the same silent request now needs a sign-in (issue 18).
    const out = await browser.get(`/authentication/v2/logout?${form({ client_id: client.clientId, post_logout_redirect_uri: REDIRECT, state: 'bye' })}`);
    assert.equal(out.statusCode, 303);
    assert.equal(new URL(String(out.headers.location)).searchParams.get('state'), 'bye');
    assert.equal(new URL(String((await none('openid data:read')).headers.location)).searchParams.get('error'), 'login_required');
  });
});
