export type { SeedOptions, SeedSummary } from './seed-database.js';
export {
  DEFAULT_SEED_OPTIONS, DEMO_ADMIN_EMAIL, DEMO_ADMIN_USER_ID, DEMO_ALICE_EMAIL, DEMO_ALICE_USER_ID, seedDatabase,
} from './seed-database.js';
export type { RatingInputColumn } from './duckdb-rating.js';
export {
  appendRatedCharges, createRatedChargesTableSql, ratedChargeSql, ratingInputColumns, ratingInstantSql, readRatingSessions,
  readRatingSessionsWhere,
} from './duckdb-rating.js';
