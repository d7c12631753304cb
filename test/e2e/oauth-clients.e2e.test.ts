// Issue 22: public OAuth clients run unchanged against a real `insights serve` process. The official
// APS Node SDK (@aps_sdk/authentication), configured with its base address as a URL object (it then
// sends `//authentication/…`) and as a string, and openid-client v6, a strict OpenID Connect
// relying party, through discovery, both client authentications, PKCE, max_age, refresh, userinfo,
// introspection and revocation.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ApsConfiguration, SdkManagerBuilder } from '@aps_sdk/autodesk-sdkmanager';
import { AuthenticationClient, ResponseType, Scopes, TokenTypeHint } from '@aps_sdk/authentication';
import * as oidc from 'openid-client';
import { CookieJar, hiddenFields } from '../helpers/browser.js';
import { startE2eServer } from '../helpers/e2e-server.js';
import { freePort } from '../helpers/server-process.js';
import { suiteScope } from '../helpers/suite-scope.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
const EMAIL = 'relying-party@example.com';
const PASSWORD = 'a long enough password';
const scope = suiteScope();
let url: string;
let confidential: { clientId: string; clientSecret: string };
let publicClient: { clientId: string };

before(async () => {
  // The issuer is the public URL, so a relying party's issuer check holds: pick the port first.
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const e2e = await startE2eServer(scope, { name: 'oauth-clients', demoRows: 300, env: { PORT: String(port), PUBLIC_URL: url } });
  const headers = await e2e.headers();
  const admin = async (path: string, body: unknown) => {
    const response = await fetch(`${url}/admin/v1${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    assert.equal(response.status, 201, await response.clone().text());
    return response.json() as Promise<Record<string, string>>;
  };
  await admin('/users', { email: EMAIL, firstName: 'Rita', lastName: 'Party', password: PASSWORD });
  const created = await admin('/clients', { name: 'Real Client', redirectUris: [REDIRECT], isPublic: false });
  confidential = { clientId: created.clientId!, clientSecret: created.clientSecret! };
  publicClient = { clientId: (await admin('/clients', { name: 'Real Public Client', redirectUris: [REDIRECT], isPublic: true })).clientId! };
});

/** A browser's part: follows an authorization URL through the sign-in and consent pages to the redirect. */
async function signInThrough(authorizationUrl: string): Promise<URL> {
  const jar = new CookieJar();
  let response = await jar.get(authorizationUrl);
  for (let step = 0; step < 4 && response.status === 200; step++) {
    const html = await response.text();
    if (html.includes('action="/authentication/v2/sign-in"')) {
      response = await jar.submit(`${url}/authentication/v2/sign-in`, { ...hiddenFields(html), email: EMAIL, password: PASSWORD });
      if (response.status === 303) response = await jar.get(new URL(response.headers.get('location')!, url));
    } else if (html.includes('action="/authentication/v2/consent"')) {
      response = await jar.submit(`${url}/authentication/v2/consent`, { ...hiddenFields(html), decision: 'allow' });
    } else {
      assert.fail(`unexpected page: ${html.slice(0, 300)}`);
    }
  }
  assert.equal(response.status, 303, `expected the redirect to the client, got ${response.status}`);
  return new URL(response.headers.get('location')!);
}

function apsClient(base: 'URL object' | 'string'): AuthenticationClient {
  const configuration = new ApsConfiguration({});
  if (base === 'URL object') configuration.BaseAddress = new URL(url);
  // A plain JavaScript caller may hand the SDK a string; it resolves paths against it as well.
  else (configuration as unknown as { baseAddress: string }).baseAddress = url;
  const client = new AuthenticationClient({ sdkManager: SdkManagerBuilder.create().addApsConfiguration(configuration).build() });
  // APS serves /userinfo from a host of its own, which the SDK fixes in its UsersApi rather than
  // taking from the configuration: pointing that at this service is the one more change a script
  // makes. The SDK then sends the token bare, without "Bearer " (spec §2).
  (client as unknown as { usersApi: { baseAddress: URL } }).usersApi.baseAddress = new URL(url);
  return client;
}

for (const base of ['URL object', 'string'] as const) {
  describe(`the APS Node SDK, base address as a ${base}`, () => {
    test('client credentials, keys and discovery', async () => {
      const sdk = apsClient(base);
      const twoLegged = await sdk.getTwoLeggedToken(confidential.clientId, confidential.clientSecret, [Scopes.DataRead]);
      assert.equal(twoLegged.token_type, 'Bearer');
      assert.ok(twoLegged.access_token);
      const keys = await sdk.getKeys();
      assert.ok((keys.keys ?? []).length >= 1);
      const spec = await sdk.getOidcSpec();
      assert.equal(spec.issuer, url);
      assert.equal((spec as Record<string, unknown>).revoke_endpoint, `${url}/authentication/v2/revoke`);
    });

    test('three-legged: a code through the sign-in pages, exchange, refresh, userinfo, introspect, revoke', async () => {
      const sdk = apsClient(base);
      const authorizationUrl = sdk.authorize(confidential.clientId, ResponseType.Code, REDIRECT, [Scopes.DataRead, Scopes.OpenId], { state: 'aps-state' });
      const callback = await signInThrough(authorizationUrl);
      assert.equal(callback.searchParams.get('state'), 'aps-state');
      const code = callback.searchParams.get('code')!;
      const threeLegged = await sdk.getThreeLeggedToken(confidential.clientId, code, REDIRECT, { clientSecret: confidential.clientSecret });
      assert.ok(threeLegged.refresh_token && threeLegged.id_token);
      const refreshed = await sdk.refreshToken(threeLegged.refresh_token!, confidential.clientId, { clientSecret: confidential.clientSecret });
      assert.notEqual(refreshed.refresh_token, threeLegged.refresh_token);
      const user = await sdk.getUserInfo(refreshed.access_token!);
      assert.equal(user.email, EMAIL);
      const introspected = await sdk.introspectToken(refreshed.access_token!, confidential.clientId, { clientSecret: confidential.clientSecret });
      assert.equal(introspected.active, true);
      assert.equal(introspected.userid, user.sub);
      assert.equal(introspected.scope, 'data:read openid');
      assert.equal(introspected.client_id, confidential.clientId);
      assert.equal(typeof introspected.exp, 'number');
      await sdk.revoke(refreshed.access_token!, confidential.clientId, TokenTypeHint.AccessToken, { clientSecret: confidential.clientSecret });
      const after = await sdk.introspectToken(refreshed.access_token!, confidential.clientId, { clientSecret: confidential.clientSecret });
      assert.equal(after.active, false);
    });

    test('a public client with PKCE: exchange and refresh with client_id in the form', async () => {
      const sdk = apsClient(base);
      const verifier = oidc.randomPKCECodeVerifier();
      const challenge = await oidc.calculatePKCECodeChallenge(verifier);
      const authorizationUrl = sdk.authorize(publicClient.clientId, ResponseType.Code, REDIRECT, [Scopes.DataRead], {
        codeChallenge: challenge, codeChallengeMethod: 'S256',
      } as Parameters<AuthenticationClient['authorize']>[4]);
      const code = (await signInThrough(authorizationUrl)).searchParams.get('code')!;
      const tokens = await sdk.getThreeLeggedToken(publicClient.clientId, code, REDIRECT, { code_verifier: verifier });
      const refreshed = await sdk.refreshToken(tokens.refresh_token!, publicClient.clientId);
      assert.ok(refreshed.access_token);
      await sdk.revoke(refreshed.refresh_token!, publicClient.clientId, TokenTypeHint.RefreshToken);
    });
  });
}

describe('openid-client v6, a strict relying party', () => {
  const discover = (auth: 'client_secret_basic' | 'client_secret_post') => oidc.discovery(
    new URL(url), confidential.clientId, confidential.clientSecret,
    auth === 'client_secret_basic' ? oidc.ClientSecretBasic(confidential.clientSecret) : oidc.ClientSecretPost(confidential.clientSecret),
    { execute: [oidc.allowInsecureRequests] });

  for (const auth of ['client_secret_basic', 'client_secret_post'] as const) {
    test(`${auth}: code flow with PKCE and "openid profile email", max_age, refresh, userinfo, introspection, revocation`, async () => {
      const config = await discover(auth);
      assert.deepEqual(config.serverMetadata().token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'none']);
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const authorizationUrl = oidc.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT, scope: 'openid profile email', state, max_age: '600',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      const callback = await signInThrough(authorizationUrl.href);
      // The library validates the ID token: signature (JWKS), iss, aud, exp, and auth_time against max_age.
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, maxAge: 600 });
      const claims = tokens.claims()!;
      assert.equal(claims.email, EMAIL);
      assert.equal(claims.given_name, 'Rita');
      assert.equal(typeof claims.auth_time, 'number');
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      assert.equal(info.email, EMAIL);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.equal(refreshed.claims()?.auth_time, claims.auth_time);
      const introspected = await oidc.tokenIntrospection(config, refreshed.access_token);
      assert.equal(introspected.active, true);
      assert.equal(introspected.client_id, confidential.clientId);
      await oidc.tokenRevocation(config, refreshed.refresh_token!);
      assert.equal((await oidc.tokenIntrospection(config, refreshed.access_token)).active, false);
    });
  }

  test('a public client (none) with PKCE, discovered through /.well-known/oauth-authorization-server', async () => {
    const config = await oidc.discovery(new URL(`${url}/.well-known/oauth-authorization-server`), publicClient.clientId, undefined, oidc.None(),
      { execute: [oidc.allowInsecureRequests] });
    const verifier = oidc.randomPKCECodeVerifier();
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid offline_access data:read',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const tokens = await oidc.authorizationCodeGrant(config, await signInThrough(authorizationUrl.href), { pkceCodeVerifier: verifier });
    assert.ok(tokens.refresh_token);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
    // RP-initiated logout through the library's own URL (it adds client_id): back to the registered address.
    const endSession = oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: REDIRECT, state: 'out' });
    const loggedOut = await fetch(endSession, { redirect: 'manual' });
    assert.equal(loggedOut.status, 303);
    assert.equal(new URL(loggedOut.headers.get('location')!).searchParams.get('state'), 'out');
  });
});
