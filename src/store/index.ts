export type {
  AuthorizationCode, CompletedQuery, GrantStep, GrantStepOutcome, NewRefreshToken, OAuthConsent, Contract, ContractDetail, ContractYear, ExportSchedule, InsightsReportName, InsightsReportQuery, ScheduleStore, JobFile, ReportFilters, StreamQuery, DemoDataOptions, DemoDataSummary, Job, JobKind, JobState, JobStore,
  JobStateCount, LastUsage, MigrationReport, NewJob, NewUser, OAuthClient, OAuthStore, PersonalAccessToken, PersonalDataPolicy, PoolStats, RefreshToken, ResultQuery, Store, Team, UsageSummaryFilter, UsageSummaryRow, UsageValueColumn, User,
} from './store.js';
export type {
  AdminStore, ChargesFrom, ContractDefinition, ContractPatch, ContractYearDefinition, CredentialPurgeReport, DeleteOutcome, NewTeam, OAuthClientPatch, Page,
  NewProduct, PageRequest, Product, ProductDetail, ProductPatch, Subscription, SubscriptionFilter, SubscriptionPatch, TeamDetail, TeamPatch, UserPatch,
} from './store.js';
export type {
  StagedUsageChunk, UsageIngestOptions, UsageIngestStore, UsageIngestSummary, UsageRecordInput, UsageReferences,
} from './store.js';
export { DuplicateKeyError, isWriteConflict, jobOfNew, JobLeaseLostError, QueryInterruptedError } from './store.js';
export { ALLOWED_MOVES, canMove, JOB_STATES, PENDING_STATES } from './job-state.js';
export { bulkLoadMemoryLimit, openDuckDbStore } from './duckdb/duckdb-store.js';
export { USAGE_REFERENCE_CTES } from './usage-reference-sql.js';
export type { DuckDbStoreOptions } from './duckdb/duckdb-store.js';
export { openPostgresStore } from './postgres/postgres-store.js';
export type { PostgresStoreOptions } from './postgres/postgres-store.js';
export { openStore } from './open-store.js';
export type { StoreSelection } from './open-store.js';
export type {
  AnalyticsStore, ConcurrencyRequest, ConcurrencyRow, DailyTokens, PeriodUnit, ProductLineRate, SeatHolder, UserProductMonth,
} from './analytics-store.js';
