import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { AppError } from '../errors.js';
import { parseDateInRange } from '../limits.js';
import { maskRows, personalDataMask } from '../privacy/index.js';
import type { InsightsReportName, Job, JobFile, ReportFilters, Store } from '../store/index.js';
import type { ExportColumn, ExportRow, WriteStats } from './columns.js';
import { writeCsv, writeJson } from './csv-writer.js';
import type { FileStore } from './file-store.js';
import { headerLabel, sheetLabel, type Language } from './localisation.js';
import type { SignedLink, UrlSigner } from './signed-urls.js';
import { EXPORT_RETENTION_MS } from './tokenflex-exports.js';
import { writeXlsx } from './xlsx-writer.js';

export type OutputFormat = 'CSV' | 'EXCEL' | 'JSON';
export type ReportType = 'SUBSCRIPTIONS' | 'USERS' | 'USAGE' | 'USAGE_REPORT';

/** A `POST /insights/v1/exports` body after schema validation (spec §3.4). */
export interface InsightsExportRequest {
  readonly outputFormat: OutputFormat;
  readonly reports: readonly ReportType[];
  /** A team the caller administers; absent or `null` (seed 001's shape): every team. */
  readonly teamId?: string | null;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly usageReports?: readonly string[];
  readonly filters?: ReportFilters;
}

interface StoredInsightsExport {
  readonly outputFormat: OutputFormat;
  readonly reports: readonly ReportType[];
  readonly teamId: string | null;
  readonly teamName: string | null;
  readonly teamIds: readonly string[];
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly filters: ReportFilters | null;
  readonly language: Language;
}

/**
 * Free text of the report files, neutralised against formula injection (src/catalog/formula-cells.ts):
 * names and addresses people type. Ids, codes, statuses, dates and numbers are typed and written as they are.
 */
const FREE_TEXT_COLUMNS: ReadonlySet<string> = new Set(['teamName', 'productName', 'userName', 'fullName', 'emailAddress', 'assignedProducts', 'version']);

/** Columns of each report file, in file order (spec §3.4). */
const REPORT_COLUMNS: Readonly<Record<InsightsReportName, readonly (readonly [string, ExportColumn['type']])[]>> = {
  SUBSCRIPTIONS: [['teamId', 'string'], ['teamName', 'string'], ['subscriptionId', 'string'], ['contractNumber', 'string'], ['productName', 'string'],
    ['productLineCode', 'string'], ['offeringType', 'string'], ['term', 'string'], ['status', 'string'], ['quantity', 'integer'],
    ['assignedSeats', 'integer'], ['startDate', 'date'], ['endDate', 'date'], ['renewalDate', 'date']],
  USERS: [['teamId', 'string'], ['teamName', 'string'], ['userId', 'string'], ['userName', 'string'], ['fullName', 'string'],
    ['emailAddress', 'string'], ['userStatus', 'string'], ['assignedProducts', 'string'], ['lastUsageDate', 'date']],
  USAGE: [['usageDate', 'date'], ['teamId', 'string'], ['teamName', 'string'], ['userName', 'string'], ['emailAddress', 'string'],
    ['productName', 'string'], ['productLineCode', 'string'], ['version', 'string'], ['source', 'string'], ['tokens', 'number']],
  USAGE_REPORT_SUMMARY: [['productName', 'string'], ['productLineCode', 'string'], ['uniqueUsers', 'integer'], ['totalUniqueDays', 'integer'], ['totalTokens', 'number']],
  USAGE_REPORT_DETAIL: [['productName', 'string'], ['productLineCode', 'string'], ['userName', 'string'], ['fullName', 'string'], ['emailAddress', 'string'],
    ['assigned', 'boolean'], ['userStatus', 'string'], ['totalUniqueDays', 'integer'], ['earliestUsageDate', 'date'], ['latestUsageDate', 'date'],
    ['totalTokens', 'number']],
};

/**
 * `downloads[i].type` of each file. USAGE_REPORT's two files are told apart (issue 22): the
 * per-product summary keeps the report's name, the per-product-per-user detail adds `_DETAIL`.
 */
const DOWNLOAD_TYPES: Readonly<Record<InsightsReportName, string>> = {
  SUBSCRIPTIONS: 'SUBSCRIPTIONS',
  USERS: 'USERS',
  USAGE: 'USAGE',
  USAGE_REPORT_SUMMARY: 'USAGE_REPORT_BY_PRODUCT',
  USAGE_REPORT_DETAIL: 'USAGE_REPORT_BY_PRODUCT_DETAIL',
};

/** The files a report yields: USAGE_REPORT is a summary then a detail, each its own download. */
const REPORT_FILES: Readonly<Record<ReportType, readonly InsightsReportName[]>> = {
  SUBSCRIPTIONS: ['SUBSCRIPTIONS'],
  USERS: ['USERS'],
  USAGE: ['USAGE'],
  USAGE_REPORT: ['USAGE_REPORT_SUMMARY', 'USAGE_REPORT_DETAIL'],
};

const EXTENSIONS: Readonly<Record<OutputFormat, string>> = { CSV: 'csv', EXCEL: 'xlsx', JSON: 'json' };
const MAX_RANGE_DAYS = 365;

function dayOf(value: string, name: string): string {
  return parseDateInRange(value, `body/${name}`).toISOString().slice(0, 10);
}

/** Checks the rules of spec §3.4 a JSON schema cannot express. */
function checkRequest(request: InsightsExportRequest): { startDate: string | null; endDate: string | null } {
  const needsRange = request.reports.includes('USAGE') || request.reports.includes('USAGE_REPORT');
  if (request.filters && !request.reports.includes('USAGE_REPORT')) {
    throw new AppError('REQUEST_INVALID', '`filters` applies to the USAGE_REPORT report only.', { errors: [{ path: 'body/filters', message: 'needs USAGE_REPORT in reports' }] });
  }
  if (request.reports.includes('USAGE_REPORT') && !(request.usageReports ?? []).includes('USAGE_REPORT_BY_PRODUCT')) {
    throw new AppError('REQUEST_INVALID', 'USAGE_REPORT needs usageReports: ["USAGE_REPORT_BY_PRODUCT"].', { errors: [{ path: 'body/usageReports', message: 'is required with USAGE_REPORT' }] });
  }
  if (!needsRange) return { startDate: null, endDate: null };
  if (!request.startDate || !request.endDate) {
    throw new AppError('REQUEST_INVALID', 'USAGE and USAGE_REPORT need startDate and endDate.', {
      errors: [...(request.startDate ? [] : [{ path: 'body/startDate', message: 'is required' }]), ...(request.endDate ? [] : [{ path: 'body/endDate', message: 'is required' }])],
    });
  }
  const start = dayOf(request.startDate, 'startDate');
  const end = dayOf(request.endDate, 'endDate');
  if (end < start) throw new AppError('REQUEST_INVALID', 'endDate must not be before startDate.', { errors: [{ path: 'body/endDate', message: 'is before startDate' }] });
  if ((Date.parse(end) - Date.parse(start)) / 86_400_000 > MAX_RANGE_DAYS) {
    throw new AppError('REQUEST_INVALID', `startDate and endDate may be at most ${MAX_RANGE_DAYS} days apart.`, { errors: [{ path: 'body/endDate', message: 'is too far from startDate' }] });
  }
  return { startDate: start, endDate: end };
}

export interface InsightsExportServiceOptions {
  readonly store: Store;
  readonly files: FileStore;
  readonly signer: UrlSigner;
  readonly onQueued?: () => void;
  /** Rows per EXCEL worksheet, header included (default: Excel's limit). */
  readonly xlsxSheetRows?: number;
}

/** Insights exports (spec §3.4–3.5, seed 001): report files in CSV, EXCEL or JSON. */
export class InsightsExportService {
  readonly #options: InsightsExportServiceOptions;

  constructor(options: InsightsExportServiceOptions) {
    this.#options = options;
  }

  async submit(ownerUserId: string, scope: { readonly teamIds: readonly string[]; readonly team: { readonly id: string; readonly name: string } | null }, request: InsightsExportRequest, language: Language): Promise<Job> {
    const range = checkRequest(request);
    const stored: StoredInsightsExport = {
      outputFormat: request.outputFormat,
      reports: [...request.reports],
      teamId: scope.team?.id ?? null,
      teamName: scope.team?.name ?? null,
      teamIds: [...scope.teamIds],
      ...range,
      filters: request.filters ?? null,
      language,
    };
    const job = await this.#options.store.createJob({
      id: randomUUID(), kind: 'export', api: 'insights', ownerUserId, tenantKey: scope.team?.id ?? '*',
      request: stored, requestHash: '', maxAttempts: 3,
    });
    this.#options.onQueued?.();
    return job;
  }

  async get(ownerUserId: string, id: string): Promise<Job> {
    const job = await this.#options.store.getJob(id);
    if (!job || job.kind !== 'export' || job.api !== 'insights') throw new AppError('NOT_FOUND', `No export has the id ${id}.`);
    if (job.ownerUserId !== ownerUserId) throw new AppError('ACCESS_DENIED', 'This export belongs to another user.');
    return job;
  }

  /** The caller's exports of the last 14 days, newest first (optionally of one team). */
  async list(ownerUserId: string, teamId: string | undefined): Promise<readonly Job[]> {
    const now = Date.now();
    return this.#options.store.listJobs({
      ownerUserId, kind: 'export', api: 'insights', ...(teamId ? { tenantKey: teamId } : {}),
      from: new Date(now - EXPORT_RETENTION_MS), to: new Date(now + 60_000),
    });
  }

  /** Cancels an export in progress, or deletes a finished one with its files. */
  async cancelOrDelete(job: Job): Promise<void> {
    if (job.state === 'queued' || job.state === 'running') {
      await this.#options.store.requestCancel(job.id);
      return;
    }
    for (const file of job.files) await this.#options.files.delete(file.key);
    await this.#options.store.deleteJob(job.id);
  }

  /** Fresh signed links for every file of a completed export. */
  links(job: Job): readonly (SignedLink & { readonly file: JobFile })[] {
    return job.files.map((file) => ({ file, ...this.#options.signer.sign(file.key, file.fileName) }));
  }

  /** The worker side: writes each report file in turn; on failure none of them stays. */
  handler() {
    return async (job: Job, context: { readonly workerId: string; readonly signal: AbortSignal }): Promise<void> => {
      const stored = job.request as StoredInsightsExport;
      const extension = EXTENSIONS[stored.outputFormat];
      const written: JobFile[] = [];
      try {
        for (const report of stored.reports) {
          for (const fileReport of REPORT_FILES[report]) {
            const columns: ExportColumn[] = REPORT_COLUMNS[fileReport].map(([name, type]) => ({
              name, type, freeText: FREE_TEXT_COLUMNS.has(name), header: stored.outputFormat === 'EXCEL' ? headerLabel(name, stored.language) : name,
            }));
            const query = this.#options.store.buildReportQuery({
              report: fileReport, teamIds: stored.teamIds,
              ...(stored.startDate ? { startDate: stored.startDate } : {}), ...(stored.endDate ? { endDate: stored.endDate } : {}),
              ...(stored.filters ? { filters: stored.filters } : {}),
            });
            const mask = await personalDataMask(this.#options.store, columns.map((c) => c.name));
            const source = this.#options.store.streamRows(query, context.signal);
            const rows = (mask ? maskRows(source, mask) : source) as AsyncIterable<ExportRow>;
            const name = fileReport.toLowerCase().replace(/_/g, '-');
            const key = `exports/insights/${job.id}/${written.length + 1}-${name}.${extension}`;
            const write = (out: Writable): Promise<WriteStats> => {
              if (stored.outputFormat === 'CSV') return writeCsv(rows, columns, out);
              if (stored.outputFormat === 'JSON') return writeJson(rows, columns, out);
              return writeXlsx(rows, columns, out, {
                sheetName: sheetLabel(fileReport, stored.language),
                ...(this.#options.xlsxSheetRows ? { maxRowsPerSheet: this.#options.xlsxSheetRows - 1 } : {}),
              });
            };
            const file = await this.#options.files.write(key, write);
            written.push({
              type: DOWNLOAD_TYPES[fileReport], key: file.key, fileName: `${name}.${extension}`,
              byteSize: file.byteSize, sha256: file.sha256, rowCount: file.rowCount,
            });
          }
        }
        await this.#options.store.completeExportJob(job.id, context.workerId, written, EXPORT_RETENTION_MS);
      } catch (error) {
        // All or nothing: an export that failed halfway leaves no file that could pass for complete.
        for (const file of written) await this.#options.files.delete(file.key);
        throw error;
      }
    };
  }
}
