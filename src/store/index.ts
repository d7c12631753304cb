export type {
  AuthorizationCode, CompletedQuery, Contract, ContractDetail, ContractYear, ExportSchedule, InsightsReportName, InsightsReportQuery, ScheduleStore, JobFile, ReportFilters, StreamQuery, DemoDataOptions, DemoDataSummary, Job, JobKind, JobState, JobStore,
  LastUsage, MigrationReport, NewJob, NewUser, OAuthClient, OAuthStore, PersonalAccessToken, RefreshToken, ResultQuery, Store, Team, UsageSummaryFilter, UsageSummaryRow, UsageValueColumn, User,
} from './store.js';
export { JobLeaseLostError, QueryInterruptedError } from './store.js';
export { openDuckDbStore } from './duckdb/duckdb-store.js';
export type { DuckDbStoreOptions } from './duckdb/duckdb-store.js';
