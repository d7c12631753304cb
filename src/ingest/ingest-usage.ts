import { AppError } from '../errors.js';
import type { StagedUsageChunk, Store, UsageIngestSummary, UsageRecordInput } from '../store/index.js';
import { applyStagedBatch, ingestRecords } from './apply-batch.js';
import { isProblem, readRows, type UsageBody, type UsageFormat } from './read-rows.js';
import { RecordValidator, type RowProblem } from './validate-record.js';
import { MAX_LISTED_PROBLEMS, type SegmentResult } from './validate-segment.js';
import { DEFAULT_VALIDATION_WORKERS, validateNdjson } from './validation-pool.js';

export interface IngestUsageOptions {
  readonly format: UsageFormat;
  /** Validate, and count what would be inserted; write nothing. */
  readonly dryRun: boolean;
  /** The contract of rows that name none. */
  readonly defaultContractNumber?: string;
  /** Called after each chunk of the body with the rows read so far. */
  readonly onProgress?: (rows: number) => void;
  /** Worker threads validating an NDJSON batch (default: up to 4, one per core; 0: none). */
  readonly validationWorkers?: number;
}
/** Records handed to the store at a time. */
export const CHUNK_RECORDS = 2048;

/**
 * Reads a usage batch (NDJSON or CSV) from `body` to its end, validates every row, and has the
 * store apply it as one transaction (spec §6). Any bad row rejects the whole batch with
 * USAGE_BATCH_INVALID listing `{line, field, message}` (the first 100); then nothing is written.
 * The body is parsed as it arrives and handed on in chunks, never held whole.
 */
export async function ingestUsage(
  store: Store, body: UsageBody, options: IngestUsageOptions,
): Promise<UsageIngestSummary> {
  const references = await store.loadUsageReferences();
  const defaults = options.defaultContractNumber ? { contractNumber: options.defaultContractNumber } : {};
  const problems = new BatchProblems();
  const storeOptions = { dryRun: options.dryRun };
  // NDJSON: parsed, checked and written as staged lines in worker threads, a segment of lines at
  // a time (validation-pool.ts); CSV a record at a time here.
  if (options.format === 'ndjson') {
    let rows = 0;
    const chunks = async function* (): AsyncIterable<StagedUsageChunk> {
      const results = validateNdjson(body, {
        references, defaults, workers: options.validationWorkers ?? DEFAULT_VALIDATION_WORKERS, stage: () => problems.count === 0,
      });
      for await (const result of results) {
        rows += result.rows;
        problems.addSegment(result);
        if (problems.count === 0 && result.records > 0) yield { bytes: result.staged, records: result.records };
        options.onProgress?.(rows);
      }
      problems.throwIfAny();
    };
    return applyStagedBatch(store, chunks(), storeOptions);
  }
  const validator = new RecordValidator(references, defaults);
  let rows = 0;
  const records = recordChunks(readRows(body, options.format), problems, {
    check: (item) => {
      rows++;
      if (isProblem(item)) {
        problems.add([item]);
        return undefined;
      }
      const result = validator.validate(item);
      if (!result.ok) problems.add(result.problems);
      return result.ok ? result.record : undefined;
    },
    progress: () => options.onProgress?.(rows),
  });
  return ingestRecords(store, records, storeOptions);
}

/**
 * The records `check` keeps from each batch of `items` (it adds the problems it finds to `problems`),
 * handed on CHUNK_RECORDS at a time. After the first problem nothing more is staged; the rest is only
 * checked, to list its problems. `progress` is called after each batch, `beforeEnd` after the last,
 * before a batch with problems is refused (USAGE_BATCH_INVALID) and the last chunk handed on.
 */
export async function* recordChunks<T>(
  batches: AsyncIterable<readonly T[]>, problems: BatchProblems,
  handlers: { readonly check: (item: T) => UsageRecordInput | undefined; readonly progress?: () => void; readonly beforeEnd?: () => void },
): AsyncIterable<readonly UsageRecordInput[]> {
  let chunk: UsageRecordInput[] = [];
  for await (const items of batches) {
    for (const item of items) {
      const record = handlers.check(item);
      if (record !== undefined && problems.count === 0) chunk.push(record);
    }
    if (problems.count > 0) chunk = [];
    else if (chunk.length >= CHUNK_RECORDS) {
      yield chunk;
      chunk = [];
    }
    handlers.progress?.();
  }
  handlers.beforeEnd?.();
  problems.throwIfAny();
  if (chunk.length > 0) yield chunk;
}

/**
 * The problems of a batch, in line order: the first 100 kept, all counted. A batch of several
 * files (a source's, src/ingest/ingest-sources.ts) names the file of each problem.
 */
export class BatchProblems {
  private readonly listed: (RowProblem & { readonly file?: string })[] = [];
  private readonly lines = new Set<number | string>();
  /** Lines with problems of the segments added whole (`addSegment`). */
  private segmentLines = 0;
  private total = 0;

  get count(): number {
    return this.total;
  }

  add(problems: readonly (RowProblem & { readonly file?: string })[]): void {
    for (const problem of problems) {
      this.total++;
      this.lines.add(problem.file === undefined ? problem.line : `${problem.file}\u0000${problem.line}`);
      if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(Object.freeze({ ...problem }));
    }
  }

  /** The problems of a segment validated apart: its lines are none of the others'. */
  addSegment(result: SegmentResult): void {
    this.total += result.problemCount;
    this.segmentLines += result.problemLines;
    for (const problem of result.problems) if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(Object.freeze({ ...problem }));
  }

  throwIfAny(): void {
    if (this.total === 0) return;
    const first = this.listed[0] as RowProblem & { readonly file?: string };
    const lines = this.lines.size + this.segmentLines;
    throw new AppError('USAGE_BATCH_INVALID',
      `The batch has ${this.total} problem${this.total === 1 ? '' : 's'} on ${lines} line${lines === 1 ? '' : 's'}; nothing was written. ` +
      `First: ${first.file === undefined ? '' : `${first.file}, `}line ${first.line}${first.field ? `, ${first.field}` : ''}: ${first.message}.`,
      { extra: Object.freeze({ errors: Object.freeze([...this.listed]), errorCount: this.total, invalidLines: lines }) });
  }
}
