import type { Queryable } from './db.js';

/**
 * One hit on a fixed-window counter, in one statement: a window that has ended starts again at 1.
 * The database's clock decides, so every process agrees on the window.
 */
export async function incrementRateLimitCounter(db: Queryable, key: string, windowMs: number): Promise<{ hits: number; ttlMs: number }> {
  const row = (await db.query(
    `insert into rate_limit_counters as c (key, hits, window_ends)
     values ($1, 1, clock_timestamp() + $2 * interval '1 millisecond')
     on conflict (key) do update set
       hits = case when c.window_ends <= clock_timestamp() then 1 else c.hits + 1 end,
       window_ends = case when c.window_ends <= clock_timestamp() then excluded.window_ends else c.window_ends end
     returning hits, greatest(0, ceil(extract(epoch from (window_ends - clock_timestamp())) * 1000))::bigint as ttl_ms`,
    [key, windowMs])).rows[0] as { hits: number; ttl_ms: string | number };
  return { hits: Number(row.hits), ttlMs: Number(row.ttl_ms) };
}

/** Drops the counters whose window ended (they would start again at 1 anyway). */
export async function deleteEndedRateLimitCounters(db: Queryable): Promise<void> {
  await db.query('delete from rate_limit_counters where window_ends < clock_timestamp()');
}
