import type { UsageBody } from '../ndjson-segments.js';
import type { SourceProblem } from './source-items.js';

/** Whole lines of a text body, in order: `lines[k]` is line `firstLine + k`, without its line end. */
export interface TextLines {
  readonly firstLine: number;
  readonly lines: readonly string[];
}

/** A line longer than this (in UTF-16 units) is refused rather than held: log lines are short. */
export const MAX_LINE_LENGTH = 1 << 16;

/**
 * Reads a text body as runs of whole lines, a chunk at a time, so memory holds one chunk and the
 * start of one line whatever the body's size. UTF-8 bytes are decoded leniently (an invalid byte
 * becomes U+FFFD, which the readers refuse where it matters, with its line), a byte order mark is
 * dropped, `\r\n` and `\n` both end a line, and lines count from 1. A line longer than
 * MAX_LINE_LENGTH is reported as a problem of `file` in its place and skipped without being held.
 */
export async function* readTextLines(body: UsageBody, file: string): AsyncIterable<TextLines | SourceProblem> {
  const decoder = new TextDecoder('utf-8');
  let line = 1;
  let rest = '';
  let skipping = false;
  let atStart = true;
  for await (const piece of body) {
    let text = typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
    if (atStart && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      atStart = false;
    }
    if (skipping) {
      const newline = text.indexOf('\n');
      if (newline < 0) continue;
      skipping = false;
      line++;
      text = text.slice(newline + 1);
    }
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      rest += text;
      if (rest.length > MAX_LINE_LENGTH) {
        yield tooLong(file, line);
        rest = '';
        skipping = true;
      }
      continue;
    }
    const lines = (rest + text.slice(0, last)).split('\n');
    rest = text.slice(last + 1);
    let from = 0;
    for (let k = 0; k < lines.length; k++) {
      const content = lines[k] as string;
      if (content.length > MAX_LINE_LENGTH) {
        // A long line inside the chunk: the lines before it, its problem, then the lines after it.
        if (k > from) yield { firstLine: line + from, lines: lines.slice(from, k) };
        yield tooLong(file, line + k);
        from = k + 1;
      } else if (content.charCodeAt(content.length - 1) === 13) {
        lines[k] = content.slice(0, -1);
      }
    }
    if (from === 0) yield { firstLine: line, lines };
    else if (from < lines.length) yield { firstLine: line + from, lines: lines.slice(from) };
    line += lines.length;
    if (rest.length > MAX_LINE_LENGTH) {
      yield tooLong(file, line);
      rest = '';
      skipping = true;
    }
  }
  rest += decoder.decode();
  if (rest.length > 0 && !skipping) yield { firstLine: line, lines: [rest.endsWith('\r') ? rest.slice(0, -1) : rest] };
}

function tooLong(file: string, line: number): SourceProblem {
  return { kind: 'problem', file, line, field: '', message: `the line is longer than ${MAX_LINE_LENGTH} characters` };
}
