/** Inputs and answer of the token forecast (`GET /analytics/v1/contracts/:c/forecast`). */

/** One day of a contract's consumption, as the store sums it. */
export interface DailyConsumption {
  /** Calendar day, YYYY-MM-DD (the rating day, `usageDate`). */
  readonly date: string;
  /**
   * Tokens of usage: desktop and cloud records and manual consumption (offline usage): what the
   * model learns from and forecasts.
   */
  readonly usageTokens: number;
  /**
   * Tokens of manual adjustments (refunds, service credits, corrections; usually negative): one-off
   * decisions, counted in what was used but neither learnt from nor forecast.
   */
  readonly adjustmentTokens: number;
}

/** The multi-year pool: what it was given and what has been drawn from it (`tokenPool` MY) up to `asOf`. */
export interface PoolBalance {
  readonly provisionedTokens: number;
  readonly usedTokens: number;
}

export interface ForecastInput {
  /** The last day whose consumption is complete (usually yesterday; at most the year's end). */
  readonly asOf: string;
  readonly contractYear: {
    readonly year: number;
    readonly startDate: string;
    readonly endDate: string;
    /** The year's own tokens: the rating draws on them (CY) until the year's running total exceeds them. */
    readonly provisionedTokens: number;
  };
  /**
   * The contract's daily consumption up to `asOf`, oldest first, any years; days without usage may
   * be left out (they count as 0 from the first listed day on). The model reads at most the last
   * MAX_HISTORY_DAYS of it.
   */
  readonly days: readonly DailyConsumption[];
  /** The multi-year pool, used over every year so far; null when the contract has none. */
  readonly multiyearPool: PoolBalance | null;
}

/** A forecast figure with its 80 % and 95 % intervals (tokens). */
export interface Banded {
  readonly tokens: number;
  readonly low80: number;
  readonly high80: number;
  readonly low95: number;
  readonly high95: number;
}

export interface ForecastDay {
  readonly date: string;
  /** The day's consumption. */
  readonly daily: Banded;
  /** The contract year's consumption from its first day to the end of this day. */
  readonly cumulative: Banded;
}

export interface HistoryDay {
  readonly date: string;
  /** All tokens of the day, usage and adjustments. */
  readonly tokens: number;
  /** The contract year's consumption up to the end of this day. */
  readonly cumulative: number;
}

/** When a pool runs out: a day, or null for "not within the contract year". */
export interface Exhaustion {
  /**
   * `exhausted`: already empty on `asOf` (`date` is the day it ran out, from the daily totals);
   * `projected`: the point forecast empties it on `date`; `not-within-year`: the point forecast
   * does not (the intervals may still reach it).
   */
  readonly status: 'exhausted' | 'projected' | 'not-within-year';
  readonly date: string | null;
  /** Earliest and latest day of the 80 % interval: null latest = possibly not within the year. */
  readonly interval80: { readonly earliest: string | null; readonly latest: string | null };
  readonly interval95: { readonly earliest: string | null; readonly latest: string | null };
}

export interface PoolProjection {
  readonly provisionedTokens: number;
  /**
   * The year pool: the year's consumption so far (the running total the rating compares with its
   * tokens); the multi-year pool: what was drawn from it in every year so far.
   */
  readonly usedTokens: number;
  /** provisioned − used on `asOf` (negative: overdrawn). */
  readonly leftTokens: number;
  readonly exhaustion: Exhaustion;
}

/** The cumulative forecast's error at one horizon over the rolling-origin backtests. */
export interface BacktestHorizon {
  readonly days: number;
  /** Forecast origins (days of the history) the horizon could be checked from. */
  readonly origins: number;
  /** Σ |actual − forecast| / Σ actual of the cumulative consumption `days` ahead; null without origins. */
  readonly modelError: number | null;
  /** The same for the naive forecast "the average of the last 28 days", from the same origins. */
  readonly naiveError: number | null;
  /** Mean |actual − forecast| in tokens, model and naive. */
  readonly modelMeanAbsoluteError: number | null;
  readonly naiveMeanAbsoluteError: number | null;
}

export type ForecastMethod = 'robust-exponential-smoothing' | 'naive-average';

export interface TokenForecast {
  readonly asOf: string;
  readonly contractYear: {
    readonly year: number; readonly startDate: string; readonly endDate: string; readonly provisionedTokens: number;
  };
  readonly method: ForecastMethod;
  /** Why the naive method answers (too little history); null for the model. */
  readonly reason: string | null;
  /** The model's fitted parameters and what it saw; null for the naive method. */
  readonly model: {
    readonly alpha: number;
    readonly beta: number;
    readonly phi: number;
    readonly gamma: number;
    /** Weekday factors at `asOf`, Monday first (an average day is 1). */
    readonly weekdayFactors: readonly number[];
    /** Deseasonalised tokens per day and its trend per day at `asOf`. */
    readonly level: number;
    readonly trend: number;
    /** Days on which a change of level was recognised (the level was reset to the new one). */
    readonly levelShifts: readonly string[];
    /** Days treated as outliers (their surprise clipped). */
    readonly clippedDays: number;
  } | null;
  /** The history the forecast learnt from: first and last day, and how many days. */
  readonly history: { readonly from: string | null; readonly to: string; readonly days: number };
  readonly intervals: {
    /** `backtest`: from the model's own errors; `assumed`: fixed ±50 % / ±100 % (naive method). */
    readonly basis: 'backtest' | 'assumed';
    /** Forecast origins behind the interval at the shortest horizon. */
    readonly origins: number;
    /** Horizons up to this many days are measured; longer ones grow with √horizon from them. */
    readonly measuredHorizonDays: number;
  };
  /** The contract year's days up to `asOf`. */
  readonly actual: readonly HistoryDay[];
  /** Every remaining day of the contract year. */
  readonly forecast: readonly ForecastDay[];
  /** The contract year's total consumption at its end. */
  readonly yearEnd: Banded;
  readonly pools: { readonly year: PoolProjection; readonly multiyear: PoolProjection | null };
  /**
   * Tokens to buy so the pools cover the year's consumption with 50 % confidence (the point
   * forecast) and with 90 % (the 80 % interval's upper bound), including any overdraft so far.
   */
  readonly purchase: { readonly p50: number; readonly p90: number };
  readonly backtest: readonly BacktestHorizon[];
}
