import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_LINE_LENGTH, readTextLines } from './text-lines.js';

async function linesOf(chunks: readonly (string | Uint8Array)[]): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of readTextLines(chunks, 'debug.log')) {
    if ('kind' in piece) out.push(`problem ${piece.file}:${piece.line} ${piece.message}`);
    else piece.lines.forEach((text, k) => out.push(`${piece.firstLine + k} ${text}`));
  }
  return out;
}

test('lines are numbered from 1 across chunks; CRLF and LF end them; a BOM is dropped; the last needs no line end', async () => {
  assert.deepEqual(await linesOf([Buffer.from('\ufeffone\r\ntw'), 'o\n\nthr', Buffer.from('ee\r\nfour')]),
    ['1 one', '2 two', '3 ', '4 three', '5 four']);
});

test('a character cut between two byte chunks is whole again; an invalid byte becomes U+FFFD for the reader to refuse', async () => {
  const bytes = Buffer.from('jörg@PC\n');
  assert.deepEqual(await linesOf([bytes.subarray(0, 2), bytes.subarray(2)]), ['1 jörg@PC']);
  assert.deepEqual(await linesOf([Buffer.from([0x6a, 0xf6, 0x72, 0x67, 0x0a])]), ['1 j\uFFFDrg']);
});

test('a line longer than the limit is a problem in its place, wherever it is cut, and is never held whole', async () => {
  const long = 'x'.repeat(MAX_LINE_LENGTH + 1);
  const expected = ['1 a', `problem debug.log:2 the line is longer than ${MAX_LINE_LENGTH} characters`, '3 b'];
  assert.deepEqual(await linesOf([`a\n${long}\nb\n`]), expected);
  assert.deepEqual(await linesOf(['a\n', long.slice(0, 1000), long.slice(1000), '\nb\n']), expected);
  assert.deepEqual(await linesOf(['a\n', long, '\nb']), expected);
});
