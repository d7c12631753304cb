import type { CompletedQuery, InsightsReportQuery, Job, JobFile, JobKind, JobStateCount, NewJob, ResultQuery, Store, StreamQuery } from '../contract/index.js';
import type { Db } from './dialect.js';
import * as analyticsSql from './analytics.js';
import * as jobsSql from './jobs.js';
import { buildReportQuery } from './reports.js';
import type { ConcurrencyRequest, ConcurrencyRow, DailyTokens, ProductLineRate, SeatHolder, UserProductMonth } from '../analytics-store.js';

type JobFilter = Parameters<Store['listJobs']>[0];
type JobError = { readonly title: string; readonly detail: string; readonly retry: boolean };

/**
 * The store over SQL, for both backends: each family's statements are written once (store/sql/*)
 * and run on a `Db`. A backend's subclass adds only what truly differs (connection and pool,
 * migrations, bulk staging, how a running statement is interrupted).
 */
export abstract class SqlStore {
  protected readonly db: Db;

  protected constructor(db: Db) {
    this.db = db;
  }

  abstract completeQueryJob(
    id: string, workerId: string, query: ResultQuery, retentionMs: number, signal: AbortSignal, rowWritten?: Promise<unknown>,
  ): Promise<CompletedQuery>;

  /** The SQL of an Insights report, ready for `streamRows`. */
  buildReportQuery(query: InsightsReportQuery): StreamQuery {
    return buildReportQuery(this.db.dialect, query);
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

  // --- AnalyticsStore ------------------------------------------------------------------------

  listDailyTokens(contractNumber: string, from: string, to: string): Promise<readonly DailyTokens[]> {
    return analyticsSql.selectDailyTokens(this.db, contractNumber, from, to);
  }

  sumMultiyearTokens(contractNumber: string, asOf: string): Promise<number> {
    return analyticsSql.selectMultiyearTokens(this.db, contractNumber, asOf);
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
}
