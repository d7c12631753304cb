/**
 * Rolling-origin backtests: stand on each past day of the history in turn, forecast from what was
 * known then, and compare with what happened. Their errors choose the model's parameters, make its
 * intervals, and are reported beside the naive forecast's.
 */
import { forecastFrom, type SmoothedSeries } from './smoothing.js';

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
 */
export function scoreModel(
  series: Float64Array, model: SmoothedSeries, phi: number, firstOrigin: number, horizons: readonly number[], stride = 1,
): HorizonScore[] {
  const longest = Math.max(0, ...horizons);
  const buffer = new Float64Array(longest);
  const absolute = new Float64Array(horizons.length);
  const actual = new Float64Array(horizons.length);
  const n = series.length;
  const origins = new Int32Array(horizons.length);
  for (let t = firstOrigin; t < n; t += stride) {
    const reach = Math.min(longest, n - t);
    forecastFrom(model, phi, t, reach, buffer);
    let forecast = 0;
    let observed = 0;
    let k = 0;
    for (let i = 0; i < reach; i++) {
      forecast += buffer[i]!;
      observed += series[t + i]!;
      while (k < horizons.length && horizons[k] === i + 1) {
        absolute[k]! += Math.abs(observed - forecast);
        actual[k]! += observed;
        origins[k]! += 1;
        k++;
      }
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

/** Out-of-sample errors of the model, as absolute values sorted ascending, ready for quantiles. */
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

/** Collects the model's errors for horizons 1 … maxHorizon from every origin from `firstOrigin`. */
export function collectErrors(
  series: Float64Array, model: SmoothedSeries, phi: number, firstOrigin: number, maxHorizon: number,
): ErrorSample {
  const n = series.length;
  const cumulative: Float64Array[] = [];
  const filled = new Int32Array(maxHorizon);
  for (let h = 1; h <= maxHorizon; h++) cumulative.push(new Float64Array(originCount(n, firstOrigin, h)));
  const daily: number[][] = Array.from({ length: DAILY_BUCKETS.length * 7 }, () => []);
  const buffer = new Float64Array(maxHorizon);
  const levels = new Float64Array(maxHorizon);
  const dailyReach = DAILY_BUCKETS[DAILY_BUCKETS.length - 1]!;
  for (let t = firstOrigin; t < n; t++) {
    const reach = Math.min(maxHorizon, n - t);
    forecastFrom(model, phi, t, reach, buffer, levels);
    let forecast = 0;
    let observed = 0;
    for (let i = 0; i < reach; i++) {
      const y = series[t + i]!;
      forecast += buffer[i]!;
      observed += y;
      if (forecast > 1e-9) {
        const k = filled[i]!;
        cumulative[i]![k] = Math.abs(observed - forecast) / forecast;
        filled[i] = k + 1;
      }
      if (i < dailyReach && levels[i]! > 1e-9) {
        const weekday = (model.firstWeekday + t + i) % 7;
        daily[dailyBucketOf(i + 1) * 7 + weekday]!.push(Math.abs(y - buffer[i]!) / levels[i]!);
      }
    }
  }
  return {
    cumulative: cumulative.map((errors, i) => errors.subarray(0, filled[i]!).sort()),
    daily: daily.map((errors) => Float64Array.from(errors).sort()),
  };
}

/** Quantile p of sorted values, interpolating between order statistics (R's type 7). */
export function quantileOfSorted(sorted: Float64Array, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const position = (n - 1) * p;
  const below = Math.floor(position);
  const above = Math.min(n - 1, below + 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}
