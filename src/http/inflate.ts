import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { AppError } from '../errors.js';

/**
 * A gzip body, inflated as it is read: at most `maxBytes` (BODY_TOO_LARGE, 413, beyond it, however
 * well it compresses); a body that is not gzip, or ends early, is a 400.
 */
export function inflateBounded(body: Readable, maxBytes: number): Readable {
  const inflated = new PassThrough();
  let size = 0;
  const bounded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(new AppError('BODY_TOO_LARGE', `The inflated body is larger than ${maxBytes} bytes (README "Limits"); send the batch in parts.`));
      } else done(null, chunk);
    },
  });
  // `inflated` stays outside the pipeline, which would fail it with zlib's own error first.
  bounded.pipe(inflated);
  inflated.on('close', () => bounded.destroy());
  // The reader may start after the body has already failed; it then gets the error on its first read.
  inflated.on('error', () => undefined);
  pipeline(body, createGunzip(), bounded).catch((error: unknown) => inflated.destroy(asGzipError(error)));
  return inflated;
}

/** zlib's errors (codes `Z_…`) as the 400 they are; others (a client hanging up) unchanged. */
function asGzipError(error: unknown): Error {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !code.startsWith('Z_')) return error as Error;
  const why = code === 'Z_BUF_ERROR' ? 'it ends before its last block' : String(message);
  return new AppError('REQUEST_INVALID', `The body is not valid gzip (Content-Encoding: gzip): ${why}.`, {
    errors: [{ path: 'body', message: 'is not valid gzip' }],
  });
}
