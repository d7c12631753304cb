/**
 * The token forecast of a contract year: the model (smoothing.ts) fitted to the contract's own
 * history, intervals from its own rolling-origin backtests (backtest.ts), and what the forecast
 * means for the year's pool and the multi-year pool. docs/analytics.md explains it to a reader.
 */
import {
  collectErrors, DAILY_BUCKETS, dailyBucketOf, naiveDaily, originCount, quantilesOf, scoreModel, scoreNaive,
  type ErrorSample, type HorizonScore,
} from './backtest.js';
import { dayNumber, formatDay, weekdayOf } from './calendar.js';
import type {
  BacktestHorizon, Banded, Exhaustion, ForecastDay, ForecastInput, HistoryDay, PoolProjection, TokenForecast,
} from './forecast-types.js';
import { round2, round4 } from './rounding.js';
import { forecastFrom, INITIAL_DAYS, smoothingBuffers, smoothSeries, type SmoothedSeries, type SmoothingParameters } from './smoothing.js';

/** Below this many days of history the naive forecast answers, with assumed intervals. */
export const MIN_MODEL_DAYS = INITIAL_DAYS;
/** The model learns from at most the last two years. */
export const MAX_HISTORY_DAYS = 730;
/** Horizons of the backtest every answer carries. */
export const BACKTEST_HORIZONS: readonly number[] = [30, 60, 90];
/** The first origin of every backtest: the model's first forecast needs its two initial weeks. */
const FIRST_ORIGIN = INITIAL_DAYS;
/** A horizon is measured when at least this many origins check it (and at least as many as its days). */
const MIN_ORIGINS = 10;
/** Daily errors of a weekday and horizon bucket needed before they make a band. */
const MIN_DAILY_SAMPLES = 30;

/**
 * The parameters tried: no trend, a damped one, two slow undamped ones, each with five speeds of
 * the level and two of the weekday factors. In this order: the simplest set within
 * SELECTION_TOLERANCE of the best wins, as a near-tie says more about noise than about the model.
 */
const PARAMETER_GRID: readonly SmoothingParameters[] = [
  { beta: 0, phi: 1 }, { beta: 0.03, phi: 0.99 }, { beta: 0.01, phi: 1 }, { beta: 0.03, phi: 1 },
].flatMap(({ beta, phi }) => [0.02, 0.03, 0.05, 0.1, 0.2].flatMap((alpha) =>
  [0.05, 0.15].map((gamma) => Object.freeze({ alpha, beta, phi, gamma }))));
const SELECTION_TOLERANCE = 0.02;
/**
 * The choice looks at every third origin: neighbouring origins' errors overlap almost entirely, and
 * looking at every one took three quarters of the whole forecast's time.
 */
const SELECTION_STRIDE = 3;
/** Used when the history is too short to choose (fewer than MIN_ORIGINS origins at 7 days). */
const DEFAULT_PARAMETERS: SmoothingParameters = Object.freeze({ alpha: 0.1, beta: 0, phi: 1, gamma: 0.15 });

/** A band as relative deviations from the point: the point × (1 + deviation). */
interface Band { readonly low95: number; readonly low80: number; readonly high80: number; readonly high95: number }
const BAND_KEYS = ['low95', 'low80', 'high80', 'high95'] as const;
type BandKey = (typeof BAND_KEYS)[number];
/** The band of the naive method, and of any forecast whose errors cannot be measured: an assumption. */
const ASSUMED: Band = Object.freeze({ low95: -1, low80: -0.5, high80: 0.5, high95: 1 });

/** Forecasts the rest of a contract year from the contract's daily consumption up to `asOf`. */
export function forecastTokens(input: ForecastInput): TokenForecast {
  const asOf = dayNumber(input.asOf);
  const yearStart = dayNumber(input.contractYear.startDate);
  const yearEnd = dayNumber(input.contractYear.endDate);
  if (yearEnd < yearStart) throw new RangeError(`Contract year ends (${input.contractYear.endDate}) before it starts`);
  const history = readHistory(input, asOf);
  const series = history.usage;
  const actual = yearActuals(history.totals, asOf, yearStart, yearEnd);
  const yearToDate = actual.length > 0 ? actual[actual.length - 1]!.cumulative : 0;
  const horizon = Math.max(0, yearEnd - asOf);

  const fitted = series.length >= MIN_MODEL_DAYS ? fitModel(series, weekdayOf(history.from!), horizon) : null;
  const point = fitted?.point ?? new Float64Array(horizon).fill(naiveDaily(series, series.length));
  const bands = fitted?.bands ?? { cumulative: () => ASSUMED, daily: (_h: number, value: number) => relativeBand(value, ASSUMED) };

  // The year's cumulative consumption: what was used so far plus the forecast days inside the year
  // (a year that has not begun yet starts after some forecast days).
  const firstInYear = Math.max(1, yearStart - asOf);
  const cumulative = { point: new Float64Array(horizon), ...bandArrays(horizon) };
  const running: Record<BandKey, number> = { low95: yearToDate, low80: yearToDate, high80: yearToDate, high95: yearToDate };
  let inYear = 0;
  for (let h = 1; h <= horizon; h++) {
    if (h >= firstInYear) inYear += point[h - 1]!;
    cumulative.point[h - 1] = yearToDate + inYear;
    const band = bands.cumulative(h);
    for (const key of BAND_KEYS) {
      // A bound never falls from one day to the next: future usage is not negative.
      running[key] = Math.max(running[key], yearToDate + inYear * (1 + band[key]));
      cumulative[key][h - 1] = running[key];
    }
  }
  const forecast: ForecastDay[] = [];
  for (let h = firstInYear; h <= horizon; h++) {
    forecast.push({
      date: formatDay(asOf + h),
      daily: roundBanded(bands.daily(h, point[h - 1]!)),
      cumulative: roundBanded(cumulativeAt(cumulative, h)),
    });
  }
  const yearEndBand = horizon > 0 ? cumulativeAt(cumulative, horizon)
    : { tokens: yearToDate, low80: yearToDate, high80: yearToDate, low95: yearToDate, high95: yearToDate };

  // Pools: the rating draws on the year's tokens until the year's running total exceeds them, then
  // on the multi-year pool (src/rating), so each pool runs out when the year's total reaches a
  // threshold: the year's tokens, then those plus what the multi-year pool held when the year began.
  const provisioned = input.contractYear.provisionedTokens;
  const yearLeft = provisioned - yearToDate;
  const dateOf = (h: number): string => formatDay(asOf + h);
  const yearPool: PoolProjection = {
    provisionedTokens: provisioned, usedTokens: round2(yearToDate), leftTokens: round2(yearLeft),
    exhaustion: exhaustionOf(provisioned, yearLeft <= 0, actual, cumulative, firstInYear, dateOf),
  };
  let multiyearPool: PoolProjection | null = null;
  // What the pools held for this year: its own tokens and the multi-year pool as the year began.
  let available = provisioned;
  if (input.multiyearPool !== null) {
    const { provisionedTokens, usedTokens } = input.multiyearPool;
    const left = provisionedTokens - usedTokens;
    const heldAtYearStart = left + Math.max(0, yearToDate - provisioned);
    multiyearPool = {
      provisionedTokens, usedTokens: round2(usedTokens), leftTokens: round2(left),
      exhaustion: exhaustionOf(provisioned + heldAtYearStart, left <= 0, actual, cumulative, firstInYear, dateOf),
    };
    available += heldAtYearStart;
  }

  return {
    asOf: input.asOf,
    contractYear: { ...input.contractYear },
    method: fitted === null ? 'naive-average' : 'robust-exponential-smoothing',
    reason: fitted === null
      ? `Only ${series.length} day${series.length === 1 ? '' : 's'} of history, and the model needs ${MIN_MODEL_DAYS}: `
        + 'every day ahead is the average day so far, and the intervals are assumed (±50 % and ±100 %), not measured.'
      : null,
    model: fitted === null ? null : describeModel(fitted, history.from!),
    history: { from: history.from === null ? null : formatDay(history.from), to: input.asOf, days: series.length },
    intervals: {
      basis: fitted !== null && fitted.measuredHorizon > 0 ? 'backtest' : 'assumed',
      origins: fitted?.origins ?? 0,
      measuredHorizonDays: fitted?.measuredHorizon ?? 0,
    },
    actual,
    forecast,
    yearEnd: roundBanded(yearEndBand),
    pools: { year: yearPool, multiyear: multiyearPool },
    purchase: {
      p50: round2(Math.max(0, yearEndBand.tokens - available)),
      p90: round2(Math.max(0, yearEndBand.high80 - available)),
    },
    backtest: backtestOf(series, fitted),
  };
}

// ---- History --------------------------------------------------------------------------------

interface History {
  /** Day number of the series' first day; null without any listed day. */
  readonly from: number | null;
  /** Usage tokens per day from `from` to asOf (at most MAX_HISTORY_DAYS). */
  readonly usage: Float64Array;
  /** All tokens (usage and adjustments) of every listed day. */
  readonly totals: ReadonlyMap<number, number>;
}

function readHistory(input: ForecastInput, asOf: number): History {
  const totals = new Map<number, number>();
  const usage = new Map<number, number>();
  let previous = -Infinity;
  for (const day of input.days) {
    const d = dayNumber(day.date);
    if (d <= previous) throw new RangeError(`Daily consumption must be in ascending date order, without repeats: ${day.date}`);
    if (d > asOf) throw new RangeError(`Daily consumption on ${day.date} is after asOf ${input.asOf}`);
    if (!Number.isFinite(day.usageTokens) || !Number.isFinite(day.adjustmentTokens)) {
      throw new RangeError(`Daily consumption on ${day.date} is not a finite number`);
    }
    previous = d;
    totals.set(d, day.usageTokens + day.adjustmentTokens);
    usage.set(d, day.usageTokens);
  }
  const first = input.days[0];
  if (first === undefined) return { from: null, usage: new Float64Array(0), totals };
  const from = Math.max(dayNumber(first.date), asOf - MAX_HISTORY_DAYS + 1);
  const series = new Float64Array(asOf - from + 1);
  for (const [d, tokens] of usage) if (d >= from) series[d - from] = tokens;
  return { from, usage: series, totals };
}

function yearActuals(totals: ReadonlyMap<number, number>, asOf: number, yearStart: number, yearEnd: number): HistoryDay[] {
  const days: HistoryDay[] = [];
  let cumulative = 0;
  for (let d = yearStart; d <= Math.min(asOf, yearEnd); d++) {
    const tokens = totals.get(d) ?? 0;
    cumulative += tokens;
    days.push({ date: formatDay(d), tokens: round2(tokens), cumulative: round2(cumulative) });
  }
  return days;
}

// ---- The fitted model and its bands ---------------------------------------------------------

interface Bands {
  /** The band of the cumulative forecast h days ahead. */
  cumulative(h: number): Band;
  /** The banded forecast of the day h ahead whose point forecast is `point`. */
  daily(h: number, point: number): Banded;
}

interface FittedModel {
  readonly parameters: SmoothingParameters;
  readonly model: SmoothedSeries;
  readonly point: Float64Array;
  readonly bands: Bands;
  readonly origins: number;
  readonly measuredHorizon: number;
}

function fitModel(series: Float64Array, firstWeekday: number, horizon: number): FittedModel {
  const { parameters, model } = chooseParameters(series, firstWeekday);
  const n = series.length;
  const point = new Float64Array(horizon);
  const levels = new Float64Array(horizon);
  forecastFrom(model, parameters.phi, n, horizon, point, levels);

  // A horizon counts as measured when enough origins check it, and at least as many as it has
  // days: with fewer, its windows overlap so much that they are nearly one observation.
  const usable = n - FIRST_ORIGIN + 1;
  const limit = Math.max(0, Math.min(horizon, Math.floor(usable / 2), usable - MIN_ORIGINS));
  const collect = Math.max(limit, Math.min(DAILY_BUCKETS[DAILY_BUCKETS.length - 1]!, horizon, n - FIRST_ORIGIN));
  const errors = collectErrors(series, model, parameters.phi, FIRST_ORIGIN, collect);
  let measured = 0;
  while (measured < limit && errors.cumulative[measured]!.length >= MIN_ORIGINS) measured++;
  const cumulativeBands = extrapolatedBands(errors, measured, horizon);
  const dailyBands = dailyBandTable(errors);

  return {
    parameters,
    model,
    point,
    origins: errors.cumulative[0]?.length ?? 0,
    measuredHorizon: measured,
    bands: {
      cumulative: (h) => cumulativeBands[h - 1] ?? ASSUMED,
      daily: (h, value) => {
        const weekday = (firstWeekday + n + h - 1) % 7;
        const band = dailyBands[dailyBucketOf(h) * 7 + weekday];
        if (band === undefined) return relativeBand(value, ASSUMED);
        // Daily bands are in units of an average day (the level), not of the day's own forecast.
        const at = (key: BandKey): number => Math.max(0, value + levels[h - 1]! * band[key]);
        return { tokens: value, low95: at('low95'), low80: at('low80'), high80: at('high80'), high95: at('high95') };
      },
    },
  };
}

/** The parameters whose rolling-origin errors at 30, 60 and 90 days (or 7 and 14) are least. */
function chooseParameters(series: Float64Array, firstWeekday: number): { parameters: SmoothingParameters; model: SmoothedSeries } {
  const n = series.length;
  const enough = (h: number): boolean => originCount(n, FIRST_ORIGIN, h) >= MIN_ORIGINS;
  let horizons = BACKTEST_HORIZONS.filter(enough);
  if (horizons.length === 0) horizons = [7, 14].filter(enough);
  if (horizons.length === 0) return { parameters: DEFAULT_PARAMETERS, model: smoothSeries(series, firstWeekday, DEFAULT_PARAMETERS) };
  // Each set is smoothed into the same buffers and scored; the chosen one is smoothed once more, into its own.
  const buffers = smoothingBuffers(n);
  const scored = PARAMETER_GRID.map((parameters) => {
    const model = smoothSeries(series, firstWeekday, parameters, buffers);
    return { parameters, score: relativeErrorSum(scoreModel(series, model, parameters.phi, FIRST_ORIGIN, horizons, SELECTION_STRIDE)) };
  });
  const best = Math.min(...scored.map((s) => s.score));
  const { parameters } = scored.find((s) => s.score <= best * (1 + SELECTION_TOLERANCE))!;
  return { parameters, model: smoothSeries(series, firstWeekday, parameters) };
}

function relativeErrorSum(scores: readonly HorizonScore[]): number {
  let sum = 0;
  for (const s of scores) sum += s.actual > 0 ? s.absoluteError / s.actual : s.absoluteError;
  return sum;
}

/**
 * The cumulative forecast's bands for horizons 1 … horizon: measured up to `measured` days, beyond
 * as c·√h with c fitted to the measured second half (how the spread of a random walk grows: an
 * assumption, which the answer reports as `measuredHorizonDays`).
 */
function extrapolatedBands(errors: ErrorSample, measured: number, horizon: number): Band[] {
  const bands: Band[] = [];
  if (measured === 0) return bands;
  const scale: Record<BandKey, number> = { low95: 0, low80: 0, high80: 0, high95: 0 };
  const from = Math.ceil(measured / 2);
  for (let h = 1; h <= measured; h++) {
    const band = bandOf(errors.cumulative[h - 1]!);
    bands.push(band);
    if (h >= from) for (const key of BAND_KEYS) scale[key] += band[key] / Math.sqrt(h) / (measured - from + 1);
  }
  for (let h = measured + 1; h <= horizon; h++) {
    const root = Math.sqrt(h);
    bands.push({ low95: scale.low95 * root, low80: scale.low80 * root, high80: scale.high80 * root, high95: scale.high95 * root });
  }
  return bands;
}

/** Daily bands by horizon bucket and weekday; a bucket short of samples borrows the one before. */
function dailyBandTable(errors: ErrorSample): (Band | undefined)[] {
  const table: (Band | undefined)[] = [];
  for (let b = 0; b < DAILY_BUCKETS.length; b++) {
    for (let w = 0; w < 7; w++) {
      const sample = errors.daily[b * 7 + w]!;
      table.push(sample.length >= MIN_DAILY_SAMPLES ? bandOf(sample) : b > 0 ? table[(b - 1) * 7 + w] : undefined);
    }
  }
  return table;
}

/**
 * The band of a sample of absolute relative errors: ± their 80th and 95th percentiles. Symmetric
 * on purpose: the errors of neighbouring origins overlap in time, so a history holds few
 * independent ones, and separate tails each shift with one unusual stretch; pooled, both halves
 * estimate one width (on synthetic series, 80 % intervals held 62–72 % of the time with signed
 * tails, 72–88 % pooled).
 */
function bandOf(absolute: Float64Array): Band {
  const [w80, w95] = quantilesOf(absolute, 0.8, 0.95);
  return { low95: -w95, low80: -w80, high80: w80, high95: w95 };
}

function relativeBand(value: number, band: Band): Banded {
  const at = (key: BandKey): number => Math.max(0, value * (1 + band[key]));
  return { tokens: value, low95: at('low95'), low80: at('low80'), high80: at('high80'), high95: at('high95') };
}

type CumulativeArrays = { readonly point: Float64Array } & Record<BandKey, Float64Array>;

function bandArrays(horizon: number): Record<BandKey, Float64Array> {
  return { low95: new Float64Array(horizon), low80: new Float64Array(horizon), high80: new Float64Array(horizon), high95: new Float64Array(horizon) };
}

function cumulativeAt(cumulative: CumulativeArrays, h: number): Banded {
  return {
    tokens: cumulative.point[h - 1]!, low80: cumulative.low80[h - 1]!, high80: cumulative.high80[h - 1]!,
    low95: cumulative.low95[h - 1]!, high95: cumulative.high95[h - 1]!,
  };
}

function describeModel(fitted: FittedModel, from: number): NonNullable<TokenForecast['model']> {
  const { model, parameters } = fitted;
  const n = model.days;
  return {
    alpha: parameters.alpha, beta: parameters.beta, phi: parameters.phi, gamma: parameters.gamma,
    weekdayFactors: Array.from(model.factors.subarray(n * 7, n * 7 + 7), round4),
    level: round2(model.level[n]!),
    trend: round4(model.trend[n]!),
    levelShifts: model.levelShifts.map((t) => formatDay(from + t)),
    clippedDays: model.clippedDays,
  };
}

// ---- Pools ----------------------------------------------------------------------------------

/**
 * When the year's running total reaches `threshold`. A pool empty already (`empty`) ran out on the
 * first actual day that reached it (null: before this year); otherwise on the first forecast day
 * whose cumulative point, and each bound, reaches it.
 */
function exhaustionOf(
  threshold: number, empty: boolean, actual: readonly HistoryDay[], cumulative: CumulativeArrays, firstInYear: number,
  dateOf: (h: number) => string,
): Exhaustion {
  if (empty) {
    const date = actual.find((day) => day.cumulative >= threshold)?.date ?? null;
    return { status: 'exhausted', date, interval80: { earliest: date, latest: date }, interval95: { earliest: date, latest: date } };
  }
  const first = (values: Float64Array): string | null => {
    for (let h = firstInYear; h <= values.length; h++) if (values[h - 1]! >= threshold) return dateOf(h);
    return null;
  };
  const date = first(cumulative.point);
  return {
    status: date === null ? 'not-within-year' : 'projected',
    date,
    interval80: { earliest: first(cumulative.high80), latest: first(cumulative.low80) },
    interval95: { earliest: first(cumulative.high95), latest: first(cumulative.low95) },
  };
}

// ---- The answer's own backtest --------------------------------------------------------------

function backtestOf(series: Float64Array, fitted: FittedModel | null): BacktestHorizon[] {
  const naive = scoreNaive(series, FIRST_ORIGIN, BACKTEST_HORIZONS);
  const model = fitted === null ? null : scoreModel(series, fitted.model, fitted.parameters.phi, FIRST_ORIGIN, BACKTEST_HORIZONS);
  return BACKTEST_HORIZONS.map((days, k) => {
    const n = naive[k]!;
    const m = model?.[k];
    return {
      days,
      origins: n.origins,
      modelError: m !== undefined ? relativeError(m) : null,
      naiveError: relativeError(n),
      modelMeanAbsoluteError: m !== undefined && m.origins > 0 ? round2(m.absoluteError / m.origins) : null,
      naiveMeanAbsoluteError: n.origins > 0 ? round2(n.absoluteError / n.origins) : null,
    };
  });
}

function relativeError(score: HorizonScore): number | null {
  return score.origins > 0 && score.actual > 0 ? round4(score.absoluteError / score.actual) : null;
}

function roundBanded(band: Banded): Banded {
  return {
    tokens: round2(band.tokens), low80: round2(band.low80), high80: round2(band.high80),
    low95: round2(band.low95), high95: round2(band.high95),
  };
}
