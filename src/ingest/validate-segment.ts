// Not through store/index.ts: that loads the backends (DuckDB's native addon, pg) into every
// validation worker, for a function that needs none of them.
// eslint-disable-next-line no-restricted-imports
import { stagedLine } from '../store/duckdb/staged-line.js';
import { isProblem, readNdjsonSegment, type NdjsonSegment } from './ndjson-segments.js';
import type { RecordValidator, RowProblem } from './validate-record.js';

/** At most this many problems travel in the error; `errorCount` counts them all. */
export const MAX_LISTED_PROBLEMS = 100;

/** What validating a segment of a batch found: its records as staging text, or its problems. */
export interface SegmentResult {
  /** Lines that held a row (or a problem). */
  readonly rows: number;
  /** The good records as staged lines (src/store/duckdb/staged-line.ts), when asked for and the segment had no problem. */
  readonly text: string;
  readonly records: number;
  /** The first MAX_LISTED_PROBLEMS problems, in line order. */
  readonly problems: readonly RowProblem[];
  readonly problemCount: number;
  /** Lines with at least one problem. */
  readonly problemLines: number;
}

/**
 * Parses and validates a segment of an NDJSON batch, as the main thread does a record at a time
 * (ingest-usage.ts), and writes its records as staging text when `stage` is set and it has no
 * problem. Pure, so it runs alike in the main thread and in a validation worker.
 */
export function validateSegment(segment: NdjsonSegment, validator: RecordValidator, stage: boolean): SegmentResult {
  const items = readNdjsonSegment(segment);
  const problems: RowProblem[] = [];
  let problemCount = 0;
  let problemLines = 0;
  const note = (found: readonly RowProblem[]): void => {
    problemCount += found.length;
    problemLines++;
    for (const problem of found) if (problems.length < MAX_LISTED_PROBLEMS) problems.push(problem);
  };
  let text = '';
  let records = 0;
  for (const item of items) {
    if (isProblem(item)) {
      note([item]);
      continue;
    }
    const result = validator.validate(item);
    if (!result.ok) note(result.problems);
    else if (stage && problemCount === 0) {
      text += `${stagedLine(result.record)}\n`;
      records++;
    }
  }
  // A segment with a problem stages nothing, even the records before it.
  const bad = problemCount > 0;
  return { rows: items.length, text: bad ? '' : text, records: bad ? 0 : records, problems, problemCount, problemLines };
}
