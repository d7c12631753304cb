import type { RawRow, RowProblem } from './validate-record.js';

/** A body as it arrives: chunks of bytes or text (a request stream, a file stream, an array in tests). */
export type UsageBody = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** What a reader yields: rows, and problems that belong to a line rather than a column value. */
export type ReadItem = RawRow | RowProblem;

/** Longer lines are refused rather than held: a record is a few hundred bytes. */
export const MAX_LINE_CHARS = 1 << 20;

/** Whole lines of an NDJSON body: `text` holds lines `firstLine`… joined by newlines (no last one). */
export interface NdjsonSegment {
  readonly firstLine: number;
  readonly text: string;
}

/** Segments are cut at the first line end after this many characters (about 2,500 records). */
const SEGMENT_CHARS = 1 << 20;

export function isProblem(item: ReadItem | NdjsonSegment): item is RowProblem {
  return 'message' in item;
}

/**
 * Cuts an NDJSON body into segments of whole lines, in order, reading a chunk of the body at a
 * time, so a segment can be parsed apart from the others (by a worker thread). A UTF-8 byte order
 * mark is dropped; lines count from 1; a line longer than MAX_LINE_CHARS is reported as a problem
 * in its place (between the segments around it) and skipped without being held.
 */
export async function* ndjsonSegments(body: UsageBody): AsyncIterable<NdjsonSegment | RowProblem> {
  const decoder = new TextDecoder('utf-8');
  /** Lines before `pending` (complete lines already yielded or skipped). */
  let line = 0;
  /** Whole lines not yet yielded, joined by newlines, and how many. */
  let pending = '';
  let pendingLines = 0;
  let rest = '';
  let skipping = false;
  let first = true;
  function* flush(): Iterable<NdjsonSegment> {
    if (pendingLines === 0) return;
    yield { firstLine: line + 1, text: pending };
    line += pendingLines;
    pending = '';
    pendingLines = 0;
  }
  for await (const chunk of body) {
    let text = rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    rest = '';
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    if (skipping) {
      const newline = text.indexOf('\n');
      if (newline < 0) continue; // still inside the long line: drop it
      line++;
      skipping = false;
      start = newline + 1;
    }
    const last = text.lastIndexOf('\n');
    if (last >= start) {
      const lines = text.slice(start, last);
      pending = pendingLines === 0 ? lines : `${pending}\n${lines}`;
      pendingLines += countNewlines(lines) + 1;
      start = last + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_LINE_CHARS) {
      yield* flush();
      yield { line: line + 1, field: '', message: `the line is longer than ${MAX_LINE_CHARS} characters` };
      skipping = true;
      rest = '';
    } else if (pending.length >= SEGMENT_CHARS) {
      yield* flush();
    }
  }
  rest += decoder.decode();
  if (!skipping && rest.length > 0) {
    pending = pendingLines === 0 ? rest : `${pending}\n${rest}`;
    pendingLines++;
  }
  yield* flush();
}

function countNewlines(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) n++;
  return n;
}

/** The rows of a segment, and the problems of lines that are not one JSON object each. */
export function readNdjsonSegment(segment: NdjsonSegment): ReadItem[] {
  const items: ReadItem[] = [];
  let line = segment.firstLine;
  let start = 0;
  const { text } = segment;
  for (;;) {
    const newline = text.indexOf('\n', start);
    readNdjsonLine(newline < 0 ? text.slice(start) : text.slice(start, newline), line, items);
    if (newline < 0) return items;
    start = newline + 1;
    line++;
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
