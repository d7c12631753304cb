import { pipeline } from 'node:stream/promises';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.js';
import { MAX_INFLATED_BODY_BYTES } from '../../../limits.js';
import { ingestUsage, type UsageFormat } from '../../../ingest/index.js';
import type { Store } from '../../../store/index.js';
import type { IngestObserver } from '../../control-usage-import.js';
import { ingestUsageRoute, USAGE_MEDIA_TYPES } from './usage-schemas.js';

/**
 * `POST /admin/v1/usage` (spec §6): usage records in, as NDJSON or CSV. An encapsulated plugin of
 * its own, inside the admin context (so its auth hooks apply), because it replaces the body
 * parsers: the handler gets the request stream itself and reads it as it arrives. Fastify's
 * bodyLimit (1 MiB, src/http/app.ts) applies only to bodies Fastify reads, so a batch may be of
 * any size, and memory stays flat.
 */
export const adminUsageRoutes: FastifyPluginAsync<{ readonly store: Store; readonly observeIngest?: IngestObserver }> = async (app, options) => {
  const observe: IngestObserver = options.observeIngest ?? ((batch) => batch);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...USAGE_MEDIA_TYPES], (_request, payload, done) => done(null, payload));
  app.addContentTypeParser('*', (request, _payload, done) => {
    const error = new Error(`A usage batch is sent as ${USAGE_MEDIA_TYPES.join(' or ')}, not ${request.headers['content-type'] ?? 'without a Content-Type'}.`);
    done(Object.assign(error, { statusCode: 415 }), undefined);
  });

  app.post<{ Querystring: { dryRun: boolean; contract?: string } }>('/usage', { schema: ingestUsageRoute }, async (request) =>
    observe(ingestUsage(options.store, bodyOf(request), {
      format: formatOf(request), dryRun: request.query.dryRun,
      ...(request.query.contract ? { defaultContractNumber: request.query.contract } : {}),
    })));
};

function formatOf(request: FastifyRequest): UsageFormat {
  // Only the two registered parsers let a request this far, so the type is one of them.
  return String(request.headers['content-type']).toLowerCase().startsWith('text/csv') ? 'csv' : 'ndjson';
}

/**
 * The body as it arrives, inflated when sent with `Content-Encoding: gzip`: at most
 * MAX_INFLATED_BODY_BYTES (413 beyond, however well it compresses); a body that is not gzip, or
 * ends early, is a 400.
 */
function bodyOf(request: FastifyRequest): Readable {
  const body = request.body as Readable;
  if (String(request.headers['content-encoding'] ?? '').toLowerCase() !== 'gzip') return body;
  const inflated = new PassThrough();
  let size = 0;
  const bounded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > MAX_INFLATED_BODY_BYTES) {
        done(new AppError('BODY_TOO_LARGE', `The inflated body is larger than ${MAX_INFLATED_BODY_BYTES / 1024 / 1024} MiB; send the batch in parts.`));
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
