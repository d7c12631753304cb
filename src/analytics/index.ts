export type {
  BacktestHorizon, Banded, DailyConsumption, Exhaustion, ForecastDay, ForecastInput, ForecastMethod, HistoryDay,
  PoolBalance, PoolProjection, TokenForecast,
} from './forecast-types.js';
export { BACKTEST_HORIZONS, forecastTokens, MAX_HISTORY_DAYS, MIN_MODEL_DAYS } from './token-forecast.js';
/** @internal For the tests and the evaluation harness (bench/analytics-eval.ts). */
export type { SyntheticSeries, SyntheticShape } from './synthetic-series.js';
/** @internal */
export { syntheticSeries } from './synthetic-series.js';
export type {
  ActionTotal, AdviceAction, AdviceInput, AdviceProduct, LeftOutProduct, ProductAdvice, Recommendation, SeatAdvice,
  UserProductUsage,
} from './seat-advice.js';
export { adviseSeats, monthsCovered } from './seat-advice.js';
export type {
  IdleSeat, IdleSeatsAnswer, IdleSeatsInput, SeatAssignment, SeatSubscription,
} from './idle-seats.js';
export { findIdleSeats } from './idle-seats.js';
export type { ConcurrencyGranularity, ConcurrencyPeriod, DesktopSession } from './concurrency.js';
export { sweepConcurrency, topPeriods } from './concurrency.js';
export type { ConcurrencyAnswer, ConcurrencyAnswerPeriod } from './analytics-service.js';
export { contractAdvice, contractConcurrency, contractForecast, MAX_CONCURRENCY_DAYS, teamIdleSeats } from './analytics-service.js';
