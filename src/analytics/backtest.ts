/**
 * Rolling-origin backtests: stand on each past day of the history in turn, forecast from what was
 * known then, and compare with what happened. Their errors choose the model's parameters, make its
 * intervals, and are reported beside the naive forecast's.
 */
import type { SmoothedSeries } from './smoothing.js';

/** Days of history behind the naive forecast: the average of the last 28 days. */
export const NAIVE_WINDOW_DAYS = 28;

/** Sums over the origins of one horizon: |actual − forecast| and actual of the cumulative consumption. */
export interface HorizonScore {
  readonly horizon: number;
  readonly origins: number;
  readonly absoluteError: number;
  readonly actual: number;
}

/** Origins t (days observed) with firstOrigin ≤ t ≤ days − horizon. */
export function originCount(days: number, firstOrigin: number, horizon: number): number {
  return Math.max(0, days - horizon - firstOrigin + 1);
}

/**
 * The model's cumulative-forecast errors at `horizons` (ascending) over every `stride`-th origin
 * from `firstOrigin` (a stride sharing no factor with 7 still visits every weekday).
 *
 * This runs for each of the parameter sets tried, so it sums the forecast of forecastFrom in
 * closed form rather than day by day: the day i ahead (0-based) is max(0, level + trend·Dᵢ) times
 * its weekday's factor, with Dᵢ = φ + φ² + … + φⁱ⁺¹. While the level stays above 0 over the
 * horizon (Dᵢ grows with i, so checking its last day suffices), the sum over h days is, per
 * weekday w, factor(w) × (level × Cₕ(w) + trend × Gₕ(w)), where Cₕ(w) counts the days of weekday
 * w among the h and Gₕ(w) sums their Dᵢ: seven terms instead of h. Otherwise (a falling trend
 * that reaches 0), day by day. The same sums up to the rounding of the last digits.
 */
export function scoreModel(
  series: Float64Array, model: SmoothedSeries, phi: number, firstOrigin: number, horizons: readonly number[], stride = 1,
): HorizonScore[] {
  const longest = Math.max(0, ...horizons);
  const absolute = new Float64Array(horizons.length);
  const actual = new Float64Array(horizons.length);
  const n = series.length;
  const origins = new Int32Array(horizons.length);
  const { level: levels, trend: trends, factors } = model;

  // D for each day ahead; C and G per horizon and offset r from the origin's weekday.
  const damping = new Float64Array(longest);
  for (let i = 0, power = 1, sum = 0; i < longest; i++) {
    power *= phi;
    sum += power;
    damping[i] = sum;
  }
  const counts = new Float64Array(horizons.length * 7);
  const dampings = new Float64Array(horizons.length * 7);
  for (const [k, h] of horizons.entries()) {
    for (let i = 0; i < h; i++) {
      counts[k * 7 + (i % 7)]! += 1;
      dampings[k * 7 + (i % 7)]! += damping[i]!;
    }
  }
  const prefix = new Float64Array(n + 1);
  for (let t = 0; t < n; t++) prefix[t + 1] = prefix[t]! + series[t]!;
  const weekdayFactor = new Float64Array(7);

  for (let t = firstOrigin; t < n; t += stride) {
    const reach = Math.min(longest, n - t);
    const level = levels[t]!;
    const trend = trends[t]!;
    const base = t * 7;
    const first = (model.firstWeekday + t) % 7;
    for (let r = 0; r < 7; r++) weekdayFactor[r] = factors[base + ((first + r) % 7)]!;
    for (let k = 0; k < horizons.length; k++) {
      const h = horizons[k]!;
      if (h > reach) break;
      let forecast = 0;
      if (level + trend * damping[0]! >= 0 && level + trend * damping[h - 1]! >= 0) {
        for (let r = 0; r < 7; r++) forecast += weekdayFactor[r]! * (level * counts[k * 7 + r]! + trend * dampings[k * 7 + r]!);
      } else {
        for (let i = 0; i < h; i++) forecast += Math.max(0, level + trend * damping[i]!) * weekdayFactor[i % 7]!;
      }
      const observed = prefix[t + h]! - prefix[t]!;
      absolute[k]! += Math.abs(observed - forecast);
      actual[k]! += observed;
      origins[k]! += 1;
    }
  }
  return horizons.map((h, k) => ({ horizon: h, origins: origins[k]!, absoluteError: absolute[k]!, actual: actual[k]! }));
}

/** The same errors for the naive forecast: every day ahead is the average of the last 28 (or fewer) days. */
export function scoreNaive(series: Float64Array, firstOrigin: number, horizons: readonly number[]): HorizonScore[] {
  const n = series.length;
  return horizons.map((h) => {
    let absoluteError = 0;
    let actual = 0;
    for (let t = firstOrigin; t + h <= n; t++) {
      const forecast = naiveDaily(series, t) * h;
      let observed = 0;
      for (let i = 0; i < h; i++) observed += series[t + i]!;
      absoluteError += Math.abs(observed - forecast);
      actual += observed;
    }
    return { horizon: h, origins: originCount(n, firstOrigin, h), absoluteError, actual };
  });
}

/** The naive daily forecast from origin t: the mean of days t−28 … t−1 (of all days before t when fewer). */
export function naiveDaily(series: Float64Array, t: number): number {
  const from = Math.max(0, t - NAIVE_WINDOW_DAYS);
  if (t <= from) return 0;
  let sum = 0;
  for (let i = from; i < t; i++) sum += series[i]!;
  return sum / (t - from);
}

/** Horizon buckets of daily errors: days 1–7, 8–28, 29–91 ahead. */
export const DAILY_BUCKETS: readonly number[] = [7, 28, 91];

export function dailyBucketOf(horizon: number): number {
  return horizon <= 7 ? 0 : horizon <= 28 ? 1 : 2;
}

/** Out-of-sample errors of the model, as absolute values (in no particular order; see quantilesOf). */
export interface ErrorSample {
  /**
   * `cumulative[h − 1]`: |actual − forecast| / forecast of the cumulative consumption h days
   * ahead, one per origin (origins whose forecast is 0 are left out: a relative error needs one).
   */
  readonly cumulative: readonly Float64Array[];
  /**
   * `daily[bucket * 7 + weekday]`: |actual − forecast| / level of single days whose horizon falls
   * in the bucket, by the day's weekday; in units of an average day, so a quiet weekday gets a
   * narrow interval and a busy one a wide one.
   */
  readonly daily: readonly Float64Array[];
}

/**
 * Collects the model's errors for horizons 1 … maxHorizon from every origin from `firstOrigin`.
 * The forecast is forecastFrom's, computed in the loop (the same arithmetic, so the same figures).
 */
export function collectErrors(
  series: Float64Array, model: SmoothedSeries, phi: number, firstOrigin: number, maxHorizon: number,
): ErrorSample {
  const n = series.length;
  const cumulative: Float64Array[] = [];
  const filled = new Int32Array(maxHorizon);
  for (let h = 1; h <= maxHorizon; h++) cumulative.push(new Float64Array(originCount(n, firstOrigin, h)));
  // Each bucket and weekday holds at most (its horizons) × (its weekday's share of the origins) errors.
  const origins = Math.max(0, n - firstOrigin);
  const daily: Float64Array[] = [];
  const dailyFilled = new Int32Array(DAILY_BUCKETS.length * 7);
  for (let b = 0; b < DAILY_BUCKETS.length; b++) {
    const span = DAILY_BUCKETS[b]! - (b > 0 ? DAILY_BUCKETS[b - 1]! : 0);
    for (let w = 0; w < 7; w++) daily.push(new Float64Array(span * Math.ceil(origins / 7)));
  }
  const dailyReach = DAILY_BUCKETS[DAILY_BUCKETS.length - 1]!;
  const { level: levels, trend: trends, factors } = model;
  for (let t = firstOrigin; t < n; t++) {
    const reach = Math.min(maxHorizon, n - t);
    const level = levels[t]!;
    const trend = trends[t]!;
    const base = t * 7;
    let weekday = (model.firstWeekday + t) % 7;
    let damping = 0;
    let power = 1;
    let forecast = 0;
    let observed = 0;
    for (let i = 0; i < reach; i++) {
      power *= phi;
      damping += power;
      const l = Math.max(0, level + trend * damping);
      const point = l * factors[base + weekday]!;
      const y = series[t + i]!;
      forecast += point;
      observed += y;
      if (forecast > 1e-9) {
        const k = filled[i]!;
        cumulative[i]![k] = Math.abs(observed - forecast) / forecast;
        filled[i] = k + 1;
      }
      if (i < dailyReach && l > 1e-9) {
        const slot = dailyBucketOf(i + 1) * 7 + weekday;
        daily[slot]![dailyFilled[slot]!++] = Math.abs(y - point) / l;
      }
      if (++weekday === 7) weekday = 0;
    }
  }
  return {
    cumulative: cumulative.map((errors, i) => errors.subarray(0, filled[i]!)),
    daily: daily.map((errors, slot) => errors.subarray(0, dailyFilled[slot]!)),
  };
}

/**
 * Quantiles `low` ≤ `high` of `values`, interpolating between order statistics (R's type 7), as
 * a sort would give them, found by selection instead (no sort of every horizon's errors: that
 * was a third of the forecast's time). Reorders `values`.
 */
export function quantilesOf(values: Float64Array, low: number, high: number): [number, number] {
  const n = values.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const at = (p: number, from: number): number => {
    const position = (n - 1) * p;
    const below = Math.floor(position);
    const lower = select(values, from, n - 1, below);
    if (below + 1 >= n) return lower;
    // Everything after `below` is at least its value: the next order statistic is their least.
    let upper = values[below + 1]!;
    for (let i = below + 2; i < n; i++) if (values[i]! < upper) upper = values[i]!;
    return lower + (position - below) * (upper - lower);
  };
  const first = at(low, 0);
  const second = at(high, Math.floor((n - 1) * low));
  return [first, second];
}

/**
 * Puts the k-th smallest of values[lo … hi] at k, the smaller before it and the larger after it
 * (Hoare's selection with Wirth's partition: many equal values, say all zero, stay linear).
 */
function select(values: Float64Array, lo: number, hi: number, k: number): number {
  while (lo < hi) {
    const pivot = values[k]!;
    let i = lo;
    let j = hi;
    do {
      while (values[i]! < pivot) i++;
      while (pivot < values[j]!) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) lo = i;
    if (k < i) hi = j;
  }
  return values[k]!;
}
