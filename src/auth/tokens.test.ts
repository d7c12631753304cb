import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { AppError } from '../errors.js';
import { loadSigningKeys, type SigningKeys } from './keys.js';
import { createTokenVerifier, mintAccessToken } from './tokens.js';

const settings = { issuer: 'http://localhost:8080', audience: 'usage-insights' };
let dir: string;
let keys: SigningKeys;
let otherKeys: SigningKeys;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tokens-test-'));
  keys = await loadSigningKeys(path.join(dir, 'a'));
  otherKeys = await loadSigningKeys(path.join(dir, 'b'));
});
after(() => rm(dir, { recursive: true, force: true }));

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(AppError.is(error), `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the token to be refused');
}

describe('access tokens', () => {
  test('a minted token verifies with its user, client and scopes', async () => {
    const token = await mintAccessToken(keys, settings, { subject: 'U1', clientId: 'cli', scopes: ['data:read'], ttlSeconds: 60 });
    const claims = await createTokenVerifier(keys, settings)(token);
    assert.equal(claims.subject, 'U1');
    assert.equal(claims.clientId, 'cli');
    assert.deepEqual(claims.scopes, ['data:read']);
  });

  test('the scope claim is an array of strings, as APS issues it', async () => {
    const token = await mintAccessToken(keys, settings, { subject: 'U1', clientId: 'cli', scopes: ['data:read', 'data:write'], ttlSeconds: 60 });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { scope: unknown; kid?: string };
    assert.deepEqual(payload.scope, ['data:read', 'data:write']);
  });

  test('a token signed by another key is refused as a bad signature', async () => {
    const foreign = await mintAccessToken(otherKeys, settings, { subject: 'U1', clientId: 'cli', scopes: [], ttlSeconds: 60 });
    // Same kid as ours, other key: the signature check itself must fail.
    const [, payload, signature] = foreign.split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })).toString('base64url');
    const error = await rejection(createTokenVerifier(keys, settings)(`${header}.${payload}.${signature}`));
    assert.equal(error.code, 'AUTH_TOKEN_INVALID');
    assert.match(error.message, /signature/);
  });

  test('a token whose key id is unknown is refused', async () => {
    const foreign = await mintAccessToken(otherKeys, settings, { subject: 'U1', clientId: 'cli', scopes: [], ttlSeconds: 60 });
    const error = await rejection(createTokenVerifier(keys, settings)(foreign));
    assert.match(error.message, /unknown key/);
  });

  test('an expired token is refused as expired', async () => {
    const token = await new SignJWT({ scope: ['data:read'] })
      .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
      .setIssuer(settings.issuer).setAudience(settings.audience).setSubject('U1')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200).setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(keys.privateKey);
    const error = await rejection(createTokenVerifier(keys, settings)(token));
    assert.match(error.message, /expired/);
  });

  test('a token for another audience is refused', async () => {
    const token = await mintAccessToken(keys, { ...settings, audience: 'someone-else' }, { subject: 'U1', clientId: 'c', scopes: [], ttlSeconds: 60 });
    const error = await rejection(createTokenVerifier(keys, settings)(token));
    assert.match(error.message, /audience/);
  });

  test('a token from another issuer is refused', async () => {
    const token = await mintAccessToken(keys, { ...settings, issuer: 'https://evil.example' }, { subject: 'U1', clientId: 'c', scopes: [], ttlSeconds: 60 });
    const error = await rejection(createTokenVerifier(keys, settings)(token));
    assert.match(error.message, /issuer/);
  });

  test('an unsigned token (alg none) is refused', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'U1', iss: settings.issuer, aud: settings.audience, exp: 9999999999, iat: 1 })).toString('base64url');
    const error = await rejection(createTokenVerifier(keys, settings)(`${header}.${body}.`));
    assert.equal(error.code, 'AUTH_TOKEN_INVALID');
  });

  test('garbage is refused as malformed', async () => {
    const error = await rejection(createTokenVerifier(keys, settings)('not-a-jwt'));
    assert.match(error.message, /malformed/);
  });
});

describe('signing keys', () => {
  test('a data directory keeps its key across loads', async () => {
    const again = await loadSigningKeys(path.join(dir, 'a'));
    assert.equal(again.kid, keys.kid);
    assert.deepEqual(again.jwks, keys.jwks);
  });

  test('two processes creating keys at once end up with one key file', async () => {
    const target = path.join(dir, 'race');
    const [first, second] = await Promise.all([loadSigningKeys(target), loadSigningKeys(target)]);
    assert.equal(first.kid, second.kid);
  });

  test('the published key set holds no private key material', () => {
    for (const key of keys.jwks.keys) {
      assert.equal(key.d, undefined);
      assert.equal(key.p, undefined);
    }
  });
});
