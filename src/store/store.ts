/**
 * The contract every storage backend meets (DuckDB now, PostgreSQL in its own issue). Shapes are
 * plain readonly objects in camelCase; snake_case stays inside the backends.
 *
 * Documented capability differences:
 * - DuckDB allows one writer process per file: a second process that opens the same data directory
 *   is refused with DATA_DIR_LOCKED. PostgreSQL has no such limit.
 */

export interface User {
  readonly id: string;
  readonly email: string;
  readonly userName: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly fullName: string;
  readonly status: 'active' | 'inactive';
  readonly roles: readonly string[];
}

export interface Team {
  readonly teamId: string;
  readonly name: string;
  readonly reportingBenefits: readonly string[];
}

export interface Contract {
  readonly contractNumber: string;
  readonly contractName: string;
  readonly contractStartDate: string;
  readonly contractEndDate: string;
  readonly isActive: boolean;
}

export interface ContractYear {
  readonly year: number;
  readonly startDate: string;
  readonly endDate: string;
  readonly provisionedTokens: number;
  readonly consumedTokens: number;
  readonly remainingTokens: number;
  readonly multiyearTokensAtStart: number;
  readonly multiyearConsumedTokens: number;
}

export interface ContractDetail extends Contract {
  readonly multiyearProvisionedTokens: number;
  readonly contractYears: readonly ContractYear[];
}

export interface DemoDataOptions {
  readonly rows: number;
  readonly seed: number;
  readonly from: string;
  readonly to: string;
}

export interface DemoDataSummary {
  readonly users: number;
  readonly teams: number;
  readonly contracts: number;
  readonly products: number;
  readonly subscriptions: number;
  readonly usageRecords: number;
  readonly millis: number;
}

export interface MigrationReport {
  /** Ids of the migrations this call applied (empty when the schema was already current). */
  readonly applied: readonly string[];
  /** Every migration id now recorded, in order. */
  readonly current: readonly string[];
}

export interface Store {
  readonly backend: 'duckdb' | 'postgres';
  /** Applies pending migrations; safe to call concurrently from several processes. */
  migrate(): Promise<MigrationReport>;
  /** Cheap liveness probe of the database. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /** True when no user exists yet: the data directory is new. */
  isEmpty(): Promise<boolean>;
  /** Fills an empty database with the deterministic demo dataset. */
  loadDemoData(options: DemoDataOptions): Promise<DemoDataSummary>;

  findUserByEmail(email: string): Promise<User | undefined>;
  findUserById(id: string): Promise<User | undefined>;
  /** Teams (Insights contexts) the user administers, ordered by id. */
  listAdministeredTeams(userId: string): Promise<readonly Team[]>;
  /** Contracts the user manages, ordered by number. */
  listManagedContracts(userId: string): Promise<readonly Contract[]>;
  /** A contract with its years and token figures computed from the usage records. */
  getContractDetail(contractNumber: string): Promise<ContractDetail | undefined>;
}
