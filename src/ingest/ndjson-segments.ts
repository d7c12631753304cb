import { isUtf8 } from 'node:buffer';
import type { RawRow, RowProblem } from './validate-record.js';

/** A body as it arrives: chunks of bytes or text (a request stream, a file stream, an array in tests). */
export type UsageBody = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** What a reader yields: rows, and problems that belong to a line rather than a column value. */
export type ReadItem = RawRow | RowProblem;

/** Longer lines are refused rather than held: a record is a few hundred bytes. */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Whole lines of an NDJSON body, as UTF-8: `bytes` holds lines `firstLine`… joined by newlines
 * (no last one). Bytes, not text, so the segment goes to a validation worker without being copied
 * (its buffer is transferred) and is decoded there rather than in the thread that reads the body.
 */
export interface NdjsonSegment {
  readonly firstLine: number;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** Segments are cut at the first line end after this many bytes (about 2,500 records). */
const SEGMENT_BYTES = 1 << 20;

const NEWLINE = 0x0a;

export function isProblem(item: ReadItem | NdjsonSegment): item is RowProblem {
  return 'message' in item;
}

/**
 * Cuts an NDJSON body into segments of whole lines, in order, reading a chunk of the body at a
 * time, so a segment can be parsed apart from the others (by a worker thread). Lines are cut at
 * their newline byte, which no other UTF-8 character contains, so a character split between two
 * chunks is whole again in its segment. A UTF-8 byte order mark is dropped; lines count from 1; a
 * line longer than MAX_LINE_BYTES is reported as a problem in its place (between the segments
 * around it) and skipped without being held.
 */
export async function* ndjsonSegments(body: UsageBody): AsyncIterable<NdjsonSegment | RowProblem> {
  /** Lines before `pending` (complete lines already yielded or skipped). */
  let line = 0;
  /** The bytes not yet yielded: whole lines, then the start of the next one (`tail` bytes of it). */
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let tail = 0;
  let skipping = false;
  /** Until the first line is yielded or skipped: it may begin with a byte order mark. */
  let atStart = true;
  /** A string chunk's last half of a surrogate pair, kept for the chunk with the other half. */
  let highSurrogate = '';

  /** Yields the whole lines pending (all of `pending` when `last`), keeping the start of the next. */
  function* flush(last: boolean): Iterable<NdjsonSegment> {
    const whole = last ? pendingBytes : pendingBytes - tail;
    if (whole === 0) return;
    const all = concatBytes(pending, pendingBytes);
    // The segment keeps the buffer (it is transferred to a worker); the next line's start is a copy.
    pending = tail > 0 && !last ? [all.slice(whole)] : [];
    pendingBytes = pending.length > 0 ? tail : 0;
    const from = atStart && all[0] === 0xef && all[1] === 0xbb && all[2] === 0xbf ? 3 : 0;
    atStart = false;
    const bytes = all.subarray(from, last && tail > 0 ? whole : whole - 1);
    const lines = countNewlines(bytes) + 1;
    yield { firstLine: line + 1, bytes };
    line += lines;
  }

  for await (const piece of body) {
    let chunk: Uint8Array;
    if (typeof piece === 'string') {
      let text = highSurrogate + piece;
      highSurrogate = '';
      const lastCode = text.charCodeAt(text.length - 1);
      if (lastCode >= 0xd800 && lastCode <= 0xdbff) {
        highSurrogate = text.slice(-1);
        text = text.slice(0, -1);
      }
      chunk = Buffer.from(text, 'utf8');
    } else if (highSurrogate !== '') {
      // Half a pair, then bytes: the half is a character of its own (U+FFFD, as a lone one in text becomes).
      chunk = concatBytes([Buffer.from(highSurrogate, 'utf8'), piece], 3 + piece.length);
      highSurrogate = '';
    } else {
      chunk = piece;
    }
    if (skipping) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) continue; // still inside the long line: drop it
      line++;
      skipping = false;
      chunk = chunk.subarray(newline + 1);
    }
    if (chunk.length === 0) continue;
    pending.push(chunk);
    pendingBytes += chunk.length;
    const newline = chunk.lastIndexOf(NEWLINE);
    tail = newline < 0 ? tail + chunk.length : chunk.length - newline - 1;
    if (tail > MAX_LINE_BYTES) {
      yield* flush(false);
      yield { line: line + 1, field: '', message: `the line is longer than ${MAX_LINE_BYTES} bytes` };
      skipping = true;
      atStart = false;
      pending = [];
      pendingBytes = 0;
      tail = 0;
    } else if (pendingBytes - tail >= SEGMENT_BYTES) {
      yield* flush(false);
    }
  }
  if (highSurrogate !== '' && !skipping) {
    const chunk = Buffer.from(highSurrogate, 'utf8');
    pending.push(chunk);
    pendingBytes += chunk.length;
    tail += chunk.length;
  }
  yield* flush(true);
}

/** The bytes of `parts` in one buffer of their own (never a slice of a shared pool). */
function concatBytes(parts: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const all = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}

function countNewlines(bytes: Uint8Array): number {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let n = 0;
  for (let at = buffer.indexOf(NEWLINE); at >= 0; at = buffer.indexOf(NEWLINE, at + 1)) n++;
  return n;
}

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The rows of a segment, and the problems of lines that are not one JSON object each. */
export function readNdjsonSegment(segment: NdjsonSegment): ReadItem[] {
  const items: ReadItem[] = [];
  visitNdjsonSegment(segment, (item) => items.push(item));
  return items;
}

/**
 * Hands each row of a segment to `visit` as soon as its line is parsed (or the line's problem):
 * a row that is done with before the next is parsed never outlives the young generation, which
 * makes garbage collection nearly free (docs/measurements.md).
 */
export function visitNdjsonSegment(segment: NdjsonSegment, visit: (item: ReadItem) => void): void {
  if (!isUtf8(segment.bytes)) {
    visitLinesStrictly(segment, visit);
    return;
  }
  let line = segment.firstLine;
  let start = 0;
  const text = decoder.decode(segment.bytes);
  for (;;) {
    const newline = text.indexOf('\n', start);
    const item = readNdjsonLine(newline < 0 ? text.slice(start) : text.slice(start, newline), line);
    if (item) visit(item);
    if (newline < 0) return;
    start = newline + 1;
    line++;
  }
}

/** A segment with bytes that are not UTF-8: line by line, each such line a problem of its own (never read with U+FFFD in it). */
function visitLinesStrictly(segment: NdjsonSegment, visit: (item: ReadItem) => void): void {
  const bytes = Buffer.from(segment.bytes.buffer, segment.bytes.byteOffset, segment.bytes.length);
  let start = 0;
  for (let line = segment.firstLine; start <= bytes.length; line++) {
    const end = bytes.indexOf(NEWLINE, start);
    const stop = end < 0 ? bytes.length : end;
    const lineBytes = bytes.subarray(start, stop);
    const item = isUtf8(lineBytes) ? readNdjsonLine(decoder.decode(lineBytes), line) : { line, field: '', message: 'the line is not valid UTF-8 text' };
    if (item) visit(item);
    start = stop + 1;
  }
}

function readNdjsonLine(text: string, line: number): ReadItem | undefined {
  const content = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (content.trim() === '') return undefined;
  let values: unknown;
  try {
    values = JSON.parse(content);
  } catch (error) {
    return { line, field: '', message: `not valid JSON: ${(error as Error).message}` };
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    return { line, field: '', message: 'a line must hold one JSON object' };
  }
  return { line, values: values as Record<string, unknown>, fromCsv: false };
}
