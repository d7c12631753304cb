export type {
  Contract, ContractDetail, ContractYear, DemoDataOptions, DemoDataSummary, Job, JobKind, JobState, JobStore,
  MigrationReport, NewJob, ResultQuery, Store, Team, User,
} from './store.js';
export { JobLeaseLostError, QueryInterruptedError } from './store.js';
export { openDuckDbStore } from './duckdb/duckdb-store.js';
export type { DuckDbStoreOptions } from './duckdb/duckdb-store.js';
