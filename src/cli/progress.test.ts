import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startProgress } from './progress.js';

/** A stand-in for stderr that records what is written. */
function recorder(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (chunk: string) => writes.push(chunk) > 0 };
}

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => { now += ms; } };
}

test('off a terminal, nothing is written while waiting, then one summary line', () => {
  const stream = recorder(false);
  const time = clock();
  const progress = startProgress('export', stream, time.now);
  progress.update('Requested');
  time.advance(1_234);
  progress.update('Requested');
  progress.finish('Download', '12 rows in 1 file');
  progress.abort();
  assert.deepEqual(stream.writes, ['export Download in 1.2 s: 12 rows in 1 file\n']);
});

test('off a terminal, a failure writes nothing (the caller prints the error)', () => {
  const stream = recorder(false);
  const progress = startProgress('query', stream);
  progress.update('RUNNING');
  progress.abort();
  assert.deepEqual(stream.writes, []);
});

test('on a terminal, one line is redrawn in place with status and elapsed time, then replaced by the summary', async () => {
  const stream = recorder(true);
  const time = clock();
  const progress = startProgress('export', stream, time.now);
  progress.update('SUBMITTED');
  time.advance(2_500);
  await new Promise((resolve) => setTimeout(resolve, 130));
  progress.finish('COMPLETED');
  // Every redraw starts with a carriage return and "erase line", then a spinner frame.
  const CLEAR = '\r\u001B[2K';
  const redraws = stream.writes.slice(0, -2);
  assert.ok(redraws.length >= 2 && redraws.every((w) => w.startsWith(CLEAR) && !w.includes('\n')), JSON.stringify(stream.writes));
  assert.match(redraws[0]!.slice(CLEAR.length), /^. export starting 0\.0 s$/);
  assert.match(redraws.at(-1)!.slice(CLEAR.length), /^. export SUBMITTED 2\.5 s$/);
  assert.deepEqual(stream.writes.slice(-2), [CLEAR, 'export COMPLETED in 2.5 s\n']);
});
