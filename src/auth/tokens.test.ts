import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { AppError } from '../errors.js';
import { loadSigningKeys, type SigningKeys } from './keys.js';
import { MAX_TOKEN_LIFETIME_SECONDS } from './token-lifetimes.js';
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

// Issue 5: key rotation keeps old public keys until their tokens expire.
describe('key rotation', () => {
  const claims = { subject: 'U1', clientId: 'cli', scopes: ['data:read'], ttlSeconds: 600 };

  test('a token signed by the old key still verifies after rotation, and new tokens carry the new kid', async () => {
    const ring = await loadSigningKeys(path.join(dir, 'rotate-1'));
    const verify = createTokenVerifier(ring, settings);
    const oldKid = ring.kid;
    const before = await mintAccessToken(ring, settings, claims);
    const newKid = await ring.rotate();
    assert.notEqual(newKid, oldKid);
    assert.equal(ring.kid, newKid);
    assert.deepEqual(ring.jwks.keys.map((key) => key.kid), [oldKid, newKid]);
    assert.equal((await verify(before)).subject, 'U1');
    const after = await mintAccessToken(ring, settings, claims);
    assert.equal(decodeProtectedHeader(after).kid, newKid);
    assert.equal((await verify(after)).subject, 'U1');
  });

  test('a token signed by a rotated-out key is refused once its key is dropped, after the longest token lifetime', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const ring = await loadSigningKeys(path.join(dir, 'rotate-2'), { now: () => now });
    const verify = createTokenVerifier(ring, settings);
    const oldKid = ring.kid;
    const token = await mintAccessToken(ring, settings, claims);
    await ring.rotate();
    now = new Date(now.getTime() + MAX_TOKEN_LIFETIME_SECONDS * 1000 - 1000);
    assert.equal((await verify(token)).subject, 'U1', 'still published one second before the drop');
    now = new Date(now.getTime() + 1000);
    assert.deepEqual(ring.jwks.keys.map((key) => key.kid), [ring.kid]);
    const error = await rejection(verify(token));
    assert.equal(error.code, 'AUTH_TOKEN_INVALID');
    assert.match(error.message, /unknown key/);
    assert.ok(!ring.jwks.keys.some((key) => key.kid === oldKid));
  });

  test('a rotation writes the key file, so another process sees it after reload and the next rotation prunes dropped keys', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const target = path.join(dir, 'rotate-3');
    const server = await loadSigningKeys(target, { now: () => now });
    const first = server.kid;
    const cli = await loadSigningKeys(target, { now: () => now });
    const second = await cli.rotate();
    assert.equal(server.kid, first);
    await server.reload();
    assert.equal(server.kid, second);
    now = new Date(now.getTime() + MAX_TOKEN_LIFETIME_SECONDS * 1000);
    const third = await server.rotate();
    const reread = await loadSigningKeys(target, { now: () => new Date('2026-01-01T00:00:00Z') });
    assert.deepEqual(reread.jwks.keys.map((key) => key.kid), [second, third], 'the first key is gone from the file');
  });
});
