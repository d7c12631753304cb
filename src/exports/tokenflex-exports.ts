import { randomUUID } from 'node:crypto';
import { catalogFor, normaliseUsageCategory, type Dialect } from '../catalog/index.js';
import { AppError } from '../errors.js';
import { maskRows, personalDataMask, pseudonymsIn } from '../privacy/index.js';
import { compileUsageQuery, planUsageQuery, type UsageQuerySpec } from '../query/index.js';
import type { Job, JobFile, Store } from '../store/index.js';
import { writeCsv } from './csv-writer.js';
import type { FileStore } from './file-store.js';
import type { SignedLink, UrlSigner } from './signed-urls.js';

/** What a Token Flex export request carries (seed 002): a query body plus a file name. */
export interface TokenflexExportRequest {
  readonly fields: readonly string[];
  readonly metrics: readonly string[];
  readonly usageCategory?: readonly string[];
  readonly where?: string;
  readonly downloadFileName?: string;
  /** Other names of fields: the contract's enrichment category names → `customFieldN` (spec §4). */
  readonly fieldAliases?: Readonly<Record<string, string>>;
}

interface StoredExport {
  readonly contractNumber: string;
  readonly fields: readonly string[];
  readonly metrics: readonly string[];
  readonly usageCategories: readonly string[] | null;
  readonly where: string;
  readonly downloadFileName: string;
  readonly scheduleId: string | null;
  /** The aliases the request used; absent when none. */
  readonly fieldAliases?: Readonly<Record<string, string>>;
  /** Hashes of personal values the `where` names → the values (UsageQuerySpec.pseudonyms); absent when none. */
  readonly pseudonyms?: Readonly<Record<string, string>>;
}

/** At most this many export requests of one user wait in `Requested` (spec §4). */
export const MAX_PENDING_EXPORTS = 50;
/** Export files are kept this long. */
export const EXPORT_RETENTION_MS = 14 * 24 * 3600 * 1000;

/**
 * The complete field and metric set of a desktop session-level export (seed 002). Such an export
 * may include nothing else.
 */
const DESKTOP_SESSION_FIELDS = new Set([
  'usageMonth', 'usageDate', 'contractYear', 'productName', 'productLineCode', 'productVersion', 'productFeatureCode',
  'userName', 'machineName', 'sessionStartDate', 'sessionEndDate', 'licenseServerTimeZoneOffset', 'chargedItemID',
  'chargeCategory', 'licenseServerName', 'usageType', 'usageCategory',
  ...Array.from({ length: 10 }, (_, i) => `customField${i + 1}`),
]);
const DESKTOP_SESSION_METRICS = new Set(['tokensConsumed', 'usageMinutes', 'usageHours']);

/** `downloadFileName` without path or control characters, with `.csv` appended once. */
export function normaliseDownloadFileName(name: string | undefined, now: Date): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const base = (name ?? '').replace(/[\\/:*?"<>|\u0000-\u001F]/g, ' ').replace(/\s+/g, ' ').trim().replace(/\.csv$/i, '').slice(0, 200);
  return `${base || `export-${now.toISOString().slice(0, 10)}`}.csv`;
}

function toSpec(stored: StoredExport): UsageQuerySpec {
  return {
    fields: stored.fields,
    metrics: stored.metrics,
    where: stored.where,
    ...(stored.usageCategories ? { usageCategories: stored.usageCategories } : {}),
    scope: { kind: 'contract', contractNumber: stored.contractNumber },
    purpose: 'export',
    ...(stored.fieldAliases ? { fieldAliases: stored.fieldAliases } : {}),
    ...(stored.pseudonyms ? { pseudonyms: stored.pseudonyms } : {}),
  };
}

/** The aliases a request actually uses (in `fields` or `where`); absent when none. */
function usedAliases(request: TokenflexExportRequest): { fieldAliases?: Readonly<Record<string, string>> } {
  if (!request.fieldAliases) return {};
  const used = Object.entries(request.fieldAliases).filter(([alias]) => request.fields.includes(alias) || (request.where ?? '').includes(alias));
  return used.length > 0 ? { fieldAliases: Object.fromEntries(used) } : {};
}

/** Checks seed 002's rules for a desktop session-level export; throws QUERY_INVALID naming the offenders. */
function checkDesktopSessionExport(stored: StoredExport): void {
  const plan = planUsageQuery(toSpec(stored), catalogFor('tokenflex'));
  if (!plan.sessionLevel || !plan.usageCategories?.includes('DESKTOP_PRODUCT')) return;
  const errors = [
    ...stored.fields.map((name, i) => ({ name, path: `/fields/${i}`, ok: DESKTOP_SESSION_FIELDS.has(stored.fieldAliases?.[name] ?? name) })),
    ...stored.metrics.map((name, i) => ({ name, path: `/metrics/${i}`, ok: DESKTOP_SESSION_METRICS.has(name) })),
  ].filter((item) => !item.ok).map((item) => ({ path: item.path, message: `'${item.name}' is not available in a desktop session-level export` }));
  if (errors.length > 0) {
    throw new AppError('QUERY_INVALID',
      `A desktop session-level export accepts only the fields and metrics listed for it; remove ${errors.map((e) => e.message.split("'")[1]).join(', ')}.`,
      { errors });
  }
}

export interface TokenflexExportServiceOptions {
  readonly store: Store;
  readonly files: FileStore;
  readonly signer: UrlSigner;
  readonly dialect: Dialect;
  readonly onQueued?: () => void;
}

/**
 * Token Flex export requests (spec §4): a usage query written to a CSV file, by the same job
 * runner as queries, then handed out through signed links.
 */
export class TokenflexExportService {
  readonly #options: TokenflexExportServiceOptions;

  constructor(options: TokenflexExportServiceOptions) {
    this.#options = options;
  }

  /**
   * Queues an export request. A schedule's firing passes its own request key: a key that already
   * exists is that very request, made by an earlier try of the same firing, and is returned as it is.
   */
  async submit(
    ownerUserId: string, contractNumber: string, request: TokenflexExportRequest,
    firing?: { readonly scheduleId: string; readonly requestKey: string },
  ): Promise<Job> {
    if (firing) {
      const existing = await this.#options.store.getJob(firing.requestKey);
      if (existing) return existing;
    }
    const now = new Date();
    const where = (request.where ?? '').trim();
    // A person may be named by the hash an answer showed while personal data is hidden.
    const pseudonyms = await pseudonymsIn(this.#options.store, contractNumber, where);
    const stored: StoredExport = {
      contractNumber,
      fields: [...request.fields],
      metrics: [...request.metrics],
      usageCategories: request.usageCategory && request.usageCategory.length > 0
        ? [...new Set(request.usageCategory.map((c) => normaliseUsageCategory(c) ?? c))]
        : null,
      where,
      downloadFileName: normaliseDownloadFileName(request.downloadFileName, now),
      scheduleId: firing?.scheduleId ?? null,
      ...usedAliases(request),
      ...(pseudonyms ? { pseudonyms } : {}),
    };
    // Checked against every alias (so a misspelt one gets its "did you mean"); stored with the used ones.
    planUsageQuery({ ...toSpec(stored), ...(request.fieldAliases ? { fieldAliases: request.fieldAliases } : {}) }, catalogFor('tokenflex'));
    checkDesktopSessionExport(stored);
    const pending = await this.#options.store.countPendingJobs(ownerUserId, 'export');
    if (pending >= MAX_PENDING_EXPORTS) {
      throw new AppError('EXPORT_QUEUE_FULL',
        `You already have ${pending} export requests waiting; at most ${MAX_PENDING_EXPORTS} may wait at once. Try again when some have completed.`,
        { retryAfterSeconds: 30, extra: { queued: pending, limit: MAX_PENDING_EXPORTS } });
    }
    const job = await this.#options.store.createJob({
      // The request key format of the original: the submit second, '#', a UUID.
      id: firing?.requestKey ?? `${now.toISOString().slice(0, 19)}#${randomUUID()}`,
      kind: 'export',
      api: 'tokenflex',
      ownerUserId,
      tenantKey: contractNumber,
      request: stored,
      requestHash: '',
      maxAttempts: 3,
    });
    this.#options.onQueued?.();
    return job;
  }

  /** The caller's export request of this contract; 404 when unknown, 403 when another user's. */
  async get(ownerUserId: string, contractNumber: string, key: string): Promise<Job> {
    const job = await this.#options.store.getJob(key);
    if (!job || job.kind !== 'export' || job.api !== 'tokenflex' || job.tenantKey !== contractNumber) {
      throw new AppError('NOT_FOUND', `Contract ${contractNumber} has no export request ${key}.`);
    }
    if (job.ownerUserId !== ownerUserId) throw new AppError('ACCESS_DENIED', 'This export request belongs to another user.');
    return job;
  }

  list(ownerUserId: string, contractNumber: string, from: Date, to: Date): Promise<readonly Job[]> {
    return this.#options.store.listJobs({ ownerUserId, kind: 'export', api: 'tokenflex', tenantKey: contractNumber, from, to });
  }

  /** Deletes the request and its file; a request still running is canceled first. */
  async delete(job: Job): Promise<void> {
    if (job.state === 'queued' || job.state === 'running') await this.#options.store.requestCancel(job.id);
    for (const file of job.files) await this.#options.files.delete(file.key);
    await this.#options.store.deleteJob(job.id);
  }

  /** Puts a failed request back in the queue (false when it was not failed), and wakes a worker. */
  async retry(job: Job): Promise<boolean> {
    const requeued = await this.#options.store.retryFailedJob(job.id);
    if (requeued) this.#options.onQueued?.();
    return requeued;
  }

  markRead(ownerUserId: string, keys: readonly string[]): Promise<readonly string[]> {
    return this.#options.store.markJobsRead(ownerUserId, keys);
  }

  /** A fresh signed link to the job's file (every call mints a new one). */
  link(job: Job): SignedLink | undefined {
    const file = job.files[0];
    return file ? this.#options.signer.sign(file.key, file.fileName) : undefined;
  }

  /** The worker side: streams the query into a CSV in the file store, then records the file. */
  handler() {
    return async (job: Job, context: { readonly workerId: string; readonly signal: AbortSignal }): Promise<void> => {
      const stored = job.request as StoredExport;
      const plan = planUsageQuery(toSpec(stored), catalogFor('tokenflex'));
      const compiled = compileUsageQuery(plan, this.#options.dialect);
      const key = `exports/tokenflex/${job.id.split('#')[1] ?? randomUUID()}.csv`;
      const names = compiled.columns.map((c) => c.name);
      // Free text only is neutralised against formula injection; typed values (`-05:00`) stay as they are.
      const text = plan.fields.filter((field) => field.freeText).map((field) => field.name);
      const mask = await personalDataMask(this.#options.store, names);
      // The database writes the file itself (COPY), unless personal values are to be hashed: then
      // the rows pass through the mask and the same CSV writer as the Insights exports.
      const file = mask
        ? await this.#options.files.write(key, (out) => writeCsv(
          maskRows(this.#options.store.streamRows(compiled, context.signal), mask),
          names.map((name) => ({ name, header: name, type: 'string', freeText: text.includes(name) })), out))
        : await this.#options.files.writeFromPath(key, async (target) => ({
          rowCount: await this.#options.store.copyCsv(compiled, names, text, target, context.signal),
        }));
      const record: JobFile = { type: 'TOKENFLEX_EXPORT', key: file.key, fileName: stored.downloadFileName, byteSize: file.byteSize, sha256: file.sha256, rowCount: file.rowCount };
      try {
        await this.#options.store.completeExportJob(job.id, context.workerId, [record], EXPORT_RETENTION_MS);
      } catch (error) {
        // The job is no longer ours (canceled, swept): its file must not outlive it.
        await this.#options.files.delete(file.key);
        throw error;
      }
    };
  }
}
