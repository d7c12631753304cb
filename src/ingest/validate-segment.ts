import { stagedLine } from './staged-line.js';
import { isProblem, visitNdjsonSegment, type NdjsonSegment } from './ndjson-segments.js';
import type { RecordValidator, RowProblem } from './validate-record.js';

const encoder = new TextEncoder();
const NOTHING = new Uint8Array(0);

/** At most this many problems travel in the error; `errorCount` counts them all. */
export const MAX_LISTED_PROBLEMS = 100;

/** What validating a segment of a batch found: its records as staging text, or its problems. */
export interface SegmentResult {
  /** Lines that held a row (or a problem). */
  readonly rows: number;
  /**
   * The good records as staged lines (staged-line.ts) in UTF-8, when asked for
   * and the segment had no problem: bytes in a buffer of their own, which a worker hands over
   * without a copy, and the store writes to its chunk file as they are.
   */
  readonly staged: Uint8Array<ArrayBuffer>;
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
  const problems: RowProblem[] = [];
  let problemCount = 0;
  let problemLines = 0;
  const note = (found: readonly RowProblem[]): void => {
    problemCount += found.length;
    problemLines++;
    for (const problem of found) if (problems.length < MAX_LISTED_PROBLEMS) problems.push(problem);
  };
  let rows = 0;
  let records = 0;
  const staged = new StagedBytes(segment.bytes.length);
  visitNdjsonSegment(segment, (item) => {
    rows++;
    if (isProblem(item)) {
      note([item]);
      return;
    }
    const result = validator.validate(item);
    if (!result.ok) note(result.problems);
    else if (stage && problemCount === 0) {
      staged.writeLine(stagedLine(result.record, result.content));
      records++;
    }
  });
  // A segment with a problem stages nothing, even the records before it.
  const bad = problemCount > 0;
  return { rows, staged: bad ? NOTHING : staged.bytes(), records: bad ? 0 : records, problems, problemCount, problemLines };
}

/**
 * Staged lines written as UTF-8 as they come, into one growing buffer, a few dozen at a time (not
 * one encode call per line): each line's text is garbage soon, where a text of the whole segment
 * kept every line alive to its end.
 */
class StagedBytes {
  /** Made at the first write: a segment that stages nothing (a bad batch) allocates nothing. */
  #buffer: Uint8Array<ArrayBuffer> | undefined;
  #length = 0;
  #text = '';

  constructor(private readonly expectedBytes: number) {}

  writeLine(line: string): void {
    this.#text += `${line}\n`;
    if (this.#text.length >= TEXT_PER_WRITE) this.#write();
  }

  #write(): void {
    const text = this.#text;
    if (text === '') return;
    this.#text = '';
    // A UTF-16 unit is at most 3 bytes of UTF-8.
    const needed = this.#length + text.length * 3;
    let buffer = this.#buffer ?? new Uint8Array(Math.max(needed, Math.ceil(this.expectedBytes * 1.25)));
    if (needed > buffer.length) {
      const grown = new Uint8Array(Math.max(needed, buffer.length * 2));
      grown.set(buffer.subarray(0, this.#length));
      buffer = grown;
    }
    this.#buffer = buffer;
    this.#length += encoder.encodeInto(text, buffer.subarray(this.#length)).written;
  }

  /** The lines written: a view of the buffer, which is the caller's now (a worker transfers it). */
  bytes(): Uint8Array<ArrayBuffer> {
    this.#write();
    return this.#buffer && this.#length > 0 ? this.#buffer.subarray(0, this.#length) : NOTHING;
  }
}

/** Characters of staged lines encoded at a time. */
const TEXT_PER_WRITE = 16_384;
