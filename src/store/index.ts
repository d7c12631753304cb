// The store's public surface: the contract's types and openStore(). The backends load lazily, on
// first open, so a module that needs only types (or the SQL helpers) loads no native addon.
export type {
  Contract, ContractDetail, ContractYear, DemoDataOptions, DemoDataSummary, JobStateCount, LastUsage, MigrationReport, PoolStats, Store, Team, UsageSummaryFilter, UsageSummaryRow, UsageValueColumn, User,
} from './contract/store.js';
export type {
  CompletedQuery, ExportSchedule, Job, JobFile, JobKind, JobState, JobStore, NewJob, ResultQuery, ScheduleStore, StreamQuery,
} from './contract/jobs.js';
export { jobOfNew } from './contract/jobs.js';
export type {
  InsightsReportName, InsightsReportQuery, ReportFilters,
} from './contract/reports.js';
export { DuplicateKeyError, JobLeaseLostError, QueryInterruptedError, isWriteConflict } from './contract/errors.js';
export type {
  AuthorizationCode, CredentialPurgeReport, GrantStep, GrantStepOutcome, NewRefreshToken, NewUser, OAuthClient, OAuthConsent, OAuthStore, PersonalAccessToken, RefreshToken,
} from './contract/oauth.js';
export type {
  AdminStore, ChargesFrom, ContractDefinition, ContractPatch, ContractYearDefinition, DeleteOutcome, NewProduct, NewTeam, OAuthClientPatch, Page, PageRequest, PersonalDataPolicy, Product, ProductDetail, ProductPatch, Subscription, SubscriptionFilter, SubscriptionPatch, TeamDetail, TeamPatch, UserPatch,
} from './contract/admin.js';
export type {
  DenialInput, GivenCharge, StagedUsageChunk, UsageIngestOptions, UsageIngestStore, UsageIngestSummary, UsageRecordInput, UsageReferences,
} from './contract/usage.js';
export { ALLOWED_MOVES, canMove, JOB_STATES, PENDING_STATES } from './job-state.js';
export { bulkLoadMemoryLimit } from './duckdb/memory-limit.js';
export { USAGE_REFERENCE_CTES } from './usage-reference-sql.js';
export type { DuckDbStoreOptions } from './duckdb/duckdb-store.js';
export type { PostgresStoreOptions } from './postgres/postgres-store.js';
export { openDuckDbStore, openPostgresStore, openStore } from './open-store.js';
export type { StoreSelection } from './open-store.js';
export type {
  AnalyticsStore, ConcurrencyRequest, ConcurrencyRow, DailyTokens, DenialCount, PeriodUnit, ProductLineRate, SeatHolder, UserProductMonth,
} from './analytics-store.js';
/** @internal The analytics reads' statements, for the bench to run raw beside the endpoints. */
export {
  concurrencyStatement, dailyTokensStatement, seatHoldersStatement, userProductMonthsStatement, type AnalyticsStatement,
} from './sql/analytics.js';
