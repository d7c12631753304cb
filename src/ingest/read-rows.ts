import { Readable } from 'node:stream';
import { parse as parseCsv, type CsvError } from 'csv-parse';
import { INPUT_COLUMNS_BY_NAME } from './record-format.js';
import { describeUnknownColumn, type RawRow, type RowProblem } from './validate-record.js';

/** The two body formats, named as the CLI's `--format` names them. */
export type UsageFormat = 'ndjson' | 'csv';

/** A body as it arrives: chunks of bytes or text (a request stream, a file stream, an array in tests). */
export type UsageBody = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** What a reader yields: rows, and problems that belong to a line rather than a column value. */
export type ReadItem = RawRow | RowProblem;

/** Longer lines are refused rather than held: a record is a few hundred bytes. */
const MAX_LINE_CHARS = 1 << 20;

export function isProblem(item: ReadItem): item is RowProblem {
  return 'message' in item;
}

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
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  let line = 0;
  let skipping = false;
  let first = true;
  for await (const chunk of body) {
    let text = rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const items: ReadItem[] = [];
    let start = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', start)) {
      line++;
      if (skipping) skipping = false;
      else readNdjsonLine(text.slice(start, newline), line, items);
      start = newline + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_LINE_CHARS && !skipping) {
      items.push({ line: line + 1, field: '', message: `the line is longer than ${MAX_LINE_CHARS} characters` });
      skipping = true;
    }
    if (skipping) rest = '';
    if (items.length > 0) yield items;
  }
  rest += decoder.decode();
  if (!skipping && rest.length > 0) {
    const items: ReadItem[] = [];
    readNdjsonLine(rest, line + 1, items);
    if (items.length > 0) yield items;
  }
}

function readNdjsonLine(text: string, line: number, items: ReadItem[]): void {
  const content = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (content.trim() === '') return;
  let values: unknown;
  try {
    values = JSON.parse(content);
  } catch (error) {
    items.push({ line, field: '', message: `not valid JSON: ${(error as Error).message}` });
    return;
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    items.push({ line, field: '', message: 'a line must hold one JSON object' });
    return;
  }
  items.push({ line, values: values as Record<string, unknown>, fromCsv: false });
}

/**
 * CSV (RFC 4180, csv-parse): a header row naming the columns, then one record per row. A row's
 * line is the one it starts on (a quoted cell may span lines).
 */
async function* readCsvRows(body: UsageBody): AsyncIterable<readonly ReadItem[]> {
  const parser = parseCsv({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true });
  const source = Readable.from(body);
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
    const csvError = error as CsvError & { lines?: number };
    if (typeof csvError.code !== 'string' || !csvError.code.startsWith('CSV_')) throw error;
    yield [{ line: Math.max(1, (csvError.lines ?? 1) - extraLines), field: '', message: `not valid CSV: ${csvError.message}` }];
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
