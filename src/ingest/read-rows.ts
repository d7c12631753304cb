import { Readable } from 'node:stream';
import { CsvError, parse as parseCsv } from 'csv-parse';
import { CsvBoundsError, guardCsv } from './csv-guard.js';
import { INPUT_COLUMNS_BY_NAME } from './record-format.js';
import { isProblem, ndjsonSegments, readNdjsonSegment, type ReadItem, type UsageBody } from './ndjson-segments.js';
import { describeUnknownColumn, type RowProblem } from './validate-record.js';

/** The two body formats, named as the CLI's `--format` names them. */
export type UsageFormat = 'ndjson' | 'csv';

export { isProblem, type ReadItem, type UsageBody } from './ndjson-segments.js';

/**
 * Reads a body as rows, incrementally: a chunk of the body is parsed before the next one is read,
 * so memory stays flat whatever its size. Yields one array per chunk (a promise per row would cost
 * more than parsing it).
 */
export function readRows(body: UsageBody, format: UsageFormat): AsyncIterable<readonly ReadItem[]> {
  return format === 'csv' ? readCsvRows(body) : readNdjsonRows(body);
}

/** NDJSON: one JSON object per line; blank lines are skipped; lines count from 1. */
async function* readNdjsonRows(body: UsageBody): AsyncIterable<readonly ReadItem[]> {
  for await (const piece of ndjsonSegments(body)) {
    const items = isProblem(piece) ? [piece] : readNdjsonSegment(piece);
    if (items.length > 0) yield items;
  }
}

/**
 * CSV (RFC 4180, csv-parse): a header row naming the columns, then one record per row. A row's
 * line is the one it starts on (a quoted cell may span lines). The bytes pass csv-guard.ts first:
 * a record is bounded in bytes and cells, and every line must be UTF-8.
 */
async function* readCsvRows(body: UsageBody): AsyncIterable<readonly ReadItem[]> {
  const parser = parseCsv({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true });
  const source = Readable.from(guardCsv(body));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let header: readonly string[] | undefined;
  // csv-parse counts a CRLF inside a quoted cell as two lines; `extraLines` undoes that.
  let extraLines = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      let newlines = 0;
      for (const cell of record) {
        newlines += countOccurrences(cell, '\n');
        extraLines += countOccurrences(cell, '\r\n');
      }
      const line = info.lines - extraLines - newlines;
      if (!header) {
        const problems = checkHeader(record, line);
        if (problems.length > 0) {
          yield problems;
          return;
        }
        header = record;
        continue;
      }
      if (record.length !== header.length) {
        yield [{ line, field: '', message: `the row has ${record.length} cells, the header ${header.length}` }];
        continue;
      }
      const values: Record<string, string> = {};
      for (let k = 0; k < header.length; k++) values[header[k] as string] = record[k] as string;
      yield [{ line, values, fromCsv: true }];
    }
  } catch (error) {
    // Every parser error (CSV_… and INVALID_OPENING_QUOTE alike) and every bound is a problem of its line.
    if (error instanceof CsvBoundsError) {
      yield [{ line: error.line, field: '', message: error.message }];
      return;
    }
    if (!(error instanceof CsvError)) throw error;
    const lines = (error as CsvError & { lines?: number }).lines;
    yield [{ line: Math.max(1, (lines ?? 1) - extraLines), field: '', message: `not valid CSV: ${error.message}` }];
    return;
  } finally {
    source.destroy();
  }
  if (!header) yield [{ line: 1, field: '', message: 'the body is empty: a CSV body starts with a header row naming the columns' }];
}

function countOccurrences(text: string, what: string): number {
  let n = 0;
  for (let at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length)) n++;
  return n;
}

function checkHeader(names: readonly string[], line: number): RowProblem[] {
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (!INPUT_COLUMNS_BY_NAME.has(name)) problems.push({ line, field: name, message: describeUnknownColumn(name) });
    else if (seen.has(name)) problems.push({ line, field: name, message: 'the header names this column twice' });
    seen.add(name);
  }
  return problems;
}
