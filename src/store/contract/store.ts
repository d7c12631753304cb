/**
 * The contract every storage backend meets (DuckDB now, PostgreSQL in its own issue). Shapes are
 * plain readonly objects in camelCase; snake_case stays inside the backends.
 *
 * Documented capability differences:
 * - DuckDB allows one writer process per file: a second process that opens the same data directory
 *   is refused with DATA_DIR_LOCKED. PostgreSQL has no such limit.
 */

import type { AnalyticsStore } from '../analytics-store.js';
import type { BulkLoadStore } from './bulk-load.js';
import type { JobKind, JobState, JobStore } from './jobs.js';
import type { OAuthStore } from './oauth.js';
import type { AdminStore } from './admin.js';
import type { FlexlmLogStore } from './flexlm.js';
import type { UsageIngestStore } from './usage.js';

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
  /** The personal-data switch (issue 18): false when the team's users are to be shown as hashes. */
  readonly personalData: boolean;
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

export interface MigrationReport {
  /** Ids of the migrations this call applied (empty when the schema was already current). */
  readonly applied: readonly string[];
  /** Every migration id now recorded, in order. */
  readonly current: readonly string[];
}

/** Usage columns whose distinct values can be listed; a closed set, so it can be spliced into SQL. */
export type UsageValueColumn =
  | 'product_name' | 'user_name' | 'machine_name' | 'license_server_name'
  | 'custom_field_1' | 'custom_field_2' | 'custom_field_3' | 'custom_field_4' | 'custom_field_5'
  | 'custom_field_6' | 'custom_field_7' | 'custom_field_8' | 'custom_field_9' | 'custom_field_10';

export interface UsageSummaryFilter {
  /** First day of the first month, inclusive. */
  readonly minUsageMonth?: string;
  /** First day of the last month, inclusive (the whole month counts). */
  readonly maxUsageMonth?: string;
  readonly contractYear?: number;
  readonly usageCategories?: readonly string[];
}

export interface UsageSummaryRow {
  readonly usageMonth: string;
  readonly contractYear: number;
  readonly usageCategory: string;
  readonly uniqueUsers: number;
  readonly tokensConsumed: number;
}

export interface LastUsage {
  readonly usageCategory: string;
  readonly chargeCategory: string;
  readonly lastUsageDate: string;
  /** The latest event time seen for the category (ISO 8601 UTC). */
  readonly lastProcessDate: string;
}

/** Connections of a process's database pool. */
export interface PoolStats {
  readonly inUse: number;
  readonly idle: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
}

/** How many jobs of a kind are in a state. */
export interface JobStateCount {
  readonly kind: JobKind;
  readonly state: JobState;
  readonly count: number;
}

export interface Store extends JobStore, OAuthStore, AdminStore, UsageIngestStore, FlexlmLogStore, AnalyticsStore, BulkLoadStore {
  readonly backend: 'duckdb' | 'postgres';
  /** Applies pending migrations; safe to call concurrently from several processes. */
  migrate(): Promise<MigrationReport>;
  /** Cheap liveness probe of the database. */
  ping(): Promise<void>;
  /** Connections of this process's database pool, for the metrics (no query). */
  poolStats(): PoolStats;
  /**
   * Counts one request against `key` in a fixed window of `windowMs` and says how many so far and
   * how long the window still runs. A capability of stores that several processes share
   * (PostgreSQL), so their rate limits share one budget; absent on DuckDB (one process), whose
   * limits count in memory.
   */
  countRateLimitHit?(key: string, windowMs: number): Promise<{ readonly hits: number; readonly ttlMs: number }>;
  close(): Promise<void>;

  /** True when no user exists yet: the data directory is new. */
  isEmpty(): Promise<boolean>;

  findUserByEmail(email: string): Promise<User | undefined>;
  findUserById(id: string): Promise<User | undefined>;
  /** Teams (Insights contexts) the user administers, ordered by id. */
  listAdministeredTeams(userId: string): Promise<readonly Team[]>;
  /** Contracts the user manages, ordered by number. */
  listManagedContracts(userId: string): Promise<readonly Contract[]>;
  /** A contract with its years and token figures computed from the usage records. */
  getContractDetail(contractNumber: string): Promise<ContractDetail | undefined>;
  /** Sorted distinct values of a usage column within a contract, optionally for some categories. */
  listUsageValues(contractNumber: string, column: UsageValueColumn, usageCategories?: readonly string[]): Promise<readonly string[]>;
  /** The ten enrichment category names of a contract (position i = customField{i+1}); undefined for an unknown contract. */
  getEnrichmentCategories(contractNumber: string): Promise<readonly string[] | undefined>;
  /** Monthly unique users and tokens per contract year and category. */
  summarizeUsage(contractNumber: string, filter: UsageSummaryFilter): Promise<readonly UsageSummaryRow[]>;
  /** The latest usage per usage and charge category. */
  listLastUsage(contractNumber: string): Promise<readonly LastUsage[]>;
}
