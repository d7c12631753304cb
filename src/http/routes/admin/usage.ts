import type { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.js';
import { MAX_INFLATED_BODY_BYTES } from '../../../limits.js';
import {
  ingestFlexlmLog, ingestTokenflexExport, ingestUsage, type LogSource, type UsageFormat,
} from '../../../ingest/index.js';
import type { Store, UsageIngestSummary } from '../../../store/index.js';
import type { IngestObserver } from '../../control-usage-import.js';
import { inflateBounded } from '../../inflate.js';
import { typedRoutes, type SchemaType } from '../../type-provider.js';
import { ingestUsageRoute, USAGE_MEDIA_TYPES } from './usage-schemas.js';

/**
 * `POST /admin/v1/usage` (spec §6): usage records in, as NDJSON or CSV. An encapsulated plugin of
 * its own, inside the admin context (so its auth hooks apply), because it replaces the body
 * parsers: the handler gets the request stream itself and reads it as it arrives. Fastify's
 * bodyLimit (1 MiB, src/http/app.ts) applies only to bodies Fastify reads, so a batch may be of
 * any size, and memory stays flat.
 */
export const adminUsageRoutes: FastifyPluginAsync<{
  readonly store: Store; readonly observeIngest?: IngestObserver; readonly maxInflatedBodyBytes?: number;
}> = async (app, options) => {
  const observe: IngestObserver = options.observeIngest ?? ((batch) => batch);
  const maxInflated = options.maxInflatedBodyBytes ?? MAX_INFLATED_BODY_BYTES;
  /** The body as it arrives, inflated (and bounded) when sent with `Content-Encoding: gzip`. */
  const bodyOf = (request: FastifyRequest): Readable => {
    const body = request.body as Readable;
    if (String(request.headers['content-encoding'] ?? '').toLowerCase() !== 'gzip') return body;
    return inflateBounded(body, maxInflated);
  };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...USAGE_MEDIA_TYPES], (_request, payload, done) => done(null, payload));
  app.addContentTypeParser('*', (request, _payload, done) => {
    const error = new Error(`A usage batch is sent as application/x-ndjson or text/csv, not ${request.headers['content-type'] ?? 'without a Content-Type'} ` +
      '(a FlexNet debug log, with ?source=flexlm: text/plain).');
    done(Object.assign(error, { statusCode: 415 }), undefined);
  });

  // The query's type comes from the route schema (usage-schemas.ts), never restated.
  typedRoutes(app).post('/usage', { schema: ingestUsageRoute }, async (request) => {
    const query = request.query;
    if (query.source) return observe(ingestFromSource(options.store, request, query, () => bodyOf(request)));
    if (isPlainText(request)) throw mediaTypeError('A usage batch without ?source= is sent as application/x-ndjson or text/csv, not text/plain.');
    return observe(ingestUsage(options.store, bodyOf(request), {
      format: formatOf(request), dryRun: query.dryRun,
      ...(query.contract ? { defaultContractNumber: query.contract } : {}),
    }));
  });
};

type UsageQuery = SchemaType<typeof ingestUsageRoute.querystring>;

/**
 * `?source=tokenflex-export` (a Token Flex export, text/csv) or `?source=flexlm` (a FlexNet debug
 * log, text/plain): the same ingestion as `insights import --source` (docs/sources.md).
 */
function ingestFromSource(store: Store, request: FastifyRequest, query: UsageQuery, bodyOf: () => Readable): Promise<UsageIngestSummary> {
  const missing = (name: string, what: string) => new AppError('REQUEST_INVALID', `?source=${query.source} needs ?${name}= (${what}).`,
    { extra: { errors: [{ path: `querystring/${name}`, message: `is required with source ${query.source}` }] } });
  if (!query.contract) throw missing('contract', 'the contract the records go into');
  const name = query.name ?? 'body';
  if (query.source === 'tokenflex-export') {
    if (isPlainText(request)) throw mediaTypeError('A Token Flex export is sent as text/csv.');
    return ingestTokenflexExport(store, bodyOf(), { contractNumber: query.contract, file: name, dryRun: query.dryRun });
  }
  if (!query.server) throw missing('server', 'the licence server\'s name');
  if (!query.offset) throw missing('offset', 'the licence server\'s UTC offset, ±HH:MM');
  const body = bodyOf();
  let opened = false;
  const source: LogSource = {
    name,
    open: () => {
      // One upload is one source, read once (the reader reads ahead only when given several).
      if (opened) throw new Error('the uploaded log can be read only once');
      opened = true;
      return body;
    },
  };
  return ingestFlexlmLog(store, [source], {
    server: query.server, offset: query.offset, contractNumber: query.contract, dryRun: query.dryRun, ...(query.rateAs ? { rateAs: query.rateAs } : {}),
  });
}

function isPlainText(request: FastifyRequest): boolean {
  return String(request.headers['content-type']).toLowerCase().startsWith('text/plain');
}

function mediaTypeError(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 415 });
}

function formatOf(request: FastifyRequest): UsageFormat {
  // Only the two registered parsers let a request this far, so the type is one of them.
  return String(request.headers['content-type']).toLowerCase().startsWith('text/csv') ? 'csv' : 'ndjson';
}
