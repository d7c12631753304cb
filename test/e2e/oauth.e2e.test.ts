import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { CookieJar } from '../helpers/browser.js';
import { startE2eServer, type E2eServer } from '../helpers/e2e-server.js';
import { suiteScope } from '../helpers/suite-scope.js';

// The OAuth provider over a real socket, against a real `insights serve` process (issue 5).
const REDIRECT = 'http://127.0.0.1:9/callback';
const PASSWORD = 'a long enough password';
const scope = suiteScope();
let e2e: E2eServer;
before(async () => {
  e2e = await startE2eServer(scope, { name: 'oauth-e2e' });
});

async function cli(args: string[]): Promise<string> {
  const result = await e2e.cli(args);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

function credentials(output: string): { id: string; secret: string } {
  return { id: /client_id=(\S+)/.exec(output)![1]!, secret: /client_secret=(\S+)/.exec(output)?.[1] ?? '' };
}

const basic = (client: { id: string; secret: string }) => `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
const formType = { 'content-type': 'application/x-www-form-urlencoded' };

async function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', redirect: 'manual', headers: { ...formType, ...headers }, body: new URLSearchParams(fields).toString() });
}

describe('OAuth over a real socket', () => {
  test('three-legged: authorize, sign in, consent, code with PKCE, API call, refresh, revoke, refused', async () => {
    const client = credentials(await cli(['client', 'create', '--name', 'E2E Reports', '--redirect-uri', REDIRECT]));
    await cli(['user', 'set-password', '--user', 'alice@example.com', '--password', PASSWORD]);
    const verifier = randomBytes(32).toString('base64url');
    const params = {
      response_type: 'code', client_id: client.id, redirect_uri: REDIRECT, scope: 'data:read openid', state: 'st-42', nonce: 'nn',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    };
    const jar = new CookieJar();
    // 1. The sign-in page names the app.
    const signInPage = await fetch(`${e2e.url}/authentication/v2/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
    assert.equal(signInPage.status, 200);
    jar.take(signInPage);
    const html = await signInPage.text();
    assert.match(html, /E2E Reports/);
    assert.match(html, /<label for="password">/);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    // 2. Sign in: 303 back to /authorize with a session cookie.
    const signIn = await post(`${e2e.url}/authentication/v2/sign-in`, { ...params, csrf, email: 'alice@example.com', password: PASSWORD }, { cookie: jar.header() });
    assert.equal(signIn.status, 303);
    jar.take(signIn);
    // 3. The consent page lists the scopes.
    const consentPage = await fetch(new URL(signIn.headers.get('location')!, e2e.url), { headers: { cookie: jar.header() }, redirect: 'manual' });
    const consentHtml = await consentPage.text();
    assert.match(consentHtml, /data:read/);
    // 4. Allow: redirected to the app with a code and the state. The consent form's CSRF token is
    // its own, bound to the sign-in session (issue 19 item 8).
    const consentCsrf = /name="csrf" value="([^"]+)"/.exec(consentHtml)![1]!;
    const consent = await post(`${e2e.url}/authentication/v2/consent`, { ...params, csrf: consentCsrf, decision: 'allow' }, { cookie: jar.header() });
    assert.equal(consent.status, 303);
    const callback = new URL(consent.headers.get('location')!);
    assert.equal(`${callback.origin}${callback.pathname}`, REDIRECT);
    assert.equal(callback.searchParams.get('state'), 'st-42');
    // 5. Exchange the code with the PKCE verifier.
    const exchanged = await post(`${e2e.url}/authentication/v2/token`, {
      grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: REDIRECT, code_verifier: verifier,
    }, { authorization: basic(client) });
    assert.equal(exchanged.status, 200);
    const tokens = await exchanged.json() as { access_token: string; refresh_token: string; id_token: string; expires_in: number };
    assert.equal(tokens.expires_in, 3600);
    assert.ok(tokens.id_token);
    // 6. The token works on the Insights API.
    const contexts = await fetch(`${e2e.url}/insights/v1/contexts`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(contexts.status, 200);
    // 7. Refresh rotates.
    const refreshed = await post(`${e2e.url}/authentication/v2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { authorization: basic(client) });
    assert.equal(refreshed.status, 200);
    const next = await refreshed.json() as { access_token: string; refresh_token: string };
    assert.notEqual(next.refresh_token, tokens.refresh_token);
    // 8. Revoke the refresh token: the access tokens minted from its grant end with it.
    const revoked = await post(`${e2e.url}/authentication/v2/revoke`, { token: next.refresh_token }, { authorization: basic(client) });
    assert.equal(revoked.status, 200);
    const refused = await fetch(`${e2e.url}/insights/v1/contexts`, { headers: { authorization: `Bearer ${next.access_token}` } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    // 9. The revoked refresh token itself is refused too (RFC 6749 §5.2 invalid_grant).
    const again = await post(`${e2e.url}/authentication/v2/token`, { grant_type: 'refresh_token', refresh_token: next.refresh_token }, { authorization: basic(client) });
    assert.equal(again.status, 400);
    assert.equal((await again.json() as { error: string }).error, 'invalid_grant');
  });

  test('two-legged: a client bound to a user gets a token with client_credentials and reads as that user', async () => {
    const client = credentials(await cli(['client', 'create', '--name', 'Nightly', '--user', 'admin@example.com']));
    const response = await post(`${e2e.url}/authentication/v2/token`, { grant_type: 'client_credentials', scope: 'data:read' }, { authorization: basic(client) });
    assert.equal(response.status, 200);
    const { access_token: accessToken } = await response.json() as { access_token: string };
    const contexts = await fetch(`${e2e.url}/insights/v1/contexts`, { headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(contexts.status, 200);
    assert.ok((await contexts.json() as unknown[]).length > 0);
  });

  test('the discovery document names endpoints that answer', async () => {
    const doc = await (await fetch(`${e2e.url}/.well-known/openid-configuration`)).json() as Record<string, string>;
    const jwks = await (await fetch(doc.jwks_uri!.replace(/^http:\/\/localhost:\d+/, e2e.url))).json() as { keys: { kty: string }[] };
    assert.equal(jwks.keys[0]?.kty, 'RSA');
  });

  test('keys rotate through the running server: old tokens still work, new ones carry the new kid, the JWKS has both', async () => {
    const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;
    const before = (await cli(['token', '--user', 'admin@example.com', '--scope', 'data:read'])).trim();
    const rotated = /signing with key (\S+)/.exec(await cli(['keys', 'rotate']))![1]!;
    assert.notEqual(rotated, kidOf(before));
    const jwks = await (await fetch(`${e2e.url}/authentication/v2/keys`)).json() as { keys: { kid: string }[] };
    assert.deepEqual(jwks.keys.map((key) => key.kid).slice(-2), [kidOf(before), rotated]);
    const old = await fetch(`${e2e.url}/insights/v1/contexts`, { headers: { authorization: `Bearer ${before}` } });
    assert.equal(old.status, 200);
    const after = (await cli(['token', '--user', 'admin@example.com', '--scope', 'data:read'])).trim();
    assert.equal(kidOf(after), rotated);
    assert.equal((await fetch(`${e2e.url}/insights/v1/contexts`, { headers: { authorization: `Bearer ${after}` } })).status, 200);
  });

  test('pat create and revoke from the CLI while the server runs; the PAT acts next to a two-legged token', async () => {
    const client = credentials(await cli(['client', 'create', '--name', 'PAT script']));
    const response = await post(`${e2e.url}/authentication/v2/token`, { grant_type: 'client_credentials', scope: 'data:read' }, { authorization: basic(client) });
    const { access_token: accessToken } = await response.json() as { access_token: string };
    const created = await cli(['pat', 'create', '--user', 'admin@example.com', '--name', 'e2e', '--ttl', '1d']);
    const pat = /^pat=(\S+)$/m.exec(created)![1]!;
    const id = /^pat_id=(\S+)$/m.exec(created)![1]!;
    const call = () => fetch(`${e2e.url}/insights/v1/contexts`, { headers: { authorization: `Bearer ${accessToken}`, 'adsk-pat': pat } });
    const ok = await call();
    assert.equal(ok.status, 200);
    assert.ok((await ok.json() as unknown[]).length > 0);
    await cli(['pat', 'revoke', '--id', id]);
    const refused = await call();
    assert.equal(refused.status, 401);
    assert.equal((await refused.json() as { errorCode: string }).errorCode, 'AUTH-006');
  });
});
