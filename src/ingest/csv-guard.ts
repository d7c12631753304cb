import { isUtf8 } from 'node:buffer';
import { MAX_CSV_COLUMNS, MAX_CSV_RECORD_BYTES } from '../limits.js';
import type { UsageBody } from './ndjson-segments.js';

/** Why a CSV body was refused before it was parsed, and the line where. */
export class CsvBoundsError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
    this.name = 'CsvBoundsError';
  }
}

export interface CsvBounds {
  readonly maxRecordBytes: number;
  readonly maxColumns: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;

/**
 * Passes a CSV body's bytes through unchanged while holding each record to the bounds (bytes and
 * cells: a parser would otherwise build a 52-million-cell row in memory before anyone could count
 * it) and each line to strict UTF-8. Throws CsvBoundsError naming the line at the first breach.
 * Quotes are tracked the RFC 4180 way (`""` inside a quoted cell toggles twice), so a line break
 * or comma inside quotes belongs to its cell.
 */
export async function* guardCsv(body: UsageBody, bounds: CsvBounds = { maxRecordBytes: MAX_CSV_RECORD_BYTES, maxColumns: MAX_CSV_COLUMNS }): AsyncIterable<Uint8Array> {
  const scanner = new RecordScanner(bounds);
  /** The bytes after the last line end seen (a line not yet checked as UTF-8), and its line number. */
  let carry: Buffer = Buffer.alloc(0);
  let carryLine = 1;
  for await (const piece of body) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    scanner.scan(chunk);
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const lastLf = data.lastIndexOf(LF);
    if (lastLf >= 0) {
      checkUtf8(data.subarray(0, lastLf + 1), carryLine);
      carry = Buffer.from(data.subarray(lastLf + 1));
      carryLine = scanner.line;
    } else {
      carry = Buffer.from(data);
    }
    yield chunk;
  }
  checkUtf8(carry, carryLine);
}

/** The record state across chunks (a plain loop in a class method: V8 optimises it, a generator's it did not). */
class RecordScanner {
  inQuotes = false;
  cells = 1;
  /** Bytes of the current record before the chunk being scanned. */
  recordBytes = 0;
  /** Physical line being read (1-based), and the one the current record started on. */
  line = 1;
  recordLine = 1;

  constructor(private readonly bounds: CsvBounds) {}

  scan(chunk: Uint8Array): void {
    const { maxColumns, maxRecordBytes } = this.bounds;
    let { inQuotes, cells, line, recordLine } = this;
    /** Where the current record starts, relative to this chunk (negative: in an earlier one). */
    let recordStart = -this.recordBytes;
    const length = chunk.length;
    for (let i = 0; i < length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === COMMA) {
        if (!inQuotes && ++cells > maxColumns) throw new CsvBoundsError(recordLine, `the row has more than ${maxColumns} cells`);
      } else if (byte === LF) {
        line++;
        if (!inQuotes) {
          if (i - recordStart > maxRecordBytes) throw new CsvBoundsError(recordLine, `the row is longer than ${maxRecordBytes} bytes`);
          cells = 1;
          recordStart = i + 1;
          recordLine = line;
        }
      }
    }
    if (length - recordStart > maxRecordBytes) throw new CsvBoundsError(recordLine, `the row is longer than ${maxRecordBytes} bytes`);
    this.inQuotes = inQuotes;
    this.cells = cells;
    this.line = line;
    this.recordLine = recordLine;
    this.recordBytes = length - recordStart;
  }
}

/** Throws naming the first line of `bytes` (whole lines, the first numbered `firstLine`) that is not UTF-8. */
function checkUtf8(bytes: Buffer, firstLine: number): void {
  if (isUtf8(bytes)) return;
  let start = 0;
  for (let line = firstLine; start <= bytes.length; line++) {
    const end = bytes.indexOf(LF, start);
    const stop = end < 0 ? bytes.length : end;
    if (!isUtf8(bytes.subarray(start, stop))) throw new CsvBoundsError(line, 'the line is not valid UTF-8 text');
    start = stop + 1;
  }
}
