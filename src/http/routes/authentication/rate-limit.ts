import rateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.js';
import type { Store } from '../../../store/index.js';

/** Counts requests per key in a fixed window; the answer says how many so far and how long the window still runs. */
export type HitCounter = (key: string, windowMs: number) => Promise<{ readonly hits: number; readonly ttlMs: number }>;

const WINDOW_MS = 60_000;

/**
 * An @fastify/rate-limit store over the service's store when it is shared by several processes
 * (PostgreSQL): every process counts against one budget, so three processes do not give an
 * attacker three times the guesses (issue 19 item 5). `undefined` on DuckDB (one process): the
 * library's own in-memory store is then exact.
 */
function sharedStoreOf(store: Store): FastifyRateLimitStoreCtor | undefined {
  if (!store.countRateLimitHit) return undefined;
  const count: HitCounter = (key, windowMs) => store.countRateLimitHit!(key, windowMs);
  class SharedCounterStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      count(key, timeWindow).then((result) => callback(null, { current: result.hits, ttl: result.ttlMs }), (error: Error) => callback(error));
    }
    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return SharedCounterStore;
}

/** A hook that answers 429 (the family's body, `Retry-After`) past `max` requests a minute per key; 0 turns it off. */
export type RateLimitHook = (request: FastifyRequest) => Promise<void>;

/**
 * Registers @fastify/rate-limit in the authentication context (routes opt in; nothing global) and
 * returns a factory of limits: one budget per key, a key being e.g. the client address or the
 * client id. Errors of the shared store fail open (`skipOnError`): a database hiccup must not lock
 * every client out, and the secret check behind the limit is slow by design anyway.
 */
export async function registerRateLimits(app: FastifyInstance, store: Store): Promise<(name: string, max: number, keyOf: (request: FastifyRequest) => string | undefined) => RateLimitHook> {
  const shared = sharedStoreOf(store);
  await app.register(rateLimit, { global: false, skipOnError: true, ...(shared ? { store: shared } : {}) });
  return (name, max, keyOf) => {
    if (max <= 0) return async () => undefined;
    const check = app.createRateLimit({
      max, timeWindow: WINDOW_MS, skipOnError: true,
      // The key is only read when keyOf gave one (see below); the namespace keeps limits apart.
      keyGenerator: (request) => `${name}:${keyOf(request) ?? ''}`,
    });
    return async (request) => {
      if (keyOf(request) === undefined) return;
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) {
        const retryAfterSeconds = Math.max(1, result.ttlInSeconds);
        throw new AppError('RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds} s.`, { retryAfterSeconds });
      }
    };
  };
}
