export type {
  Contract, ContractDetail, ContractYear, DemoDataOptions, DemoDataSummary, Job, JobKind, JobState, JobStore,
  LastUsage, MigrationReport, NewJob, ResultQuery, Store, Team, UsageSummaryFilter, UsageSummaryRow, UsageValueColumn, User,
} from './store.js';
export { JobLeaseLostError, QueryInterruptedError } from './store.js';
export { openDuckDbStore } from './duckdb/duckdb-store.js';
export type { DuckDbStoreOptions } from './duckdb/duckdb-store.js';
