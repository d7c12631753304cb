import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createLocalJWKSet, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { createClient, MAX_TOKEN_LIFETIME_SECONDS, setUserPassword } from '../../../auth/index.js';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore, type TestApp } from '../../../../test/helpers/build-app.js';
import { suiteScope } from '../../../../test/helpers/suite-scope.js';

const REDIRECT = 'https://app.example/callback';
const PASSWORD = 'correct horse battery';
let store: Store;
let t: TestApp;
let app: FastifyInstance;
let confidential: { clientId: string; clientSecret?: string };
let publicClient: { clientId: string };
let bound: { clientId: string; clientSecret?: string };

const ctx = suiteScope();

before(async () => {
  store = await openSeededStore(ctx);
  t = await buildTestApp(ctx, store);
  app = t.app;
  confidential = await createClient(store, { name: 'Report Viewer', redirectUris: [REDIRECT], isPublic: false });
  publicClient = await createClient(store, { name: 'Desktop App', redirectUris: [REDIRECT], isPublic: true });
  bound = await createClient(store, { name: 'Nightly Export', redirectUris: [], isPublic: false, userEmail: 'admin@example.com' });
  await setUserPassword(store, 'alice@example.com', PASSWORD);
});

const basic = (client: { clientId: string; clientSecret?: string }, secret = client.clientSecret!) =>
  `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}`;

function form(fields: Record<string, string | undefined>): string {
  return new URLSearchParams(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined)).toString();
}

async function token(fields: Record<string, string | undefined>, authorization?: string) {
  const response = await app.inject({
    method: 'POST', url: '/authentication/v2/token', payload: form(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
  });
  return { status: response.statusCode, body: response.json() as Record<string, string>, headers: response.headers };
}

function cookiesOf(setCookie: string | string[] | undefined, jar: Map<string, string>) {
  for (const line of [setCookie ?? []].flat()) {
    const [pair] = line.split(';');
    const [name, value] = pair!.split('=');
    jar.set(name!, value!);
  }
}

/** Drives authorize → sign-in → consent through inject and returns the redirect's query. */
async function authorize(options: { client?: string; verifier?: string; scope?: string; decision?: string; redirect?: string; on?: FastifyInstance; prompt?: string } = {}) {
  const target = options.on ?? app;
  const verifier = options.verifier ?? randomBytes(32).toString('base64url');
  const params = {
    response_type: 'code', client_id: options.client ?? confidential.clientId, redirect_uri: options.redirect ?? REDIRECT,
    scope: options.scope ?? 'data:read openid', state: 'xyz-state', nonce: 'n-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    // Consent is remembered (issue 18): a test that must see the consent page asks for it again.
    prompt: options.prompt ?? (options.decision ? 'consent' : undefined),
  };
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  // 1. The sign-in page, with its CSRF field and cookie.
  const page = await target.inject({ method: 'GET', url: `/authentication/v2/authorize?${form(params)}` });
  assert.equal(page.statusCode, 200);
  cookiesOf(page.headers['set-cookie'], jar);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
  // 2. Sign in; redirected back to /authorize.
  const signIn = await target.inject({
    method: 'POST', url: '/authentication/v2/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    payload: form({ ...params, csrf, email: 'alice@example.com', password: PASSWORD }),
  });
  assert.equal(signIn.statusCode, 303, signIn.body);
  cookiesOf(signIn.headers['set-cookie'], jar);
  // 3. The consent page, then the decision.
  const consentPage = await target.inject({ method: 'GET', url: String(signIn.headers.location), headers: { cookie: cookie() } });
  if (consentPage.statusCode === 303) {
    // Consent given before: the code comes at once.
    const location = new URL(String(consentPage.headers.location));
    return { location, verifier, query: Object.fromEntries(location.searchParams) };
  }
  assert.match(consentPage.body, /Allow/);
  // The consent form's token is bound to the sign-in session (issue 19 item 8), not the sign-in form's.
  const consentCsrf = /name="csrf" value="([^"]+)"/.exec(consentPage.body)![1]!;
  assert.notEqual(consentCsrf, csrf);
  const consent = await target.inject({
    method: 'POST', url: '/authentication/v2/consent', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    payload: form({ ...params, csrf: consentCsrf, decision: options.decision ?? 'allow' }),
  });
  assert.equal(consent.statusCode, 303);
  const location = new URL(String(consent.headers.location));
  return { location, verifier, query: Object.fromEntries(location.searchParams) };
}

describe('token endpoint: client_credentials', () => {
  test('a bound client gets a token that acts for its user', async () => {
    const { status, body } = await token({ grant_type: 'client_credentials', scope: 'data:read' }, basic(bound));
    assert.equal(status, 200);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600 as unknown as string);
    assert.equal(body.refresh_token, undefined);
    const contexts = await app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(contexts.statusCode, 200);
  });

  test('a wrong client secret is invalid_client, 401 with WWW-Authenticate Basic', async () => {
    const { status, body, headers } = await token({ grant_type: 'client_credentials' }, basic(bound, 'nope'));
    assert.equal(status, 401);
    assert.equal(body.error, 'invalid_client');
    assert.match(String(headers['www-authenticate']), /^Basic/);
  });

  test('a public client may not use client_credentials (unauthorized_client)', async () => {
    const { status, body } = await token({ grant_type: 'client_credentials', client_id: publicClient.clientId });
    assert.equal(status, 400);
    assert.equal(body.error, 'unauthorized_client');
  });

  test('an unknown grant type is unsupported_grant_type, an unknown scope invalid_scope', async () => {
    assert.equal((await token({ grant_type: 'password' }, basic(bound))).body.error, 'unsupported_grant_type');
    assert.equal((await token({ grant_type: 'client_credentials', scope: 'root' }, basic(bound))).body.error, 'invalid_scope');
  });
});

describe('three-legged flow through the pages', () => {
  test('state round-trips and the code exchanges with PKCE for access, refresh and id tokens', async () => {
    const { query, verifier } = await authorize();
    assert.equal(query.state, 'xyz-state');
    const { status, body } = await token({ grant_type: 'authorization_code', code: query.code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    assert.equal(status, 200, JSON.stringify(body));
    assert.ok(body.refresh_token && body.id_token);
    const idClaims = JSON.parse(Buffer.from(body.id_token!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(idClaims.nonce, 'n-1');
    assert.equal(idClaims.aud, confidential.clientId);
    const info = await app.inject({ method: 'GET', url: '/userinfo', headers: { authorization: `Bearer ${body.access_token}` } });
    assert.equal(info.statusCode, 200);
    assert.equal((info.json() as { email: string }).email, 'alice@example.com');
  });

  test('deny sends the user back with error=access_denied and the state', async () => {
    const { query } = await authorize({ decision: 'deny' });
    assert.equal(query.error, 'access_denied');
    assert.equal(query.state, 'xyz-state');
  });

  test('a redirect_uri that is not registered shows an error page and never redirects', async () => {
    const response = await app.inject({ method: 'GET', url: `/authentication/v2/authorize?${form({ response_type: 'code', client_id: confidential.clientId, redirect_uri: 'https://evil.example/cb', scope: 'data:read' })}` });
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers.location, undefined);
    assert.match(String(response.headers['content-type']), /text\/html/);
  });

  test('a public client without PKCE is sent back with invalid_request', async () => {
    const response = await app.inject({ method: 'GET', url: `/authentication/v2/authorize?${form({ response_type: 'code', client_id: publicClient.clientId, redirect_uri: REDIRECT, scope: 'data:read', state: 's' })}` });
    assert.equal(response.statusCode, 303);
    assert.equal(new URL(String(response.headers.location)).searchParams.get('error'), 'invalid_request');
  });

  test('a sign-in POST without the CSRF cookie is refused', async () => {
    const response = await app.inject({
      method: 'POST', url: '/authentication/v2/sign-in', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ response_type: 'code', client_id: confidential.clientId, redirect_uri: REDIRECT, scope: 'data:read', csrf: 'x'.repeat(43), email: 'alice@example.com', password: PASSWORD }),
    });
    assert.equal(response.statusCode, 403);
  });

  test('cookies are HttpOnly and SameSite=Lax', async () => {
    const page = await app.inject({ method: 'GET', url: `/authentication/v2/authorize?${form({ response_type: 'code', client_id: confidential.clientId, redirect_uri: REDIRECT, scope: 'data:read' })}` });
    for (const line of [page.headers['set-cookie'] ?? []].flat()) {
      assert.match(line, /HttpOnly/);
      assert.match(line, /SameSite=Lax/);
    }
  });
});

describe('refused grants (RFC 6749 §5.2 codes)', () => {
  test('a wrong PKCE verifier is invalid_grant', async () => {
    const { query } = await authorize();
    const { body } = await token({ grant_type: 'authorization_code', code: query.code, redirect_uri: REDIRECT, code_verifier: randomBytes(32).toString('base64url') }, basic(confidential));
    assert.equal(body.error, 'invalid_grant');
  });

  test('a redirect_uri differing from the authorization request is invalid_grant', async () => {
    const { query, verifier } = await authorize();
    const { body } = await token({ grant_type: 'authorization_code', code: query.code, redirect_uri: 'https://app.example/other', code_verifier: verifier }, basic(confidential));
    assert.equal(body.error, 'invalid_grant');
  });

  test('a replayed code is invalid_grant and revokes the tokens minted from it', async () => {
    const { query, verifier } = await authorize();
    const fields = { grant_type: 'authorization_code', code: query.code, redirect_uri: REDIRECT, code_verifier: verifier };
    const first = await token(fields, basic(confidential));
    assert.equal(first.status, 200);
    const replay = await token(fields, basic(confidential));
    assert.equal(replay.body.error, 'invalid_grant');
    const refused = await app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${first.body.access_token}` } });
    assert.equal(refused.statusCode, 401);
    assert.equal((await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, basic(confidential))).body.error, 'invalid_grant');
  });

  test('an expired code is invalid_grant', async () => {
    const { query, verifier } = await authorize();
    // Age the code past its five minutes.
    const { createHash: sha } = await import('node:crypto');
    const hash = sha('sha256').update(query.code!).digest('hex');
    const found = await store.consumeAuthorizationCode(hash, new Date());
    assert.ok(found);
    await store.insertAuthorizationCode({ ...found.code, codeHash: sha('sha256').update(`${query.code}x`).digest('hex'), expiresAt: new Date(Date.now() - 1000).toISOString() });
    const { body } = await token({ grant_type: 'authorization_code', code: `${query.code}x`, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    assert.equal(body.error, 'invalid_grant');
    assert.match(body.error_description!, /expired/);
  });

  test('refresh rotates; a narrower scope is granted, a broader one is invalid_scope', async () => {
    const { query, verifier } = await authorize({ scope: 'data:read data:write' });
    const first = await token({ grant_type: 'authorization_code', code: query.code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    const narrower = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, scope: 'data:read' }, basic(confidential));
    assert.equal(narrower.status, 200);
    assert.equal(narrower.body.scope, 'data:read');
    assert.notEqual(narrower.body.refresh_token, first.body.refresh_token);
    const broader = await token({ grant_type: 'refresh_token', refresh_token: narrower.body.refresh_token, scope: 'data:read openid' }, basic(confidential));
    assert.equal(broader.body.error, 'invalid_scope');
  });

  test('a refresh refused for a broader scope leaves the refresh token usable (the refusal is no rotation)', async () => {
    const { query, verifier } = await authorize({ scope: 'data:read' });
    const first = await token({ grant_type: 'authorization_code', code: query.code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    const broader = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, scope: 'data:read data:write' }, basic(confidential));
    assert.equal(broader.status, 400);
    assert.equal(broader.body.error, 'invalid_scope');
    // Before the fix the refused request had already rotated the token, so this retry was taken
    // for reuse and revoked the whole grant.
    const retry = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, basic(confidential));
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.scope, 'data:read');
    const contexts = await app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${first.body.access_token}` } });
    assert.equal(contexts.statusCode, 200);
  });

  test('reusing a rotated refresh token is invalid_grant and revokes the family', async () => {
    const { query, verifier } = await authorize();
    const first = await token({ grant_type: 'authorization_code', code: query.code, redirect_uri: REDIRECT, code_verifier: verifier }, basic(confidential));
    const second = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, basic(confidential));
    assert.equal(second.status, 200);
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token }, basic(confidential));
    assert.equal(reuse.body.error, 'invalid_grant');
    const successor = await token({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token }, basic(confidential));
    assert.equal(successor.body.error, 'invalid_grant');
    const refused = await app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${second.body.access_token}` } });
    assert.equal(refused.statusCode, 401);
  });

  test('a tampered access token is refused with invalid_token', async () => {
    const { body } = await token({ grant_type: 'client_credentials', scope: 'data:read' }, basic(bound));
    const [header, payload, signature] = body.access_token!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: ['data:read', 'data:write'] })).toString('base64url');
    const response = await app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${header}.${forged}.${signature}` } });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="invalid_token"');
  });
});

// Issue 5: "token signed by a rotated-out key after its expiry" — refused like any unknown key.
describe('a token signed by a rotated-out key', () => {
  test('is accepted until its key leaves the JWKS, then refused with 401 invalid_token (RFC 6750 §3.1) and introspects inactive', async () => {
    // 1. An app whose key ring runs on a clock the test moves.
    let now = new Date();
    const rotating = await buildTestApp(ctx, store, {}, { keys: { now: () => now } });
    const client = await createClient(store, { name: 'Rotation probe', redirectUris: [], isPublic: false, userEmail: 'admin@example.com' });
    const issue = async () => (await rotating.app.inject({
      method: 'POST', url: '/authentication/v2/token', payload: form({ grant_type: 'client_credentials', scope: 'data:read' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
    })).json() as { access_token: string };
    const call = (accessToken: string) => rotating.app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${accessToken}` } });
    const jwks = async () => ((await rotating.app.inject({ method: 'GET', url: '/authentication/v2/keys' })).json() as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const old = (await issue()).access_token;
    const oldKid = decodeProtectedHeader(old).kid!;
    // 2. Rotate: the old token still works while its key is published.
    await rotating.keys.rotate();
    assert.deepEqual(await jwks(), [oldKid, rotating.keys.kid]);
    assert.equal((await call(old)).statusCode, 200);
    // 3. Past the longest token lifetime after the rotation every token of the old key has
    //    expired, so the key leaves the JWKS; a token it signed is refused from then on (its own
    //    `exp` is still ahead on the real clock: the refusal is the key's).
    now = new Date(now.getTime() + MAX_TOKEN_LIFETIME_SECONDS * 1000 + 1000);
    assert.deepEqual(await jwks(), [rotating.keys.kid]);
    const refused = await call(old);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers['www-authenticate'], 'Bearer error="invalid_token"');
    const body = refused.json() as { errorCode: string; developerMessage: string };
    assert.equal(body.errorCode, 'AUTH-006');
    assert.match(body.developerMessage, /unknown key/);
    const introspected = (await rotating.app.inject({
      method: 'POST', url: '/authentication/v2/introspect', payload: form({ token: old }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
    })).json() as { active: boolean };
    assert.equal(introspected.active, false);
    // 4. Tokens of the new key work.
    assert.equal((await call((await issue()).access_token)).statusCode, 200);
  });
});

// Issue 5, security: "no secret or token in logs".
describe('the log', () => {
  test('holds no client secret, password, access token or refresh token, at the most verbose level', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => { lines.push(line); } });
    const logged = await buildTestApp(ctx, store, {}, { logger });
    const client = await createClient(store, { name: 'Log probe', redirectUris: [], isPublic: false, userEmail: 'admin@example.com' });
    const post = (url: string, fields: Record<string, string>, secret = client.clientSecret!) => logged.app.inject({
      method: 'POST', url, payload: form(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client, secret) },
    });
    const issued = (await post('/authentication/v2/token', { grant_type: 'client_credentials', scope: 'data:read' })).json() as { access_token: string };
    await logged.app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${issued.access_token}` } });
    await post('/authentication/v2/introspect', { token: issued.access_token });
    await post('/authentication/v2/token', { grant_type: 'client_credentials' }, 'a-wrong-secret');
    await post('/authentication/v2/revoke', { token: issued.access_token });
    await logged.app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${issued.access_token}` } });
    // The three-legged flow: a password, a code with its PKCE verifier, refresh tokens.
    const { query, verifier } = await authorize({ on: logged.app });
    const grant = (await logged.app.inject({
      method: 'POST', url: '/authentication/v2/token',
      payload: form({ grant_type: 'authorization_code', code: query.code, redirect_uri: REDIRECT, code_verifier: verifier }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(confidential) },
    })).json() as { refresh_token: string; access_token: string };
    const refreshed = (await logged.app.inject({
      method: 'POST', url: '/authentication/v2/token', payload: form({ grant_type: 'refresh_token', refresh_token: grant.refresh_token }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(confidential) },
    })).json() as { refresh_token: string };
    const text = lines.join('');
    assert.ok(lines.length >= 10, 'the requests were logged');
    const [, , signature] = issued.access_token.split('.');
    for (const secret of [
      client.clientSecret!, 'a-wrong-secret', issued.access_token, signature!, Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64'),
      PASSWORD, encodeURIComponent(PASSWORD), query.code!, verifier, grant.access_token, grant.refresh_token, refreshed.refresh_token,
    ]) {
      assert.equal(text.includes(secret), false, 'a secret reached the log');
    }
    assert.doesNotMatch(text, /authorization"\s*:/i);
  });
});

describe('introspection, revocation and discovery', () => {
  test('/authentication/v2/keys is a valid JWKS of public RS256 signing keys that verify the tokens the server issues', async () => {
    const response = await app.inject({ method: 'GET', url: '/authentication/v2/keys' });
    assert.equal(response.statusCode, 200);
    const document = response.json() as { keys: JWK[] };
    assert.ok(Array.isArray(document.keys) && document.keys.length > 0);
    // RFC 7517 §4–5: each key names its type and id (unique in the set); RFC 7518 §6.3.1: an RSA
    // public key is n and e, and none of the private members may appear.
    const kids = document.keys.map((key) => key.kid);
    assert.equal(new Set(kids).size, kids.length);
    for (const key of document.keys) {
      assert.deepEqual([key.kty, key.alg, key.use], ['RSA', 'RS256', 'sig']);
      assert.match(String(key.n), /^[A-Za-z0-9_-]{300,}$/);
      assert.equal(key.e, 'AQAB');
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) assert.equal(member in key, false, `private member ${member}`);
      await importJWK(key, 'RS256');
    }
    const { body } = await token({ grant_type: 'client_credentials', scope: 'data:read' }, basic(bound));
    const { protectedHeader } = await jwtVerify(body.access_token!, createLocalJWKSet(document as { keys: JWK[] }), { issuer: 'http://localhost:8080', audience: 'usage-insights' });
    assert.ok(kids.includes(protectedHeader.kid));
  });


  test('introspection reports an own token active and a revoked one inactive', async () => {
    const { body } = await token({ grant_type: 'client_credentials', scope: 'data:read' }, basic(bound));
    const introspect = async () => (await app.inject({
      method: 'POST', url: '/authentication/v2/introspect', payload: form({ token: body.access_token }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(bound) },
    })).json() as { active: boolean; scope?: string };
    const before = await introspect();
    assert.equal(before.active, true);
    assert.equal(before.scope, 'data:read');
    const revoked = await app.inject({
      method: 'POST', url: '/authentication/v2/revoke', payload: form({ token: body.access_token }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(bound) },
    });
    assert.equal(revoked.statusCode, 200);
    assert.equal((await introspect()).active, false);
  });

  test('the discovery document has every required OpenID Connect member', async () => {
    const response = await app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    const doc = response.json() as Record<string, unknown>;
    for (const member of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported']) {
      assert.ok(doc[member], `missing ${member}`);
    }
    assert.equal(doc.issuer, 'http://localhost:8080');
    assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
  });
});
