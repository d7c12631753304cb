export type {
  Contract, ContractDetail, ContractYear, DemoDataOptions, DemoDataSummary, MigrationReport, Store, Team, User,
} from './store.js';
export { openDuckDbStore } from './duckdb/duckdb-store.js';
export type { DuckDbStoreOptions } from './duckdb/duckdb-store.js';
