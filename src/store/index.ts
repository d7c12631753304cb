// The store's public surface: the contract's types and openStore(). The backends load lazily, on
// first open, so a module that needs only types (or the SQL helpers) loads no native addon.
export * from './contract/index.js';
export { ALLOWED_MOVES, canMove, JOB_STATES, PENDING_STATES } from './job-state.js';
export { bulkLoadMemoryLimit, usageBatchMemoryLimit } from './duckdb/memory-limit.js';
export { USAGE_REFERENCE_CTES } from './usage-reference-sql.js';
export type { Db, DbResult, DbRow, SqlDialect } from './sql/dialect.js';
export { duckDbDialect } from './duckdb/duckdb-dialect.js';
export {
  createRatingInputTableSql, rateInputsInSql, ratedChargeSql, ratingInputSql, STORED_USAGE_INSTANT_SQL,
} from './sql/rating-sql.js';
export type { DuckDbStoreOptions } from './duckdb/duckdb-store.js';
export type { PostgresStoreOptions } from './postgres/postgres-store.js';
export { openDuckDbStore, openPostgresStore, openStore } from './open-store.js';
export type { StoreSelection } from './open-store.js';
export type {
  AnalyticsStore, ConcurrencyRequest, ConcurrencyRow, DailyTokens, DenialCount, PeriodUnit, ProductLineRate, SeatHolder, UserProductMonth,
} from './analytics-store.js';
/** @internal The analytics reads' statements, for the bench to run raw beside the endpoints. */
export {
  concurrencyStatement, dailyTokensStatement, denialCountsStatement, productLineRatesStatement, seatHoldersStatement, userProductMonthsStatement,
  type AnalyticsStatement,
} from './sql/analytics.js';
