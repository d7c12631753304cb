/**
 * The contract every storage backend meets (DuckDB now, PostgreSQL in its own issue). Shapes are
 * plain readonly objects in camelCase; snake_case stays inside the backends.
 *
 * Documented capability differences:
 * - DuckDB allows one writer process per file: a second process that opens the same data directory
 *   is refused with DATA_DIR_LOCKED. PostgreSQL has no such limit.
 */

import type { UsageCategory } from '../catalog/index.js';
import type { AnalyticsStore } from './analytics-store.js';
import type { SeedOptions, SeedSummary } from '../seed/index.js';

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

/** The demo generator's options and summary (src/seed): every backend loads the same dataset. */
export type DemoDataOptions = SeedOptions;
export type DemoDataSummary = SeedSummary;

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

export interface Store extends JobStore, OAuthStore, AdminStore, UsageIngestStore, AnalyticsStore {
  readonly backend: 'duckdb' | 'postgres';
  /** Applies pending migrations; safe to call concurrently from several processes. */
  migrate(): Promise<MigrationReport>;
  /** Cheap liveness probe of the database. */
  ping(): Promise<void>;
  /** Connections of this process's database pool, for the metrics (no query). */
  poolStats(): PoolStats;
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
  /** Sorted distinct values of a usage column within a contract, optionally for some categories. */
  listUsageValues(contractNumber: string, column: UsageValueColumn, usageCategories?: readonly string[]): Promise<readonly string[]>;
  /** The ten enrichment category names of a contract (position i = customField{i+1}); undefined for an unknown contract. */
  getEnrichmentCategories(contractNumber: string): Promise<readonly string[] | undefined>;
  /** Monthly unique users and tokens per contract year and category. */
  summarizeUsage(contractNumber: string, filter: UsageSummaryFilter): Promise<readonly UsageSummaryRow[]>;
  /** The latest usage per usage and charge category. */
  listLastUsage(contractNumber: string): Promise<readonly LastUsage[]>;
}

/** Internal job states (STYLE.md §2); each API maps them to its own words at the HTTP edge. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'expired';
export type JobKind = 'usage-query' | 'export';

export interface NewJob {
  readonly id: string;
  readonly kind: JobKind;
  readonly api: 'insights' | 'tokenflex';
  readonly ownerUserId: string;
  readonly tenantKey: string;
  /** The normalised request, stored as JSON. */
  readonly request: unknown;
  readonly requestHash: string;
  readonly idempotencyKey?: string;
  readonly maxAttempts: number;
  /**
   * Creates the job already claimed by this worker (state `running`, first attempt), for a submit
   * that found an idle worker in its own process: one write instead of a queue insert plus a claim.
   */
  readonly claimedBy?: string;
  /** When it is created (default: when the store writes it); the submitter's clock, so it knows the row. */
  readonly createdAt?: Date;
}

/** The row a store writes for a new job, as `createJob` returns it. */
export function jobOfNew(job: NewJob, now: Date): Job {
  const claimed = job.claimedBy !== undefined;
  const at = now.toISOString();
  return Object.freeze({
    id: job.id, kind: job.kind, api: job.api, ownerUserId: job.ownerUserId, tenantKey: job.tenantKey, state: claimed ? 'running' : 'queued',
    request: JSON.parse(JSON.stringify(job.request)) as unknown, requestHash: job.requestHash,
    idempotencyKey: job.idempotencyKey ?? null, attempts: claimed ? 1 : 0, maxAttempts: job.maxAttempts, workerId: job.claimedBy ?? null,
    cancelRequested: false, createdAt: at, updatedAt: at, startedAt: claimed ? at : null, finishedAt: null, expiresAt: null,
    errorTitle: null, errorDetail: null, columns: null, rowCount: null, files: Object.freeze([]), readFlag: false,
  });
}

export interface Job {
  readonly id: string;
  readonly kind: JobKind;
  readonly api: 'insights' | 'tokenflex';
  readonly ownerUserId: string;
  readonly tenantKey: string;
  readonly state: JobState;
  readonly request: unknown;
  readonly requestHash: string;
  readonly idempotencyKey: string | null;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly workerId: string | null;
  readonly cancelRequested: boolean;
  /** ISO 8601 UTC. */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly expiresAt: string | null;
  readonly errorTitle: string | null;
  readonly errorDetail: string | null;
  readonly columns: readonly string[] | null;
  readonly rowCount: number | null;
  /** Files an export produced (empty until it succeeds). */
  readonly files: readonly JobFile[];
  /** Token Flex `readFlag`. */
  readonly readFlag: boolean;
}

/** One file of a finished export. */
export interface JobFile {
  /** The report or query it holds, e.g. `SUBSCRIPTIONS`, `TOKENFLEX_EXPORT`. */
  readonly type: string;
  readonly key: string;
  readonly fileName: string;
  readonly byteSize: number;
  readonly sha256: string;
  readonly rowCount: number;
}

/** A Token Flex export schedule (spec §4). */
export interface ExportSchedule {
  readonly id: string;
  readonly contractNumber: string;
  readonly ownerUserId: string;
  readonly dateRangeExpression: string;
  readonly enabled: boolean;
  readonly frequencyExpression: string;
  readonly scheduleObjects: readonly { readonly usageCategory: string; readonly aggregationLevel: readonly string[] }[];
  /** ISO 8601 UTC, or null. */
  readonly lastRanAt: string | null;
  readonly nextRunAt: string | null;
}

export interface ScheduleStore {
  saveSchedule(schedule: ExportSchedule): Promise<void>;
  getSchedule(id: string): Promise<ExportSchedule | undefined>;
  listSchedules(ownerUserId: string, contractNumber: string): Promise<readonly ExportSchedule[]>;
  deleteSchedule(id: string): Promise<void>;
  /** Enabled schedules whose next run is due at `now`. */
  listDueSchedules(now: Date): Promise<readonly ExportSchedule[]>;
  /**
   * Records one firing: moves `next_run_at` from `expectedNextRunAt` to `nextRunAt`. Fenced by the
   * expected value, so of several schedulers (or a restart racing a slow one) exactly one wins.
   */
  claimScheduleFiring(id: string, expectedNextRunAt: string, nextRunAt: Date | null, ranAt: Date): Promise<boolean>;
}

/** The queries behind Insights export reports (spec §3.4); USAGE_REPORT yields two files. */
export type InsightsReportName = 'SUBSCRIPTIONS' | 'USERS' | 'USAGE' | 'USAGE_REPORT_SUMMARY' | 'USAGE_REPORT_DETAIL';

/** `filters` of a USAGE_REPORT export. */
export interface ReportFilters {
  readonly groupId?: readonly string[];
  readonly productLineCode?: readonly string[];
  readonly source?: readonly string[];
  readonly assigned?: boolean;
  readonly userStatus?: readonly string[];
  readonly userId?: readonly string[];
  readonly versionId?: readonly string[];
}

export interface InsightsReportQuery {
  readonly report: InsightsReportName;
  readonly teamIds: readonly string[];
  /** Inclusive days, for the usage reports. */
  readonly startDate?: string;
  readonly endDate?: string;
  readonly filters?: ReportFilters;
}

/** A read-only query whose rows are streamed (exports). */
export interface StreamQuery {
  readonly sql: string;
  readonly parameters: readonly (string | number | boolean)[];
}

/** A query to run and store as a job's result, with the order its rows are numbered in. */
export interface ResultQuery {
  readonly sql: string;
  readonly parameters: readonly (string | number | boolean)[];
  readonly columns: readonly string[];
  /** Output columns to number the rows by, in order; ties are broken by the remaining columns. */
  readonly order: readonly { readonly column: string; readonly direction: 'asc' | 'desc' }[];
}

/** What `completeQueryJob` committed: exactly the values now in the job's row. */
export interface CompletedQuery {
  readonly rowCount: number;
  /** ISO 8601 UTC, millisecond precision, as the row's `finished_at`/`updated_at`. */
  readonly finishedAt: string;
  readonly expiresAt: string;
}

/** The worker no longer owns the job (it was swept, canceled or claimed by another worker). */
export class JobLeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} is no longer owned by this worker`);
    this.name = 'JobLeaseLostError';
  }
}

/** A running statement was interrupted through its AbortSignal. */
export class QueryInterruptedError extends Error {
  constructor(readonly reason: unknown) {
    super('the database query was interrupted');
    this.name = 'QueryInterruptedError';
  }
}

export interface JobStore extends ScheduleStore {
  /**
   * Writes a query's rows as an RFC 4180 CSV file (header row, CRLF) at `path`, inside the
   * database, and returns the row count. Cells of the `textColumns` that start with `=`, `+`, `-`,
   * `@`, tab or CR get a leading apostrophe (formula injection). Aborting interrupts it.
   */
  copyCsv(query: StreamQuery, columns: readonly string[], textColumns: readonly string[], path: string, signal: AbortSignal): Promise<number>;
  /** The SQL of an Insights report, ready for `streamRows`. */
  buildReportQuery(query: InsightsReportQuery): StreamQuery;
  /** Streams a query's rows in chunks; aborting the signal interrupts the statement. */
  streamRows(query: StreamQuery, signal: AbortSignal): AsyncIterable<unknown[]>;
  /** Marks a running export succeeded with its files. Owner-fenced. */
  completeExportJob(id: string, workerId: string, files: readonly JobFile[], retentionMs: number): Promise<void>;
  /** An owner's jobs of a kind and API (and tenant, when given) created in [from, to), newest first. */
  listJobs(filter: { readonly ownerUserId: string; readonly kind: JobKind; readonly api: 'insights' | 'tokenflex'; readonly tenantKey?: string; readonly from: Date; readonly to: Date; readonly offset?: number; readonly limit?: number }): Promise<readonly Job[]>;
  /** Jobs of an owner and kind still waiting or running. */
  countPendingJobs(ownerUserId: string, kind: JobKind): Promise<number>;
  /** Jobs by kind and state, over the whole database (the metrics' gauge). */
  countJobsByState(): Promise<readonly JobStateCount[]>;
  /** Sets the read flag of the owner's jobs among `ids`; returns the ids whose flag changed. */
  markJobsRead(ownerUserId: string, ids: readonly string[]): Promise<readonly string[]>;
  /** Puts a failed job back in the queue with fresh attempts; false when it was not failed. */
  retryFailedJob(id: string): Promise<boolean>;
  /** Inserts a queued job. */
  createJob(job: NewJob): Promise<Job>;
  getJob(id: string): Promise<Job | undefined>;
  /** A succeeded, unexpired job of this owner with the same request hash, newest first. */
  findReusableJob(ownerUserId: string, requestHash: string): Promise<Job | undefined>;
  /** The job an owner created with an idempotency key since the given time. */
  findJobByIdempotencyKey(ownerUserId: string, key: string, since: Date): Promise<Job | undefined>;
  /** Moves the oldest due queued job of the given kinds to running for this worker; never hands one job to two workers. */
  claimNextJob(workerId: string, kinds: readonly JobKind[]): Promise<Job | undefined>;
  /** Claims one particular queued job (undefined when it is not queued or someone else got it). */
  claimJob(id: string, workerId: string): Promise<Job | undefined>;
  /** Refreshes the lease; throws JobLeaseLostError when the worker no longer owns the job. Returns whether cancel was asked. */
  heartbeatJob(id: string, workerId: string): Promise<{ readonly cancelRequested: boolean }>;
  /**
   * Runs the query, stores every row as the job's result and marks the job succeeded: a reader sees
   * the job succeeded with its whole result, or not succeeded. Aborting the signal interrupts the
   * database statement (QueryInterruptedError). `rowWritten`, for a job whose row is still being
   * created (see WorkerReservation), resolves once it is: the query may start before, the row is
   * changed only after.
   */
  completeQueryJob(
    id: string, workerId: string, query: ResultQuery, retentionMs: number, signal: AbortSignal, rowWritten?: Promise<unknown>,
  ): Promise<CompletedQuery>;
  /** Fails the job, or re-queues it with backoff when `retry` and attempts remain. Owner-fenced. */
  failJob(id: string, workerId: string, error: { readonly title: string; readonly detail: string; readonly retry: boolean }): Promise<Job>;
  /** Cancels a queued job at once, or flags a running one for its worker. Returns the job after the change. */
  requestCancel(id: string): Promise<Job | undefined>;
  /** Marks a running job canceled (its worker saw the flag). Owner-fenced. */
  markCanceled(id: string, workerId: string, detail: string): Promise<void>;
  /** Removes a job and its stored result. */
  deleteJob(id: string): Promise<void>;
  /**
   * Running jobs whose heartbeat is older than `staleBefore` go back to the queue, or fail when
   * their attempts are spent: a crashed worker never leaves a job running forever.
   */
  sweepStaleJobs(staleBefore: Date): Promise<{ readonly requeued: number; readonly failed: number }>;
  /**
   * Succeeded jobs past their retention become expired and their stored rows are deleted. Returns
   * the files those jobs had, for the caller to delete from the file store.
   */
  expireJobs(now: Date): Promise<readonly JobFile[]>;
  /** Deletes jobs that ended (expired, failed, canceled) before `before`, so the table stays small. */
  purgeFinishedJobs(before: Date): Promise<number>;
  /** Rows `offset`..`offset+limit-1` of a job's stored result, each an array in column order. */
  readResultPage(id: string, offset: number, limit: number): Promise<unknown[][]>;
}

// ---------------------------------------------------------------------------------------------
// OAuthStore: users' credentials, OAuth clients, codes, refresh tokens, revocations and sign-in
// sessions of the OAuth 2.0 / OpenID Connect provider (spec §2). Every secret arrives here already
// hashed; the store never sees a password, client secret, code or refresh token in clear.
// ---------------------------------------------------------------------------------------------

/** A user to create: every member of `User` but the status, which starts `active`. */
export type NewUser = Omit<User, 'status'>;

export interface OAuthClient {
  readonly id: string;
  readonly name: string;
  /** scrypt hash of the secret; null for a public client. */
  readonly secretHash: string | null;
  readonly redirectUris: readonly string[];
  readonly isPublic: boolean;
  /** The user a client_credentials token acts for; null: such tokens carry no user. */
  readonly boundUserId: string | null;
  /** Scopes the client may ask for. */
  readonly scopes: readonly string[];
  readonly createdAt: string;
}

export interface AuthorizationCode {
  readonly codeHash: string;
  readonly grantId: string;
  readonly clientId: string;
  readonly userId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly codeChallenge: string | null;
  readonly nonce: string | null;
  /** When the user signed in (ISO 8601 UTC). */
  readonly authTime: string;
  readonly expiresAt: string;
}

export interface RefreshToken {
  readonly tokenHash: string;
  readonly grantId: string;
  readonly parentHash: string | null;
  readonly clientId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly expiresAt: string;
  readonly rotatedAt: string | null;
  readonly revokedAt: string | null;
  /** When the user signed in to start the grant (ISO 8601 UTC); null on tokens from before it was kept. */
  readonly authTime: string | null;
}

/** A refresh token to write; `authTime` may be left out (null). */
export type NewRefreshToken = Omit<RefreshToken, 'rotatedAt' | 'revokedAt' | 'authTime'> & { readonly authTime?: string | null };

/** One step of a user grant: the refresh token it replaces (if any), the one it issues, and the access token minted with it. */
export interface GrantStep {
  readonly grantId: string;
  /** The hash of the refresh token this step rotates; it must still be live. Null on a code exchange. */
  readonly rotates: string | null;
  readonly refreshToken: NewRefreshToken;
  readonly accessToken: { readonly jti: string; readonly expiresAt: Date };
}

/** What `issueGrantTokens` did: wrote the step, or wrote nothing because the token was reused or the grant revoked. */
export type GrantStepOutcome = 'issued' | 'reused' | 'revoked';

/** A user's remembered consent to a client. */
export interface OAuthConsent {
  readonly userId: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly grantedAt: string;
}

/** An `ADSK-PAT` personal access token; the token itself is never stored, only its sha-256. */
export interface PersonalAccessToken {
  readonly id: string;
  readonly tokenHash: string;
  readonly userId: string;
  readonly name: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface OAuthStore {
  createUser(user: NewUser): Promise<User>;
  /** The scrypt hash of a user's password; undefined when the user has none (or does not exist). */
  getPasswordHash(userId: string): Promise<string | undefined>;
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;
  setUserStatus(userId: string, status: User['status']): Promise<void>;

  createOAuthClient(client: OAuthClient): Promise<void>;
  findOAuthClient(id: string): Promise<OAuthClient | undefined>;

  insertAuthorizationCode(code: AuthorizationCode): Promise<void>;
  /**
   * Marks a code used, atomically. `firstUse` is false when it had been used before (a replay);
   * undefined when no such code exists.
   */
  consumeAuthorizationCode(codeHash: string, now: Date): Promise<{ readonly code: AuthorizationCode; readonly firstUse: boolean } | undefined>;

  insertRefreshToken(token: NewRefreshToken): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined>;
  /** Marks a live token rotated, atomically; false when it was already rotated or revoked. */
  rotateRefreshToken(tokenHash: string, now: Date): Promise<boolean>;
  /** Records an access token minted for a grant, so the grant's revocation reaches it. */
  recordAccessToken(jti: string, grantId: string | null, expiresAt: Date): Promise<void>;
  /**
   * Writes one grant step as one atomic step per grant: the rotation of `step.rotates` (fenced on
   * "still live"), the new refresh token and the access token's record, all or nothing, and never
   * interleaved with a `revokeGrant` of the same grant. So a revocation either sees every token of
   * the step, or the step sees the revocation and writes nothing (issue 19).
   */
  issueGrantTokens(step: GrantStep, now: Date): Promise<GrantStepOutcome>;
  /**
   * Revokes the grant for good (a later `issueGrantTokens` of it answers 'revoked'), every refresh
   * token of it and every access token recorded for it; atomic per grant, see `issueGrantTokens`.
   */
  revokeGrant(grantId: string, now: Date): Promise<void>;
  revokeAccessToken(jti: string, expiresAt: Date): Promise<void>;
  isAccessTokenRevoked(jti: string): Promise<boolean>;

  createSignInSession(idHash: string, userId: string, now: Date, expiresAt: Date): Promise<void>;
  /** The user of a live session. */
  findSignInSession(idHash: string, now: Date): Promise<string | undefined>;
  /** The user of a live session and when they signed in (ISO 8601 UTC). */
  findSignInSessionDetail(idHash: string, now: Date): Promise<{ readonly userId: string; readonly signedInAt: string } | undefined>;

  /** The consent a user gave a client, if any. */
  findConsent(userId: string, clientId: string): Promise<OAuthConsent | undefined>;
  /** Records (or widens: the scopes are the union) a user's consent to a client. */
  saveConsent(userId: string, clientId: string, scopes: readonly string[], now: Date): Promise<void>;
  deleteSignInSession(idHash: string): Promise<void>;

  createPersonalAccessToken(pat: Omit<PersonalAccessToken, 'lastUsedAt' | 'revokedAt'>): Promise<void>;
  findPersonalAccessToken(tokenHash: string): Promise<PersonalAccessToken | undefined>;
  /** Records a use; a concurrent write to the same row may win, and then this one is skipped. */
  touchPersonalAccessToken(id: string, now: Date): Promise<void>;
  /** False when no live (unrevoked) token has this id. */
  revokePersonalAccessToken(id: string, now: Date): Promise<boolean>;

  /**
   * Housekeeping: deletes the rows no request can use any more, so the tables stay small.
   * - authorization codes never used that expired before `now`, and used ones that expired before
   *   `usedCodesExpiredBefore` (kept longer so a replay is still recognised and revokes its grant);
   * - sign-in sessions, revocation-list rows and access-token records that expired before `now`
   *   (an expired JWT is refused on its `exp` alone, so its deny-list row is no longer needed);
   * - refresh tokens that expired before `now`, whether live, rotated or revoked.
   */
  purgeExpiredCredentials(now: Date, usedCodesExpiredBefore: Date): Promise<CredentialPurgeReport>;
}

/**
 * Whether an error is two writers meeting on the same rows: a DuckDB write-write conflict
 * ("Conflict on update", or a duplicate key written by a concurrent transaction), or a PostgreSQL
 * serialization failure, deadlock or unique violation. The OAuth provider answers these as the
 * protocol says (the loser's grant is invalid), never as a 500 (issue 19).
 */
export function isWriteConflict(error: unknown): boolean {
  if (error instanceof DuplicateKeyError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '40001' || code === '40P01' || code === '23505') return true;
  return /conflict|duplicate key/i.test(String((error as Error | null)?.message ?? ''));
}

/** Rows removed by one `purgeExpiredCredentials` call, per table. */
export interface CredentialPurgeReport {
  readonly authorizationCodes: number;
  readonly signInSessions: number;
  readonly revokedAccessTokens: number;
  readonly accessTokens: number;
  readonly refreshTokens: number;
}

// ---------------------------------------------------------------------------------------------
// AdminStore: what the administration API (`/admin/v1`, spec §6) and the operator's CLI change:
// users, OAuth clients, teams, contracts, products and subscriptions. Lists are pages of
// `offset`/`limit` with the total count. Creating a row whose key exists throws
// DuplicateKeyError; a delete of a row others still refer to answers 'in-use' and changes nothing.
// References to other rows (a team's users, a contract's team) are checked by the caller
// (src/admin) before it writes, with `listUnknownUserIds` and the finders.
// ---------------------------------------------------------------------------------------------

/** A page of a list: rows `offset`..`offset+limit-1` in the list's fixed order. */
export interface PageRequest {
  readonly offset: number;
  readonly limit: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Rows in the whole list. */
  readonly total: number;
}

export type DeleteOutcome = 'deleted' | 'not-found' | 'in-use';

/** A row with this key (or e-mail address) exists already. */
export class DuplicateKeyError extends Error {
  constructor(readonly entity: string, options?: { cause?: unknown }) {
    super(`a ${entity} with this key exists already`, options);
    this.name = 'DuplicateKeyError';
  }
}

/** Members of a user that may change; absent members stay as they are. */
export interface UserPatch {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly fullName?: string;
  readonly roles?: readonly string[];
  readonly status?: User['status'];
}

/** Members of an OAuth client that may change; `boundUserId: null` unbinds. */
export interface OAuthClientPatch {
  readonly name?: string;
  readonly redirectUris?: readonly string[];
  readonly boundUserId?: string | null;
  /** A new secret's scrypt hash (rotation). */
  readonly secretHash?: string;
}

/** The personal-data switch as a whole (issue 18): any team off hides personal data everywhere. */
export interface PersonalDataPolicy {
  readonly hidden: boolean;
  /** A random secret of this installation; hashes are HMACs under it, stable across processes. */
  readonly hashKey: string;
}

/** A team with its people: `administrators` see it in Insights; `members` are the other users in it. */
export interface TeamDetail extends Team {
  /** User ids, sorted. */
  readonly administrators: readonly string[];
  /** User ids of members who are not administrators, sorted. */
  readonly members: readonly string[];
}

/** `personalData` is on unless given. */
export type NewTeam = Omit<TeamDetail, 'personalData'> & { readonly personalData?: boolean };

/** Absent members stay; `administrators` and `members` replace the whole list when given. */
export type TeamPatch = Partial<Omit<TeamDetail, 'teamId'>>;

/** A contract year as the operator defines it (the token figures are computed elsewhere). */
export interface ContractYearDefinition {
  readonly year: number;
  readonly startDate: string;
  readonly endDate: string;
  readonly provisionedTokens: number;
}

/** A contract as the operator defines it. */
export interface ContractDefinition {
  readonly contractNumber: string;
  readonly contractName: string;
  readonly teamId: string;
  readonly contractStartDate: string;
  readonly contractEndDate: string;
  readonly multiyearProvisionedTokens: number;
  /** Ordered by year. */
  readonly contractYears: readonly ContractYearDefinition[];
  /** Ten names; position i names customField{i+1}, '' when unused. */
  readonly enrichmentCategories: readonly string[];
  /** User ids of the contract managers, sorted. */
  readonly contractManagers: readonly string[];
  /**
   * Where its records' charges come from: our own rating, or Autodesk's Token Flex export files
   * (docs/sources.md). Always there in what the store returns; absent on a definition: `rating`.
   */
  readonly chargesFrom?: ChargesFrom;
}

/**
 * `rating`: every record is rated on arrival by our own rating (src/rating); `autodesk`: records
 * come from Autodesk's Token Flex export files with the charges Autodesk gave them, stored as given
 * and never re-rated. A batch never mixes the two on one contract.
 */
export type ChargesFrom = 'rating' | 'autodesk';

/** Absent members stay; `contractYears` and `contractManagers` replace the whole list when given. */
export type ContractPatch = Partial<Omit<ContractDefinition, 'contractNumber'>>;

export interface Product {
  readonly productLineCode: string;
  readonly version: string;
  readonly productName: string;
  readonly featureCode: string;
  readonly dailyTokenRate: number;
  /** YYYY-MM-DD or null (open). */
  readonly effectiveFrom: string | null;
  readonly effectiveTo: string | null;
}

/** A product version as the admin API shows it: with the settings of its product line. */
export interface ProductDetail extends Product {
  /** What a subscription seat of the product line costs in tokens a year (all its versions); null: not set. */
  readonly seatTokensPerYear: number | null;
}

/** A new version; `seatTokensPerYear`, when given, sets the line's seat price (absent: the line's stays). */
export interface NewProduct extends Product {
  readonly seatTokensPerYear?: number | null;
}

/** Absent members stay; `seatTokensPerYear` changes it for every version of the line. */
export type ProductPatch = Partial<Omit<ProductDetail, 'productLineCode' | 'version'>>;

export interface Subscription {
  readonly id: string;
  readonly teamId: string;
  readonly contractNumber: string;
  readonly productLineCode: string;
  readonly productName: string;
  /** e.g. 'Subscription', 'Flex'. */
  readonly offeringType: string;
  /** e.g. 'Annual', '3-Year'. */
  readonly term: string;
  readonly status: 'Active' | 'Expired' | 'Canceled';
  readonly quantity: number;
  readonly startDate: string;
  readonly endDate: string;
  readonly renewalDate: string | null;
  /** User ids holding a seat, sorted. */
  readonly seats: readonly string[];
}

/** Absent members stay; `seats` replaces every seat assignment when given. */
export type SubscriptionPatch = Partial<Omit<Subscription, 'id'>>;

export interface SubscriptionFilter {
  readonly teamId?: string;
  readonly contractNumber?: string;
}

export interface AdminStore {
  /** Users ordered by e-mail address. */
  listUsers(page: PageRequest): Promise<Page<User>>;
  updateUser(id: string, patch: UserPatch): Promise<User | undefined>;
  /** Active users holding the `admin` role. */
  countActiveAdmins(): Promise<number>;
  /** The ids among `ids` that no user has, in the order given. */
  listUnknownUserIds(ids: readonly string[]): Promise<readonly string[]>;

  /** Clients ordered by creation time, then id. */
  listOAuthClients(page: PageRequest): Promise<Page<OAuthClient>>;
  updateOAuthClient(id: string, patch: OAuthClientPatch): Promise<OAuthClient | undefined>;
  /**
   * Deletes a client with its authorization codes, and revokes every refresh token issued to it
   * and every access token recorded for its grants (and for grant `client:<id>`, which names its
   * client_credentials tokens). False when there was no such client.
   */
  deleteOAuthClient(id: string, now: Date): Promise<boolean>;

  createTeam(team: NewTeam): Promise<TeamDetail>;
  findTeam(teamId: string): Promise<TeamDetail | undefined>;
  /** Teams ordered by id. */
  listTeams(page: PageRequest): Promise<Page<TeamDetail>>;
  updateTeam(teamId: string, patch: TeamPatch): Promise<TeamDetail | undefined>;
  /** 'in-use' while a contract, subscription or usage record belongs to the team. */
  deleteTeam(teamId: string): Promise<DeleteOutcome>;
  /** Whether any team has personal data off, and the hash key (made on first use, once). */
  personalDataPolicy(): Promise<PersonalDataPolicy>;

  createContract(contract: ContractDefinition): Promise<ContractDefinition>;
  findContract(contractNumber: string): Promise<ContractDefinition | undefined>;
  /** Contracts ordered by number. */
  listContracts(page: PageRequest): Promise<Page<ContractDefinition>>;
  updateContract(contractNumber: string, patch: ContractPatch): Promise<ContractDefinition | undefined>;
  /** 'in-use' while a subscription, usage record or export schedule belongs to the contract. */
  deleteContract(contractNumber: string): Promise<DeleteOutcome>;

  createProduct(product: NewProduct): Promise<ProductDetail>;
  findProduct(productLineCode: string, version: string): Promise<ProductDetail | undefined>;
  /** Products ordered by line code, then version. */
  listProducts(page: PageRequest): Promise<Page<ProductDetail>>;
  updateProduct(productLineCode: string, version: string, patch: ProductPatch): Promise<ProductDetail | undefined>;
  /** 'in-use' while a usage record names the product's line code and version. */
  deleteProduct(productLineCode: string, version: string): Promise<DeleteOutcome>;

  createSubscription(subscription: Subscription): Promise<Subscription>;
  findSubscription(id: string): Promise<Subscription | undefined>;
  /** Subscriptions ordered by id. */
  listSubscriptions(filter: SubscriptionFilter, page: PageRequest): Promise<Page<Subscription>>;
  updateSubscription(id: string, patch: SubscriptionPatch): Promise<Subscription | undefined>;
  /** Deletes the subscription and its seat assignments. */
  deleteSubscription(id: string): Promise<DeleteOutcome>;
}

// ---------------------------------------------------------------------------------------------
// UsageIngestStore: usage records in (spec §6, `POST /admin/v1/usage`, `insights import`). The
// caller (src/ingest) validates and normalises each record against `loadUsageReferences`; the
// store stages, de-duplicates by id, rates (src/rating) and commits a batch as one transaction.
// ---------------------------------------------------------------------------------------------

/** What a usage batch is checked against: the contracts with their years, the teams, the products. */
export interface UsageReferences {
  readonly contracts: readonly {
    readonly contractNumber: string;
    readonly teamId: string;
    /** Ordered by year. */
    readonly years: readonly ContractYearDefinition[];
    /** Absent: `rating`. */
    readonly chargesFrom?: ChargesFrom;
  }[];
  readonly teamIds: readonly string[];
  readonly products: readonly Product[];
}

/**
 * One usage record ready to store: validated, references checked, defaults applied, times as
 * epoch milliseconds (src/ingest). Its charge is not here: the store rates it.
 */
export interface UsageRecordInput {
  /** Line of the batch it came from, for messages. */
  readonly line: number;
  readonly id: string;
  readonly contractNumber: string;
  readonly teamId: string;
  readonly usageCategory: UsageCategory;
  readonly source: 'flex' | 'sus' | 'ppu';
  readonly userId: string | null;
  readonly userName: string | null;
  readonly productLineCode: string | null;
  readonly productName: string | null;
  readonly parentProductName: string | null;
  readonly productVersion: string | null;
  readonly productFeatureCode: string | null;
  /** The rating day, 'YYYY-MM-DD': the licence server's local day of `usageAt` (UTC without an offset). */
  readonly usageDate: string;
  /** The contract year whose range holds `usageDate`. */
  readonly contractYear: number;
  /** When the usage happened (session start, cloud event, transaction), epoch ms. */
  readonly usageAt: number;
  readonly sessionStart: number | null;
  readonly sessionEnd: number | null;
  readonly licenseServerTzOffset: string | null;
  readonly usageType: 'Normal' | 'Borrowed' | null;
  readonly machineName: string | null;
  readonly licenseServerName: string | null;
  readonly hubId: string | null;
  readonly hubName: string | null;
  readonly jobStatus: 'Success' | 'Failed' | null;
  readonly transactionDate: number | null;
  readonly reasonType: string | null;
  readonly reasonComment: string | null;
  readonly chargedItemId: string;
  /** Cloud and manual records: the tokens given (the rating decides what is consumed). */
  readonly tokens: number | null;
  readonly quantity: number;
  /** customField1..10, ten entries; null takes the user's enrichment value for the contract. */
  readonly customFields: readonly (string | null)[];
}

export interface UsageIngestOptions {
  /** Stage and count only: nothing is written. */
  readonly dryRun: boolean;
}

export interface UsageIngestSummary {
  /** Records in the batch. */
  readonly records: number;
  /** Records stored by this batch (a dry run: that it would store). */
  readonly inserted: number;
  /** Records whose id was stored already, or came earlier in the batch: not stored again. */
  readonly duplicates: number;
  /**
   * Records whose charge was computed: the new ones, and the stored ones the batch can change
   * (their user-days, and the later records of their contract years, whose CY/MY split moves).
   */
  readonly rated: number;
  readonly dryRun: boolean;
}

export interface UsageIngestStore {
  loadUsageReferences(): Promise<UsageReferences>;
  /**
   * Stores a batch read from `batches` to its end. If reading throws (a bad row), nothing is
   * written and the error propagates. Otherwise, all or nothing (the writes are one transaction):
   * records whose id is not yet stored (the first of repeats within the batch) are inserted, rated
   * together with every stored record their arrival can change, and the changed charges of stored
   * records are updated
   * (src/rating, `affectedUserDays` for the recipe). The result does not depend on the order in
   * which batches arrive. Batches are applied one at a time.
   */
  ingestUsage(batches: AsyncIterable<readonly UsageRecordInput[]>, options: UsageIngestOptions): Promise<UsageIngestSummary>;
  /**
   * `ingestUsage` for a batch whose records arrive already written in the backend's staging text
   * (DuckDB: src/store/duckdb/staged-line.ts), as the ingestion's validation workers write them,
   * so they need not be rebuilt as objects in this thread. Backends without one take records only.
   */
  ingestStagedUsage?(chunks: AsyncIterable<StagedUsageChunk>, options: UsageIngestOptions): Promise<UsageIngestSummary>;
}

/** Records already written as staging text in UTF-8, one line each, every line ending in a newline. */
export interface StagedUsageChunk {
  readonly bytes: Uint8Array;
  readonly records: number;
}
