import { CsvBoundsError, guardCsv, type CsvBounds } from '../csv-guard.js';
import type { UsageBody } from '../ndjson-segments.js';
import type { SourceProblem } from './source-items.js';

/** One CSV record: its cells, and the line it starts on (a quoted cell may span lines). */
export interface CsvRecord {
  readonly line: number;
  readonly cells: readonly string[];
}

/**
 * Reads an RFC 4180 CSV body (comma-separated, `"` quotes, `""` for a quote inside a quoted cell,
 * CRLF or LF line ends, line breaks inside quoted cells) as records, a chunk of the body at a time.
 * Empty lines are skipped and a byte order mark dropped. Malformed CSV (an unclosed quote, text
 * after a closing quote, a quote inside an unquoted cell) ends the reading with a problem at its
 * line: what follows cannot be cut into cells with any confidence.
 *
 * The bytes pass the edge's CSV guard first (src/ingest/csv-guard.ts, README "Limits"), as a usage
 * batch's CSV does: a record is bounded in bytes and cells as they arrive, and every line must be
 * UTF-8. A breach ends the reading with a problem at the record's line.
 *
 * Written here rather than taken from csv-parse (which the NDJSON/CSV ingestion uses): on the
 * 30-cell rows of a Token Flex session export csv-parse read 30,000–50,000 rows a second on this
 * machine, and a million-row export is an ordinary file to import.
 */
export async function* readCsvRecords(
  body: UsageBody, file: string, bounds?: CsvBounds,
): AsyncIterable<readonly (CsvRecord | SourceProblem)[]> {
  const decoder = new TextDecoder('utf-8');
  const splitter = new CsvSplitter(file);
  let atStart = true;
  let out: (CsvRecord | SourceProblem)[] = [];
  const pieces = guardCsv(body, bounds)[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await pieces.next();
    } catch (error) {
      if (!(error instanceof CsvBoundsError)) throw error;
      out.push({ kind: 'problem', file, line: error.line, field: '', message: error.message });
      yield out;
      return;
    }
    if (next.done) break;
    let text = decoder.decode(next.value, { stream: true });
    if (atStart && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      atStart = false;
    }
    for (const item of splitter.push(text, false)) {
      out.push(item);
      if (out.length >= BATCH) {
        yield out;
        out = [];
      }
    }
    if (splitter.failed) {
      await pieces.return?.();
      break;
    }
  }
  if (!splitter.failed) for (const item of splitter.push(decoder.decode(), true)) out.push(item);
  if (out.length > 0) yield out;
}

/**
 * Records are handed on this many at a time, not a chunk of the body's worth (thousands): rows
 * that are done with before many more are read die young, which a whole chunk's did not (a third
 * of the reading's time went to collecting them).
 */
const BATCH = 256;

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** The state of a body being cut into records: the unread text from the start of a record. */
class CsvSplitter {
  #rest = '';
  #line = 1;
  failed = false;

  constructor(private readonly file: string) {}

  /** The records complete in the text so far (all of them when `last`), or a problem. */
  *push(chunk: string, last: boolean): Generator<CsvRecord | SourceProblem> {
    if (this.failed) return;
    const text = this.#rest === '' ? chunk : this.#rest + chunk;
    this.#rest = '';
    let at = 0;
    while (at < text.length) {
      const result = this.#record(text, at, last);
      if (result === undefined) break; // incomplete: wait for more text
      if (typeof result === 'string') {
        this.failed = true;
        yield { kind: 'problem', file: this.file, line: this.#line, field: '', message: `not valid CSV: ${result}` };
        return;
      }
      if (result.cells !== null) yield { line: this.#line, cells: result.cells };
      this.#line += result.lines;
      at = result.next;
    }
    // The guard has bounded the record in bytes before its text got here.
    this.#rest = at < text.length ? text.slice(at) : '';
  }

  /**
   * The record starting at `start`: its cells (null for an empty line), where the next begins and
   * how many lines it took; undefined when the text ends inside it (unless `last`); or why the
   * text is not CSV.
   */
  #record(text: string, start: number, last: boolean): { cells: string[] | null; next: number; lines: number } | string | undefined {
    const n = text.length;
    // An empty line.
    if (text.charCodeAt(start) === LF) return { cells: null, next: start + 1, lines: 1 };
    if (text.charCodeAt(start) === CR && text.charCodeAt(start + 1) === LF) return { cells: null, next: start + 2, lines: 1 };
    const cells: string[] = [];
    let lines = 1;
    let at = start;
    for (;;) {
      if (text.charCodeAt(at) === QUOTE) {
        // A quoted cell: up to the quote not doubled.
        let value = '';
        let from = at + 1;
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote < 0) return last ? 'a quoted cell is not closed' : undefined;
          if (quote + 1 >= n && !last) return undefined; // the next character decides
          if (text.charCodeAt(quote + 1) === QUOTE) {
            value += text.slice(from, quote + 1);
            from = quote + 2;
            continue;
          }
          value += text.slice(from, quote);
          at = quote + 1;
          break;
        }
        for (let k = value.indexOf('\n'); k >= 0; k = value.indexOf('\n', k + 1)) lines++;
        cells.push(value);
      } else {
        // An unquoted cell: up to the next comma or line end.
        let end = at;
        while (end < n) {
          const c = text.charCodeAt(end);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) return 'a quote inside a cell that does not start with one';
          end++;
        }
        if (end >= n && !last) return undefined;
        cells.push(text.slice(at, end));
        at = end;
      }
      // After a cell: a comma, a line end, or the end of the text.
      if (at >= n) {
        if (!last) return undefined;
        return { cells, next: at, lines };
      }
      const c = text.charCodeAt(at);
      if (c === COMMA) {
        at++;
        if (at >= n && !last) return undefined;
        if (at >= n) {
          cells.push('');
          return { cells, next: at, lines };
        }
        continue;
      }
      if (c === LF) return { cells, next: at + 1, lines };
      if (c === CR) {
        if (at + 1 >= n && !last) return undefined;
        if (text.charCodeAt(at + 1) === LF) return { cells, next: at + 2, lines };
        return { cells, next: at + 1, lines };
      }
      return 'text after the closing quote of a cell';
    }
  }
}
