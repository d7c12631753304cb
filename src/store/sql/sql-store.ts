import { randomBytes } from 'node:crypto';
import type { CompletedQuery, InsightsReportQuery, Job, JobFile, JobKind, JobStateCount, NewJob, ResultQuery, Store, StreamQuery } from '../contract/index.js';
import { attachPeople, attachSeats, attachYearsAndManagers, teamMembers, unique } from '../admin-rows.js';
import {
  type Contract, type ContractDefinition, type ContractPatch, type DeleteOutcome, type NewProduct, type NewTeam, type Page,
  type PageRequest, type ProductDetail, type ProductPatch, type Subscription, type SubscriptionFilter, type SubscriptionPatch,
  type Team, type TeamDetail, type TeamPatch, type User, type UserPatch,
  type ContractDetail, type ExportSchedule, type LastUsage, type PersonalDataPolicy, type UsageSummaryFilter, type UsageSummaryRow,
  type UsageReferences, type UsageValueColumn, type FlexlmLogState, type FlexlmLogWrite,
} from '../contract/index.js';
import type { Db } from './dialect.js';
import { SqlOAuthStore } from './oauth-store.js';
import * as analyticsSql from './analytics.js';
import * as adminContractsSql from './admin-contracts.js';
import * as adminProductsSql from './admin-products.js';
import * as adminSubscriptionsSql from './admin-subscriptions.js';
import * as adminTeamsSql from './admin-teams.js';
import * as adminUsersSql from './admin-users.js';
import * as flexlmLogSql from './flexlm-log.js';
import { selectContractDetail } from './contracts.js';
import * as jobsSql from './jobs.js';
import { selectPersonalDataPolicy } from './personal-data.js';
import * as schedulesSql from './schedules.js';
import * as usageLookupsSql from './usage-lookups.js';
import * as usersSql from './users.js';
import { buildReportQuery } from './reports.js';
import { selectUsageReferences } from './usage-ingest.js';
import type { ConcurrencyRequest, ConcurrencyRow, DailyTokens, DenialCount, ProductLineRate, SeatHolder, UserProductMonth } from '../analytics-store.js';

type JobFilter = Parameters<Store['listJobs']>[0];
type JobError = { readonly title: string; readonly detail: string; readonly retry: boolean };

/**
 * The store over SQL, for both backends: each family's statements are written once (store/sql/*)
 * and run on a `Db`. A backend's subclass adds only what truly differs (connection and pool,
 * migrations, bulk staging, how a running statement is interrupted).
 */
export abstract class SqlStore extends SqlOAuthStore {
  protected constructor(db: Db) {
    super(db);
  }

  abstract completeQueryJob(
    id: string, workerId: string, query: ResultQuery, retentionMs: number, signal: AbortSignal, rowWritten?: Promise<unknown>,
  ): Promise<CompletedQuery>;

  /** The SQL of an Insights report, ready for `streamRows`. */
  buildReportQuery(query: InsightsReportQuery): StreamQuery {
    return buildReportQuery(this.db.dialect, query);
  }

  // --- UsageIngestStore: applyStagedUsage stages the backend's way --------------------------------

  loadUsageReferences(): Promise<UsageReferences> {
    return selectUsageReferences(this.db);
  }

  // --- JobStore --------------------------------------------------------------------------------

  createJob(job: NewJob): Promise<Job> {
    return jobsSql.insertJob(this.db, job, job.createdAt ?? new Date());
  }

  getJob(id: string): Promise<Job | undefined> {
    return jobsSql.selectJob(this.db, id);
  }

  findReusableJob(ownerUserId: string, requestHash: string): Promise<Job | undefined> {
    return jobsSql.selectReusableJob(this.db, ownerUserId, requestHash, new Date());
  }

  findJobByIdempotencyKey(ownerUserId: string, key: string, since: Date): Promise<Job | undefined> {
    return jobsSql.selectJobByIdempotencyKey(this.db, ownerUserId, key, since);
  }

  async claimNextJob(workerId: string, kinds: readonly JobKind[]): Promise<Job | undefined> {
    try {
      return await jobsSql.claimJob(this.db, workerId, kinds, new Date());
    } catch (error) {
      // Another connection updated the same row first (DuckDB): it got the job, we get none this round.
      if (this.db.isConflict(error)) return undefined;
      throw error;
    }
  }

  async claimJob(id: string, workerId: string): Promise<Job | undefined> {
    try {
      return await jobsSql.claimJobById(this.db, id, workerId, new Date());
    } catch (error) {
      if (this.db.isConflict(error)) return undefined;
      throw error;
    }
  }

  async heartbeatJob(id: string, workerId: string): Promise<{ readonly cancelRequested: boolean }> {
    try {
      return await jobsSql.touchJob(this.db, id, workerId, new Date());
    } catch (error) {
      // A concurrent update of the row (a cancel request, say) won; the lease is still ours, and
      // the next beat will see whatever changed.
      if (this.db.isConflict(error)) return { cancelRequested: false };
      throw error;
    }
  }

  failJob(id: string, workerId: string, error: JobError): Promise<Job> {
    return jobsSql.updateFailedJob(this.db, id, workerId, error, new Date());
  }

  async requestCancel(id: string): Promise<Job | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await jobsSql.cancelJob(this.db, id, new Date());
      } catch (error) {
        // A heartbeat changed the row at the same moment (DuckDB): ask again.
        if (!this.db.isConflict(error) || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
      }
    }
  }

  markCanceled(id: string, workerId: string, detail: string): Promise<void> {
    return jobsSql.markJobCanceled(this.db, id, workerId, detail, new Date());
  }

  deleteJob(id: string): Promise<void> {
    return this.db.transaction(async (db) => {
      await jobsSql.deleteResultRows(db, [id]);
      await jobsSql.deleteJobRow(db, id);
    });
  }

  sweepStaleJobs(staleBefore: Date): Promise<{ readonly requeued: number; readonly failed: number }> {
    return jobsSql.requeueStaleJobs(this.db, staleBefore, new Date());
  }

  async purgeFinishedJobs(before: Date): Promise<number> {
    return (await this.purgeFinishedJobIds(before)).length;
  }

  /** Deletes the ended jobs (see purgeFinishedJobs) and returns their ids. */
  protected purgeFinishedJobIds(before: Date): Promise<readonly string[]> {
    return jobsSql.deleteFinishedJobs(this.db, before);
  }

  expireJobs(now: Date): Promise<readonly JobFile[]> {
    return this.db.transaction(async (db) => {
      const expired = await jobsSql.expireSucceededJobs(db, now);
      await jobsSql.deleteResultRows(db, expired.ids);
      return expired.files;
    });
  }

  readResultPage(id: string, offset: number, limit: number): Promise<unknown[][]> {
    return jobsSql.selectResultPage(this.db, id, offset, limit);
  }

  completeExportJob(id: string, workerId: string, files: readonly JobFile[], retentionMs: number): Promise<void> {
    const now = new Date();
    return jobsSql.finishExportJob(this.db, id, workerId, files, now, new Date(now.getTime() + retentionMs));
  }

  listJobs(filter: JobFilter): Promise<readonly Job[]> {
    return jobsSql.selectJobs(this.db, filter);
  }

  countPendingJobs(ownerUserId: string, kind: JobKind): Promise<number> {
    return jobsSql.countPending(this.db, ownerUserId, kind);
  }

  countJobsByState(): Promise<readonly JobStateCount[]> {
    return jobsSql.countByState(this.db);
  }

  markJobsRead(ownerUserId: string, ids: readonly string[]): Promise<readonly string[]> {
    return jobsSql.setReadFlags(this.db, ownerUserId, ids);
  }

  retryFailedJob(id: string): Promise<boolean> {
    return jobsSql.requeueFailedJob(this.db, id, new Date());
  }

  // --- FlexlmLogStore ------------------------------------------------------------------------

  loadFlexlmLogState(contractNumber: string, server: string): Promise<FlexlmLogState> {
    return flexlmLogSql.selectFlexlmLogState(this.db, contractNumber, server);
  }

  applyFlexlmLog(write: FlexlmLogWrite): Promise<void> {
    return this.db.transaction((db) => flexlmLogSql.applyFlexlmLog(db, write));
  }

  // --- AnalyticsStore ------------------------------------------------------------------------

  listDailyTokens(contractNumber: string, from: string, to: string): Promise<readonly DailyTokens[]> {
    return analyticsSql.selectDailyTokens(this.db, contractNumber, from, to);
  }

  listUserProductMonths(contractNumber: string, from: string, to: string): Promise<readonly UserProductMonth[]> {
    return analyticsSql.selectUserProductMonths(this.db, contractNumber, from, to);
  }

  listProductLineRates(productLineCodes: readonly string[]): Promise<readonly ProductLineRate[]> {
    return analyticsSql.selectProductLineRates(this.db, productLineCodes);
  }

  listSeatHolders(scope: { readonly contractNumber: string } | { readonly teamId: string }, asOf: string): Promise<readonly SeatHolder[]> {
    return analyticsSql.selectSeatHolders(this.db, scope, asOf);
  }

  listConcurrency(contractNumber: string, request: ConcurrencyRequest): Promise<readonly ConcurrencyRow[]> {
    return analyticsSql.selectConcurrency(this.db, contractNumber, request);
  }

  listDenialCounts(contractNumber: string, request: ConcurrencyRequest): Promise<readonly DenialCount[]> {
    return analyticsSql.selectDenialCounts(this.db, contractNumber, request);
  }

  // --- Users, teams and contracts a user sees --------------------------------------------------

  isEmpty(): Promise<boolean> {
    return usersSql.selectNoUsers(this.db);
  }

  findUserByEmail(email: string): Promise<User | undefined> {
    return usersSql.selectUserByEmail(this.db, email);
  }

  findUserById(id: string): Promise<User | undefined> {
    return usersSql.selectUserById(this.db, id);
  }

  listAdministeredTeams(userId: string): Promise<readonly Team[]> {
    return usersSql.selectAdministeredTeams(this.db, userId);
  }

  listManagedContracts(userId: string): Promise<readonly Contract[]> {
    return usersSql.selectManagedContracts(this.db, userId);
  }

  getContractDetail(contractNumber: string): Promise<ContractDetail | undefined> {
    return selectContractDetail(this.db, contractNumber);
  }

  listUsageValues(contractNumber: string, column: UsageValueColumn, usageCategories?: readonly string[]): Promise<readonly string[]> {
    return usageLookupsSql.selectUsageValues(this.db, contractNumber, column, usageCategories);
  }

  getEnrichmentCategories(contractNumber: string): Promise<readonly string[] | undefined> {
    return usageLookupsSql.selectEnrichmentCategories(this.db, contractNumber);
  }

  summarizeUsage(contractNumber: string, filter: UsageSummaryFilter): Promise<readonly UsageSummaryRow[]> {
    return usageLookupsSql.selectUsageSummary(this.db, contractNumber, filter);
  }

  listLastUsage(contractNumber: string): Promise<readonly LastUsage[]> {
    return usageLookupsSql.selectLastUsage(this.db, contractNumber);
  }

  personalDataPolicy(): Promise<PersonalDataPolicy> {
    return selectPersonalDataPolicy(this.db, () => randomBytes(32).toString('hex'));
  }

  // --- ScheduleStore ---------------------------------------------------------------------------

  saveSchedule(schedule: ExportSchedule): Promise<void> {
    return schedulesSql.upsertSchedule(this.db, schedule, new Date());
  }

  getSchedule(id: string): Promise<ExportSchedule | undefined> {
    return schedulesSql.selectSchedule(this.db, id);
  }

  listSchedules(ownerUserId: string, contractNumber: string): Promise<readonly ExportSchedule[]> {
    return schedulesSql.selectSchedules(this.db, ownerUserId, contractNumber);
  }

  deleteSchedule(id: string): Promise<void> {
    return schedulesSql.deleteScheduleRow(this.db, id);
  }

  listDueSchedules(now: Date): Promise<readonly ExportSchedule[]> {
    return schedulesSql.selectDueSchedules(this.db, now);
  }

  async claimScheduleFiring(id: string, expectedNextRunAt: string, nextRunAt: Date | null, ranAt: Date): Promise<boolean> {
    try {
      return await schedulesSql.updateScheduleFiring(this.db, id, expectedNextRunAt, nextRunAt, ranAt);
    } catch (error) {
      // Another connection moved the same schedule first (DuckDB): that one fired it.
      if (this.db.isConflict(error)) return false;
      throw error;
    }
  }

  // --- AdminStore ------------------------------------------------------------------------------

  async listUsers(page: PageRequest): Promise<Page<User>> {
    return this.read(async (db) => Object.freeze({
      items: Object.freeze(await adminUsersSql.selectUsersPage(db, page)),
      total: await usersSql.countUsers(db),
    }));
  }

  updateUser(id: string, patch: UserPatch): Promise<User | undefined> {
    // A transaction, so that a write conflict with a concurrent update (DuckDB) is run again.
    return this.db.transaction((db) => adminUsersSql.updateUserRow(db, id, patch));
  }

  countActiveAdmins(): Promise<number> {
    return adminUsersSql.countActiveAdminUsers(this.db);
  }

  listUnknownUserIds(ids: readonly string[]): Promise<readonly string[]> {
    return adminUsersSql.selectUnknownUserIds(this.db, ids);
  }

  async createTeam(team: NewTeam): Promise<TeamDetail> {
    await this.db.transaction(async (db) => {
      await this.duplicateAs('team', adminTeamsSql.insertTeam(db, team));
      await adminTeamsSql.insertTeamMembers(db, team.teamId, teamMembers(team.administrators, team.members));
    });
    return (await this.findTeam(team.teamId))!;
  }

  findTeam(teamId: string): Promise<TeamDetail | undefined> {
    return this.read(async (db) => {
      const team = await adminTeamsSql.selectTeam(db, teamId);
      return team ? (await withPeople(db, [team]))[0] : undefined;
    });
  }

  listTeams(page: PageRequest): Promise<Page<TeamDetail>> {
    return this.read(async (db) => Object.freeze({
      items: Object.freeze(await withPeople(db, await adminTeamsSql.selectTeamsPage(db, page))),
      total: await adminTeamsSql.countTeams(db),
    }));
  }

  async updateTeam(teamId: string, patch: TeamPatch): Promise<TeamDetail | undefined> {
    const found = await this.db.transaction(async (db) => {
      if (!(await adminTeamsSql.updateTeamRow(db, teamId, patch.name ?? null, patch.reportingBenefits ?? null, patch.personalData ?? null))) return false;
      if (patch.administrators === undefined && patch.members === undefined) return true;
      // One list given: the other keeps its people.
      const current = await adminTeamsSql.selectTeamMembers(db, [teamId]);
      const administrators = patch.administrators ?? current.filter((m) => m.isAdmin).map((m) => m.userId);
      const members = patch.members ?? current.filter((m) => !m.isAdmin).map((m) => m.userId);
      await adminTeamsSql.deleteTeamMembers(db, teamId);
      await adminTeamsSql.insertTeamMembers(db, teamId, teamMembers(administrators, members));
      return true;
    });
    return found ? this.findTeam(teamId) : undefined;
  }

  deleteTeam(teamId: string): Promise<DeleteOutcome> {
    return this.db.transaction(async (db) => {
      if (!(await adminTeamsSql.selectTeam(db, teamId))) return 'not-found';
      if (await adminTeamsSql.selectTeamInUse(db, teamId)) return 'in-use';
      await adminTeamsSql.deleteTeamMembers(db, teamId);
      await adminTeamsSql.deleteTeamRow(db, teamId);
      return 'deleted';
    });
  }

  async createContract(contract: ContractDefinition): Promise<ContractDefinition> {
    await this.db.transaction(async (db) => {
      await this.duplicateAs('contract', adminContractsSql.insertContract(db, contract));
      await adminContractsSql.insertContractYears(db, contract.contractNumber, contract.contractYears);
      await adminContractsSql.insertContractManagers(db, contract.contractNumber, unique(contract.contractManagers));
    });
    return (await this.findContract(contract.contractNumber))!;
  }

  findContract(contractNumber: string): Promise<ContractDefinition | undefined> {
    return this.read(async (db) => {
      const row = await adminContractsSql.selectContractRow(db, contractNumber);
      return row ? (await withYearsAndManagers(db, [row]))[0] : undefined;
    });
  }

  listContracts(page: PageRequest): Promise<Page<ContractDefinition>> {
    return this.read(async (db) => Object.freeze({
      items: Object.freeze(await withYearsAndManagers(db, await adminContractsSql.selectContractsPage(db, page))),
      total: await adminContractsSql.countContracts(db),
    }));
  }

  async updateContract(contractNumber: string, patch: ContractPatch): Promise<ContractDefinition | undefined> {
    const found = await this.db.transaction(async (db) => {
      if (!(await adminContractsSql.updateContractRow(db, contractNumber, patch))) return false;
      if (patch.contractYears) {
        await adminContractsSql.deleteContractYears(db, contractNumber);
        await adminContractsSql.insertContractYears(db, contractNumber, patch.contractYears);
      }
      if (patch.contractManagers) {
        await adminContractsSql.deleteContractManagers(db, contractNumber);
        await adminContractsSql.insertContractManagers(db, contractNumber, unique(patch.contractManagers));
      }
      return true;
    });
    return found ? this.findContract(contractNumber) : undefined;
  }

  deleteContract(contractNumber: string): Promise<DeleteOutcome> {
    return this.db.transaction(async (db) => {
      if (!(await adminContractsSql.selectContractRow(db, contractNumber))) return 'not-found';
      if (await adminContractsSql.selectContractInUse(db, contractNumber)) return 'in-use';
      await adminContractsSql.deleteContractYears(db, contractNumber);
      await adminContractsSql.deleteContractManagers(db, contractNumber);
      await adminContractsSql.deleteUserEnrichmentOfContract(db, contractNumber);
      await adminContractsSql.deleteContractRow(db, contractNumber);
      return 'deleted';
    });
  }

  async createProduct(product: NewProduct): Promise<ProductDetail> {
    await this.db.transaction(async (db) => {
      await this.duplicateAs('product', adminProductsSql.insertProduct(db, product));
      if (product.seatTokensPerYear !== undefined) await adminProductsSql.upsertSeatPrice(db, product.productLineCode, product.seatTokensPerYear);
    });
    return (await this.findProduct(product.productLineCode, product.version))!;
  }

  findProduct(productLineCode: string, version: string): Promise<ProductDetail | undefined> {
    return adminProductsSql.selectProduct(this.db, productLineCode, version);
  }

  listProducts(page: PageRequest): Promise<Page<ProductDetail>> {
    return this.read(async (db) => Object.freeze({
      items: Object.freeze(await adminProductsSql.selectProductsPage(db, page)),
      total: await adminProductsSql.countProducts(db),
    }));
  }

  async updateProduct(productLineCode: string, version: string, patch: ProductPatch): Promise<ProductDetail | undefined> {
    const found = await this.db.transaction(async (db) => {
      if (!(await adminProductsSql.updateProductRow(db, productLineCode, version, patch))) return false;
      if (patch.seatTokensPerYear !== undefined) await adminProductsSql.upsertSeatPrice(db, productLineCode, patch.seatTokensPerYear);
      return true;
    });
    return found ? this.findProduct(productLineCode, version) : undefined;
  }

  deleteProduct(productLineCode: string, version: string): Promise<DeleteOutcome> {
    return this.db.transaction(async (db) => {
      if (!(await adminProductsSql.selectProduct(db, productLineCode, version))) return 'not-found';
      if (await adminProductsSql.selectProductInUse(db, productLineCode, version)) return 'in-use';
      await adminProductsSql.deleteProductRow(db, productLineCode, version);
      return 'deleted';
    });
  }

  async createSubscription(subscription: Subscription): Promise<Subscription> {
    await this.db.transaction(async (db) => {
      await this.duplicateAs('subscription', adminSubscriptionsSql.insertSubscription(db, subscription));
      await adminSubscriptionsSql.insertSeatAssignments(db, subscription.id, subscription.teamId, unique(subscription.seats));
    });
    return (await this.findSubscription(subscription.id))!;
  }

  findSubscription(id: string): Promise<Subscription | undefined> {
    return this.read(async (db) => {
      const row = await adminSubscriptionsSql.selectSubscriptionRow(db, id);
      return row ? (await withSeats(db, [row]))[0] : undefined;
    });
  }

  listSubscriptions(filter: SubscriptionFilter, page: PageRequest): Promise<Page<Subscription>> {
    return this.read(async (db) => Object.freeze({
      items: Object.freeze(await withSeats(db, await adminSubscriptionsSql.selectSubscriptionsPage(db, filter, page))),
      total: await adminSubscriptionsSql.countSubscriptions(db, filter),
    }));
  }

  async updateSubscription(id: string, patch: SubscriptionPatch): Promise<Subscription | undefined> {
    const found = await this.db.transaction(async (db) => {
      if (!(await adminSubscriptionsSql.updateSubscriptionRow(db, id, patch))) return false;
      const teamId = (await adminSubscriptionsSql.selectSubscriptionRow(db, id))!.teamId;
      if (patch.seats) {
        await adminSubscriptionsSql.deleteSeatAssignments(db, id);
        await adminSubscriptionsSql.insertSeatAssignments(db, id, teamId, unique(patch.seats));
      } else if (patch.teamId !== undefined) {
        await adminSubscriptionsSql.updateSeatTeams(db, id, teamId);
      }
      return true;
    });
    return found ? this.findSubscription(id) : undefined;
  }

  deleteSubscription(id: string): Promise<DeleteOutcome> {
    return this.db.transaction(async (db) => {
      await adminSubscriptionsSql.deleteSeatAssignments(db, id);
      return (await adminSubscriptionsSql.deleteSubscriptionRow(db, id)) ? 'deleted' : 'not-found';
    });
  }
}

async function withPeople(db: Db, teams: readonly Team[]): Promise<TeamDetail[]> {
  return attachPeople(teams, await adminTeamsSql.selectTeamMembers(db, teams.map((t) => t.teamId)));
}

async function withYearsAndManagers(db: Db, rows: readonly adminContractsSql.ContractRow[]): Promise<ContractDefinition[]> {
  const numbers = rows.map((r) => r.contractNumber);
  return attachYearsAndManagers(rows, await adminContractsSql.selectContractYearDefinitions(db, numbers),
    await adminContractsSql.selectContractManagers(db, numbers));
}

async function withSeats(db: Db, rows: readonly adminSubscriptionsSql.SubscriptionRow[]): Promise<Subscription[]> {
  return attachSeats(rows, await adminSubscriptionsSql.selectSeatAssignments(db, rows.map((r) => r.id)));
}
