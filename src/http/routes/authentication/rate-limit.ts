import type { FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.js';

/**
 * A fixed one-minute window per client address, in memory. Enough for one process (DuckDB runs
 * one); several processes behind a balancer would each count separately. @fastify/rate-limit was
 * considered; this is the 20 lines we need, scoped to the two routes that check secrets.
 */
export function createRateLimiter(maxPerMinute: number) {
  const windows = new Map<string, { start: number; count: number }>();
  const windowMs = 60_000;
  return async function limitRate(request: FastifyRequest): Promise<void> {
    if (maxPerMinute <= 0) return;
    const now = Date.now();
    if (windows.size > 10_000) {
      for (const [key, window] of windows) if (now - window.start >= windowMs) windows.delete(key);
    }
    const key = request.ip;
    let window = windows.get(key);
    if (!window || now - window.start >= windowMs) {
      window = { start: now, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    if (window.count > maxPerMinute) {
      const retryAfterSeconds = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
      throw new AppError('RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds} s.`, { retryAfterSeconds });
    }
  };
}
