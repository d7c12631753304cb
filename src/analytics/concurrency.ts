/**
 * Concurrency (`GET /analytics/v1/contracts/:c/concurrency`): the most desktop sessions of a
 * product running at one instant in each hour or day, when that peak was first reached, and the
 * distinct users of the period.
 *
 * The endpoint computes this in SQL, sweeping over session starts and ends (issue 17). This is the
 * same sweep written plainly, the reference the SQL is held to, and the definition of the answer:
 * - a session runs over [start, end): one ending at 11:00 and one starting at 11:00 never overlap,
 *   and a session that starts and ends at the same instant never runs;
 * - periods are UTC hours or UTC days; a session counts in every period it runs in, and is
 *   running at the start of a period it began before;
 * - `peakAt` is the first instant of the period at which the peak was reached, to the minute.
 */

export type ConcurrencyGranularity = 'hour' | 'day';

export interface DesktopSession {
  readonly productLineCode: string;
  readonly userId: string;
  /** ISO 8601 instants (UTC). */
  readonly start: string;
  readonly end: string;
}

export interface ConcurrencyPeriod {
  readonly productLineCode: string;
  /** The period's first instant, ISO 8601 UTC ('2025-03-04T11:00:00.000Z' for an hour, '…T00:00:00.000Z' for a day). */
  readonly periodStart: string;
  readonly peakSessions: number;
  /** The first minute of the period at which `peakSessions` were running (ISO 8601 UTC). */
  readonly peakAt: string;
  /** Users with a session running in the period. */
  readonly distinctUsers: number;
}

const MINUTE_MS = 60_000;
const PERIOD_MS: Record<ConcurrencyGranularity, number> = { hour: 3_600_000, day: 86_400_000 };

/** Every period in which a session of a product runs, by product and period start. */
export function sweepConcurrency(sessions: readonly DesktopSession[], granularity: ConcurrencyGranularity): ConcurrencyPeriod[] {
  const length = PERIOD_MS[granularity];
  const byProduct = new Map<string, { start: number; end: number; userId: string }[]>();
  for (const s of sessions) {
    const start = Date.parse(s.start);
    const end = Date.parse(s.end);
    if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
      throw new RangeError(`Session of ${s.userId} on ${s.productLineCode}: ${s.start} – ${s.end} is not a session`);
    }
    if (end === start) continue;
    const list = byProduct.get(s.productLineCode) ?? [];
    list.push({ start, end, userId: s.userId });
    byProduct.set(s.productLineCode, list);
  }

  const out: ConcurrencyPeriod[] = [];
  for (const [productLineCode, list] of [...byProduct].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const periods = new Map<number, { peak: number; at: number; users: Set<string> }>();
    const periodOf = (p: number) => {
      let entry = periods.get(p);
      if (entry === undefined) periods.set(p, entry = { peak: 0, at: p, users: new Set() });
      return entry;
    };
    for (const s of list) {
      for (let p = floorTo(s.start, length); p < s.end; p += length) periodOf(p).users.add(s.userId);
    }
    // Ends before starts at the same instant: [start, end) sessions that touch do not overlap.
    const events = list.flatMap((s) => [{ at: s.start, delta: 1 }, { at: s.end, delta: -1 }])
      .sort((a, b) => a.at - b.at || a.delta - b.delta);
    let running = 0;
    for (let i = 0; i < events.length; i++) {
      running += events[i]!.delta;
      const from = events[i]!.at;
      const until = events[i + 1]?.at ?? from;
      if (until === from || running === 0) continue;
      // `running` sessions run over [from, until): in every period that interval touches.
      for (let p = floorTo(from, length); p < until; p += length) {
        const entry = periodOf(p);
        if (running > entry.peak) {
          entry.peak = running;
          entry.at = floorTo(Math.max(from, p), MINUTE_MS);
        }
      }
    }
    for (const [p, entry] of [...periods].sort(([a], [b]) => a - b)) {
      out.push({
        productLineCode, periodStart: new Date(p).toISOString(), peakSessions: entry.peak,
        peakAt: new Date(entry.at).toISOString(), distinctUsers: entry.users.size,
      });
    }
  }
  return out;
}

/** The `n` busiest periods: most sessions first, then the earlier period, then by product. */
export function topPeriods<P extends ConcurrencyPeriod>(periods: readonly P[], n: number): P[] {
  if (n <= 0) return [];
  if (n >= periods.length) return [...periods].sort(busierFirst);
  // The n best in one pass (an answer has thousands of periods and asks for ten): each period
  // goes in after the kept ones at least as busy, so ties keep their order, as a stable sort would.
  const best: P[] = [];
  for (const p of periods) {
    if (best.length === n && busierFirst(p, best[n - 1]!) >= 0) continue;
    let i = best.length;
    while (i > 0 && busierFirst(p, best[i - 1]!) < 0) i--;
    best.splice(i, 0, p);
    if (best.length > n) best.pop();
  }
  return best;
}

function busierFirst(a: ConcurrencyPeriod, b: ConcurrencyPeriod): number {
  return b.peakSessions - a.peakSessions
    || (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0)
    || (a.productLineCode < b.productLineCode ? -1 : a.productLineCode > b.productLineCode ? 1 : 0);
}

function floorTo(ms: number, unit: number): number {
  return Math.floor(ms / unit) * unit;
}
