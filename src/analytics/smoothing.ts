/**
 * The forecast model: exponential smoothing of a daily series with a level, a damped trend and
 * seven weekday factors (Holt–Winters), made robust in the way of Gelper, Fried & Croux, "Robust
 * forecasting with exponential and Holt–Winters smoothing" (J. Forecasting 29, 2010): each day's
 * surprise is clipped at two robust standard deviations before it moves the model, so a one-off
 * spike barely shifts the level, and a far outlier that follows another (a quiet holiday week) is
 * held out altogether. Three working weeks that nearly all sit on one side of the level are taken
 * for a real change (a team joining or leaving) and the level is reset to what they show.
 *
 * One pass over the series keeps the state after every day, so a forecast from any earlier day
 * (a rolling-origin backtest) costs no second pass.
 */

/** How fast each part of the model follows the data, per day. */
export interface SmoothingParameters {
  /** Share of a day's (clipped) surprise added to the level. */
  readonly alpha: number;
  /** Share of the level's correction added to the trend (0: no trend). */
  readonly beta: number;
  /** Damping of the trend per day: a trend b adds b·(φ + φ² + … + φ^h) by day h. */
  readonly phi: number;
  /** Share of a day's surprise taken into its weekday's factor. */
  readonly gamma: number;
}

/** The model's state after each day of a series. */
export interface SmoothedSeries {
  /** Days observed. */
  readonly days: number;
  /** Weekday (Monday 0) of the series' first day. */
  readonly firstWeekday: number;
  /** `level[t]`: tokens on an average day after observing days 0 … t−1 (t = 0: the initial state). */
  readonly level: Float64Array;
  /** `trend[t]`: change of the level per day, same indexing. */
  readonly trend: Float64Array;
  /** `factors[t * 7 + w]`: weekday w's factor (mean 1 over the week), same indexing. */
  readonly factors: Float64Array;
  /** Day indices at which a change of level was detected and the level reset. */
  readonly levelShifts: readonly number[];
  /** Days whose surprise was clipped. */
  readonly clippedDays: number;
}

/** Days the initial level and weekday factors are read from (two of each weekday). */
export const INITIAL_DAYS = 14;
/** Surprises beyond HUBER_K robust standard deviations are clipped (Huber's ψ, Gelper et al.'s k = 2). */
const HUBER_K = 2;
/** How fast each weekday's scale of surprises follows new ones (per occurrence of that weekday). */
const SCALE_RATE = 0.1;
/** 1.25 × mean absolute deviation estimates a normal standard deviation. */
const MAD_TO_SD = 1.25;
/**
 * A change of level is recognised when, of the last SHIFT_WINDOW working days, SHIFT_AGREEING or
 * more lie on the same side of the level (as it stood before them) by over one standard deviation:
 * a Christmas week (7 working days) is far from enough, and noise hardly ever is (16 % a day; 13
 * of 15 by chance: fewer than 1 in 10⁸ windows). A window of 10 with 9 agreeing was tried first:
 * the demo's Christmas week, with a few low days beside it, re-levelled to the holiday's level.
 */
const SHIFT_WINDOW = 15;
const SHIFT_AGREEING = 13;
/**
 * An outlier beyond this many standard deviations that follows one of the same sign is held out
 * rather than clipped; a nearer one still moves the model, so a moderate step is followed at once.
 */
const HOLD_Z = 3;
/** A weekday whose factor is below this (a quiet weekend) does not count as a working day there. */
const SIGNIFICANT_FACTOR = 0.5;

/** Arrays for a SmoothedSeries of a series of n days: level and trend n + 1 long, factors (n + 1) × 7. */
export interface SmoothingBuffers {
  readonly level: Float64Array;
  readonly trend: Float64Array;
  readonly factors: Float64Array;
}

/** Buffers for smoothing a series of `days` days. */
export function smoothingBuffers(days: number): SmoothingBuffers {
  return { level: new Float64Array(days + 1), trend: new Float64Array(days + 1), factors: new Float64Array((days + 1) * 7) };
}

/**
 * Runs the model over `series` (one value per consecutive day, at least INITIAL_DAYS). With
 * `buffers` (of smoothingBuffers(series.length)), the states go there, and the answer holds them
 * only until the next run into the same buffers: the parameter choice smooths the series once per
 * set tried, and fresh arrays for each were most of the forecast's garbage.
 */
export function smoothSeries(series: Float64Array, firstWeekday: number, p: SmoothingParameters, buffers?: SmoothingBuffers): SmoothedSeries {
  const n = series.length;
  if (n < INITIAL_DAYS) throw new RangeError(`The model needs ${INITIAL_DAYS} days of history, got ${n}`);
  const { level: levels, trend: trends, factors: factorStates } = buffers ?? smoothingBuffers(n);
  if (levels.length !== n + 1 || trends.length !== n + 1 || factorStates.length !== (n + 1) * 7) {
    throw new RangeError(`Smoothing buffers for ${levels.length - 1} days, not ${n}`);
  }
  const f = new Float64Array(7);
  const sigma = new Float64Array(7);
  let level = initialise(series, firstWeekday, f, sigma);
  let trend = 0;
  levels[0] = level;
  factorStates.set(f, 0);

  const levelShifts: number[] = [];
  let clippedDays = 0;
  const window = new ShiftWindow();
  // Sign of the last working day's outlier (0: it was not one).
  let outlierSign = 0;

  for (let t = 0; t < n; t++) {
    const w = (firstWeekday + t) % 7;
    const y = series[t]!;
    const predictedLevel = Math.max(0, level + p.phi * trend);
    const factor = f[w]!;
    const predicted = predictedLevel * factor;
    const error = y - predicted;
    const limit = HUBER_K * sigma[w]!;
    const clipped = error > limit ? limit : error < -limit ? -limit : error;
    const sign = clipped === error ? 0 : Math.sign(error);
    if (sign !== 0) clippedDays++;
    const heldOut = sign !== 0 && sign === outlierSign && Math.abs(error) > HOLD_Z * sigma[w]!;

    let shifted = false;
    if (factor >= SIGNIFICANT_FACTOR) {
      outlierSign = sign;
      const shift = window.push(y / factor, sigma[w]! / factor, predictedLevel);
      if (shift !== null) {
        level = shift;
        trend = 0;
        levelShifts.push(t);
        shifted = true;
      }
    }

    if (shifted) {
      // Re-levelled from the window's days, which say more than this one day.
    } else if (heldOut) {
      level = predictedLevel;
      trend = p.phi * trend;
    } else {
      level = Math.max(0, predictedLevel + p.alpha * clipped);
      trend = p.phi * trend + p.alpha * p.beta * clipped;
      if (level > 1e-9) {
        f[w] = Math.max(0, factor + p.gamma * ((predicted + clipped) / level - factor));
        normalise(f);
      }
      const deviation = Math.min(Math.abs(error), 3 * sigma[w]!) * MAD_TO_SD;
      sigma[w] = Math.max((1 - SCALE_RATE) * sigma[w]! + SCALE_RATE * deviation, 0.01 * predicted + 1e-9);
    }

    levels[t + 1] = level;
    trends[t + 1] = trend;
    factorStates.set(f, (t + 1) * 7);
  }
  return { days: n, firstWeekday, level: levels, trend: trends, factors: factorStates, levelShifts, clippedDays };
}

/**
 * The model's forecast for the `horizon` days after day `origin − 1`, from its state at `origin`,
 * written to `out[0 … horizon−1]`; `levels`, when given, receives the deseasonalised level of each.
 */
export function forecastFrom(
  model: SmoothedSeries, phi: number, origin: number, horizon: number, out: Float64Array, levels?: Float64Array,
): void {
  const level = model.level[origin]!;
  const trend = model.trend[origin]!;
  const base = origin * 7;
  let damping = 0;
  let power = 1;
  for (let i = 0; i < horizon; i++) {
    power *= phi;
    damping += power;
    const l = Math.max(0, level + trend * damping);
    out[i] = l * model.factors[base + ((model.firstWeekday + origin + i) % 7)]!;
    if (levels !== undefined) levels[i] = l;
  }
}

/**
 * Initial level (tokens on an average day), weekday factors and scales from the first two weeks:
 * each weekday's mean of its two days, the factors those means over their average. A weekday's
 * scale starts at its two days' spread, and at least a tenth of its mean, so an unusually calm
 * start does not clip everything after it.
 */
function initialise(series: Float64Array, firstWeekday: number, f: Float64Array, sigma: Float64Array): number {
  const means = new Float64Array(7);
  for (let t = 0; t < INITIAL_DAYS; t++) means[(firstWeekday + t) % 7]! += series[t]! / 2;
  let level = 0;
  for (let w = 0; w < 7; w++) level += means[w]! / 7;
  for (let w = 0; w < 7; w++) f[w] = level > 0 ? means[w]! / level : 1;
  for (let t = 0; t < INITIAL_DAYS; t++) {
    const w = (firstWeekday + t) % 7;
    sigma[w]! += (MAD_TO_SD * Math.abs(series[t]! - means[w]!)) / 2;
  }
  for (let w = 0; w < 7; w++) sigma[w] = Math.max(sigma[w]!, 0.1 * means[w]!, 1e-9);
  return level;
}

/**
 * The last SHIFT_WINDOW working days, watching for a change of level. Each day is judged against
 * the level as it stood before the window's first day, not the level of the day before: the model
 * follows a moderate step part of the way day by day, and judged against its own moving level the
 * step would fade from view before it could be recognised.
 */
class ShiftWindow {
  /** Deseasonalised value (tokens on an average day) and its standard deviation, per day. */
  private readonly values = new Float64Array(SHIFT_WINDOW);
  private readonly scales = new Float64Array(SHIFT_WINDOW);
  /** The level before each day's update. */
  private readonly before = new Float64Array(SHIFT_WINDOW);
  private size = 0;
  private next = 0;

  /** Adds a day; returns the new level when the window shows a change (and then forgets), else null. */
  push(value: number, scale: number, levelBefore: number): number | null {
    this.values[this.next] = value;
    this.scales[this.next] = scale;
    this.before[this.next] = levelBefore;
    this.next = (this.next + 1) % SHIFT_WINDOW;
    this.size = Math.min(SHIFT_WINDOW, this.size + 1);
    if (this.size < SHIFT_WINDOW) return null;
    const reference = this.before[this.next]!;
    let up = 0;
    let down = 0;
    for (let i = 0; i < SHIFT_WINDOW; i++) {
      const z = (this.values[i]! - reference) / this.scales[i]!;
      if (z > 1) up++;
      else if (z < -1) down++;
    }
    if (up < SHIFT_AGREEING && down < SHIFT_AGREEING) return null;
    const direction = up >= SHIFT_AGREEING ? 1 : -1;
    const agreeing: number[] = [];
    for (let i = 0; i < SHIFT_WINDOW; i++) {
      if ((this.values[i]! - reference) * direction > this.scales[i]!) agreeing.push(this.values[i]!);
    }
    this.size = 0;
    return median(agreeing);
  }
}

function normalise(f: Float64Array): void {
  let sum = 0;
  for (let w = 0; w < 7; w++) sum += f[w]!;
  if (sum <= 0) return;
  const scale = 7 / sum;
  for (let w = 0; w < 7; w++) f[w]! *= scale;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
