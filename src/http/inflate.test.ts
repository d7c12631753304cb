import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { AppError } from '../errors.js';
import { inflateBounded } from './inflate.js';

async function readAll(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

test('a gzip body inflates whole when within the cap', async () => {
  const body = Buffer.from('{"a":1}\n'.repeat(10_000));
  assert.equal(await readAll(inflateBounded(Readable.from([gzipSync(body)]), body.length)), body.length);
});

test('an inflated size over the cap is BODY_TOO_LARGE, however small the gzip (issue 19 item 4)', async () => {
  const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x61), { level: 9 });
  assert.ok(bomb.length < 16 * 1024, `the gzip is ${bomb.length} bytes`);
  await assert.rejects(readAll(inflateBounded(Readable.from([bomb]), 1024 * 1024)), (error: unknown) => AppError.is(error) && error.code === 'BODY_TOO_LARGE');
});

test('a body that is not gzip, or ends early, is REQUEST_INVALID', async () => {
  await assert.rejects(readAll(inflateBounded(Readable.from([Buffer.from('plain text')]), 1 << 20)), (error: unknown) => AppError.is(error) && error.code === 'REQUEST_INVALID' && /not valid gzip/.test(error.message));
  const whole = gzipSync(Buffer.from('x'.repeat(100_000)));
  await assert.rejects(readAll(inflateBounded(Readable.from([whole.subarray(0, whole.length - 8)]), 1 << 20)), /ends before its last block/);
});
