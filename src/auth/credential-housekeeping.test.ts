import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CredentialPurgeReport, OAuthStore } from '../store/index.js';
import { startCredentialHousekeeping } from './credential-housekeeping.js';
import { REFRESH_TOKEN_TTL_SECONDS } from './oauth-provider.js';

/** Waits until `done()` holds (the machine may be busy: timers fire late, never early). */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5_000; !done(); await new Promise((resolve) => setTimeout(resolve, 10))) {
    if (Date.now() > deadline) assert.fail('timed out');
  }
}

const EMPTY: CredentialPurgeReport = { authorizationCodes: 0, signInSessions: 0, revokedAccessTokens: 0, accessTokens: 0, refreshTokens: 0, revokedGrants: 0 };

test('housekeeping purges at once and on its timer, keeping used codes for the refresh-token lifetime (replay detection)', async () => {
  const calls: [Date, Date][] = [];
  const store = { purgeExpiredCredentials: async (now: Date, usedBefore: Date) => { calls.push([now, usedBefore]); return EMPTY; } } as unknown as OAuthStore;
  const now = new Date('2026-03-01T00:00:00Z');
  const housekeeping = startCredentialHousekeeping(store, { intervalMs: 20, now: () => now });
  await until(() => calls.length >= 2);
  housekeeping.stop();
  const count = calls.length;
  assert.deepEqual(calls[0], [now, new Date(now.getTime() - REFRESH_TOKEN_TTL_SECONDS * 1000)]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(calls.length, count, 'nothing runs after stop');
});

test('a failing purge is logged and retried on the next tick, never thrown', async () => {
  let attempts = 0;
  const warnings: string[] = [];
  const store = { purgeExpiredCredentials: async () => { attempts += 1; throw new Error('database is away'); } } as unknown as OAuthStore;
  const housekeeping = startCredentialHousekeeping(store, { intervalMs: 20, log: { info: () => undefined, warn: (_obj, msg) => warnings.push(msg) } });
  await until(() => warnings.length >= 2);
  housekeeping.stop();
  assert.ok(attempts >= 2);
  assert.ok(warnings.every((w) => /will retry/.test(w)));
});
