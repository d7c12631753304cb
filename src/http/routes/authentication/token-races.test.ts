// Issue 19 items 1 and 2: concurrent uses of one refresh token or one authorization code. Whatever
// the interleaving, no answer is a 500, and once a reuse was detected no token of the grant works
// (refresh or access). Run many rounds on both store backends: the races are timing-dependent.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createClient, createUser } from '../../../auth/index.js';
import { openDuckDbStore, type Store } from '../../../store/index.js';
import { buildTestApp } from '../../../../test/helpers/build-app.js';
import { openTestPostgresStore, requirePostgres } from '../../../../test/helpers/databases.js';
import { rounds } from '../../../../test/helpers/rounds.js';
import { suiteScope } from '../../../../test/helpers/suite-scope.js';

const ROUNDS = rounds(50);
const CONCURRENT = 8;
const REDIRECT = 'https://app.example/callback';

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

interface Fixture {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly clientId: string;
  readonly userId: string;
}

async function post(app: FastifyInstance, path: string, fields: Record<string, string>) {
  const response = await app.inject({
    method: 'POST', url: `/authentication/v2/${path}`, payload: form(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { status: response.statusCode, body: response.json() as Record<string, unknown> };
}

/** A fresh authorization code for the public client, written straight into the store. */
async function newCode(f: Fixture): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  await f.store.insertAuthorizationCode({
    codeHash: createHash('sha256').update(code).digest('hex'), grantId: randomUUID(), clientId: f.clientId, userId: f.userId,
    redirectUri: REDIRECT, scopes: ['data:read'], codeChallenge: null, nonce: null, authTime: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 300_000).toISOString(),
  });
  return code;
}

/** Neither a refresh token nor an access token of the grant works any more. */
async function assertGrantDead(f: Fixture, refreshTokens: readonly string[], accessTokens: readonly string[], round: number) {
  for (const refreshToken of refreshTokens) {
    const refreshed = await post(f.app, 'token', { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: f.clientId });
    assert.equal(refreshed.status, 400, `round ${round}: a refresh token of a revoked grant still refreshed`);
    assert.equal(refreshed.body.error, 'invalid_grant');
  }
  for (const accessToken of accessTokens) {
    const introspected = await post(f.app, 'introspect', { token: accessToken, client_id: f.clientId });
    assert.equal(introspected.status, 200);
    assert.equal(introspected.body.active, false, `round ${round}: an access token of a revoked grant is still active`);
    const api = await f.app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(api.statusCode, 401, `round ${round}: an access token of a revoked grant still opens the API`);
  }
}

function describeRaces(name: string, open: (t: { after: (fn: () => Promise<void>) => void }) => Promise<Store>, options: { skip?: string } = {}) {
  describe(`token races (${name})`, options, () => {
    const ctx = suiteScope();
    let fixture: Fixture | undefined;
    const setup = async (): Promise<Fixture> => {
      if (fixture) return fixture;
      const store = await open(ctx);
      const user = await createUser(store, { email: `race-${randomUUID()}@example.com`, name: 'Race Tester' });
      const t = await buildTestApp(ctx, store, {}, { authRateLimits: { token: 0, signIn: 0 } });
      const client = await createClient(store, { name: 'Racer', redirectUris: [REDIRECT], isPublic: true });
      fixture = { app: t.app, store, clientId: client.clientId, userId: user.id };
      return fixture;
    };

    test(`${ROUNDS} rounds of ${CONCURRENT} concurrent refreshes: never a 500, and after the reuse no token of the grant works`, async () => {
      const f = await setup();
      for (let round = 0; round < ROUNDS; round++) {
        const exchanged = await post(f.app, 'token', { grant_type: 'authorization_code', code: await newCode(f), redirect_uri: REDIRECT, client_id: f.clientId });
        assert.equal(exchanged.status, 200, JSON.stringify(exchanged.body));
        const refreshToken = String(exchanged.body.refresh_token);
        const answers = await Promise.all(Array.from({ length: CONCURRENT }, () =>
          post(f.app, 'token', { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: f.clientId })));
        const statuses = answers.map((answer) => answer.status);
        assert.ok(statuses.every((status) => status === 200 || status === 400), `round ${round}: ${JSON.stringify(statuses)}`);
        for (const answer of answers) if (answer.status === 400) assert.equal(answer.body.error, 'invalid_grant');
        assert.ok(statuses.includes(400), `round ${round}: no use was seen as a reuse: ${JSON.stringify(statuses)}`);
        const winners = answers.filter((answer) => answer.status === 200);
        await assertGrantDead(f, [refreshToken, ...winners.map((w) => String(w.body.refresh_token))],
          [String(exchanged.body.access_token), ...winners.map((w) => String(w.body.access_token))], round);
      }
    });

    test(`${ROUNDS} rounds of refreshes racing revocations of one refresh token: revocations answer 200, refreshes 200 or 400, and the grant ends`, async () => {
      const f = await setup();
      for (let round = 0; round < ROUNDS; round++) {
        const exchanged = await post(f.app, 'token', { grant_type: 'authorization_code', code: await newCode(f), redirect_uri: REDIRECT, client_id: f.clientId });
        const refreshToken = String(exchanged.body.refresh_token);
        const answers = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => i % 2 === 0
          ? post(f.app, 'token', { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: f.clientId })
          : post(f.app, 'revoke', { token: refreshToken, client_id: f.clientId })));
        answers.forEach((answer, i) => {
          if (i % 2 === 1) assert.equal(answer.status, 200, `round ${round}: a revocation answered ${answer.status}`);
          else assert.ok(answer.status === 200 || answer.status === 400, `round ${round}: a refresh answered ${answer.status}`);
        });
        const winners = answers.filter((answer, i) => i % 2 === 0 && answer.status === 200);
        await assertGrantDead(f, [refreshToken, ...winners.map((w) => String(w.body.refresh_token))],
          [String(exchanged.body.access_token), ...winners.map((w) => String(w.body.access_token))], round);
      }
    });

    test(`${ROUNDS} rounds of ${CONCURRENT} concurrent exchanges of one code: never a 500, and no token of the grant works after the replay`, async () => {
      const f = await setup();
      for (let round = 0; round < ROUNDS; round++) {
        const code = await newCode(f);
        const answers = await Promise.all(Array.from({ length: CONCURRENT }, () =>
          post(f.app, 'token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: f.clientId })));
        const statuses = answers.map((answer) => answer.status);
        assert.ok(statuses.every((status) => status === 200 || status === 400), `round ${round}: ${JSON.stringify(statuses)}`);
        assert.ok(statuses.filter((status) => status === 200).length <= 1, `round ${round}: one code bought two grants: ${JSON.stringify(statuses)}`);
        for (const answer of answers) if (answer.status === 400) assert.equal(answer.body.error, 'invalid_grant');
        const winners = answers.filter((answer) => answer.status === 200);
        await assertGrantDead(f, winners.map((w) => String(w.body.refresh_token)), winners.map((w) => String(w.body.access_token)), round);
      }
    });
  });
}

describeRaces('DuckDB', async (t) => {
  const store = await openDuckDbStore({ dataDir: ':memory:' });
  await store.migrate();
  t.after(() => store.close());
  return store;
});

const postgres = await requirePostgres();
describeRaces('PostgreSQL', async (t) => {
  const { store, dispose } = await openTestPostgresStore();
  t.after(dispose);
  await store.migrate();
  return store;
}, postgres.describeOptions);
