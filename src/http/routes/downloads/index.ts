import type { FastifyPluginAsync } from 'fastify';
import { problemResponse, problemSchema } from '../../schemas.js';
import { isValidFileKey, type FileStore, type UrlSigner } from '../../../exports/index.js';
import { AppError } from '../../../errors.js';

export interface DownloadOptions {
  readonly files: FileStore;
  readonly signer: UrlSigner;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7E]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** One `bytes=` range of RFC 9110 §14.1.2 against a size; undefined for none or several. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

const DENIED = 'This download link is not valid or has expired. Ask the API for a fresh one.';

/**
 * `GET /downloads/<key>?expires&name&sig`: files behind signed, expiring links. No bearer token:
 * the signature is the permission. Every refusal is the same 403, so a probe learns nothing about
 * which files exist.
 */
export const downloadRoutes: FastifyPluginAsync<DownloadOptions> = async (app, options) => {
  // Errors render as problem+json through the root context's handler (no prefix of our own).
  app.get<{ Params: { '*': string }; Querystring: { expires?: string; name?: string; sig?: string } }>('/downloads/*', {
    schema: {
      tags: ['downloads'],
      summary: 'Download an export file through a signed, expiring link (supports Range).',
      querystring: {
        type: 'object',
        properties: { expires: { type: 'string', maxLength: 20 }, name: { type: 'string', maxLength: 300 }, sig: { type: 'string', maxLength: 100 } },
      },
      response: {
        200: { description: 'The file.', type: 'string' },
        206: { description: 'The requested byte range.', type: 'string' },
        400: problemResponse(problemSchema, 'A malformed request (e.g. a query parameter too long).'),
        403: problemResponse(problemSchema, 'The link is not valid, has expired, or its file is gone (one answer for all, so a link reveals nothing).'),
        416: { description: 'The Range cannot be satisfied: an empty body, with Content-Range: bytes */size.', type: 'null' },
      },
    },
  }, async (request, reply) => {
    const key = request.params['*'];
    const { expires = '', name = '', sig = '' } = request.query;
    if (!isValidFileKey(key) || !options.signer.verify(key, expires, name, sig)) throw new AppError('ACCESS_DENIED', DENIED);
    const size = await options.files.size(key);
    if (size === undefined) throw new AppError('ACCESS_DENIED', DENIED);
    const extension = key.slice(key.lastIndexOf('.') + 1);
    reply
      .header('content-type', CONTENT_TYPES[extension] ?? 'application/octet-stream')
      .header('content-disposition', contentDisposition(name))
      .header('accept-ranges', 'bytes')
      .header('cache-control', 'private, no-store');
    const range = parseRange(request.headers.range, size);
    if (range === 'unsatisfiable') {
      return reply.code(416).header('content-range', `bytes */${size}`).send();
    }
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', String(range.end - range.start + 1));
      return reply.send(options.files.read(key, range));
    }
    reply.header('content-length', String(size));
    return reply.send(options.files.read(key));
  });
};
