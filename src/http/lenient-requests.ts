import type { FastifyInstance } from 'fastify';
import { MAX_PAGE_LIMIT } from '../limits.js';

interface QuerySchema {
  readonly properties?: Readonly<Record<string, unknown>>;
}

/**
 * The query strings of the compatible APIs (Insights, Token Flex) are read as leniently as the
 * originals read them (spec §1): a parameter the route does not know, even a bare key with no value
 * (`?offset=0&limit=100&4865648`), is ignored, and a `limit` above the maximum is read as the
 * maximum (the page then reports the limit it used). The admin API stays strict: a typo there is a
 * 400 naming the parameter.
 */
export function useLenientQuery(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const known = (request.routeOptions.schema?.querystring as QuerySchema | undefined)?.properties;
    const query = request.query as Record<string, unknown> | null;
    if (!known || !query || typeof query !== 'object') return;
    for (const name of Object.keys(query)) if (!Object.hasOwn(known, name)) delete query[name];
  });
  app.addHook('preHandler', async (request) => {
    const query = request.query as { limit?: unknown } | null;
    if (query && typeof query.limit === 'number' && query.limit > MAX_PAGE_LIMIT) query.limit = MAX_PAGE_LIMIT;
  });
}

/**
 * A JSON body sent without a `Content-Type`, or as `text/plain`, is read as JSON on the compatible
 * APIs' POSTs, as the originals read it (spec §1); any other media type stays a 415. Unknown
 * properties inside the JSON are still refused by the route's schema.
 */
export function useLenientJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (request, body, done) => parseJson(request, String(body), done));
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const contentType = request.headers['content-type'];
    if (contentType === undefined || contentType.trim() === '') return parseJson(request, String(body), done);
    done(Object.assign(new Error(`Unsupported Media Type: ${contentType}; send JSON (application/json).`), { statusCode: 415 }), undefined);
  });
}
