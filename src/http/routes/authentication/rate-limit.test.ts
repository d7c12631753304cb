import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { useErrorFamily } from '../../errors/index.js';
import { createRateLimiter } from './rate-limit.js';

test('past the limit a caller gets 429 with Retry-After and the OAuth error body', async (t) => {
  const app = Fastify();
  t.after(() => app.close());
  useErrorFamily(app, 'oauth');
  app.post('/token', { onRequest: createRateLimiter(2) }, async () => ({ ok: true }));
  assert.equal((await app.inject({ method: 'POST', url: '/token' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'POST', url: '/token' })).statusCode, 200);
  const limited = await app.inject({ method: 'POST', url: '/token' });
  assert.equal(limited.statusCode, 429);
  const retryAfter = Number(limited.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60);
  assert.equal((limited.json() as { error: string }).error, 'too_many_requests');
});

test('a limit of 0 turns limiting off', async (t) => {
  const app = Fastify();
  t.after(() => app.close());
  app.post('/token', { onRequest: createRateLimiter(0) }, async () => ({ ok: true }));
  for (let i = 0; i < 5; i++) assert.equal((await app.inject({ method: 'POST', url: '/token' })).statusCode, 200);
});
