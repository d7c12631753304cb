import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsync } from 'fastify';

/** Where the error-code reference is served; a 401's `moreInfo` and a problem's `type` link into it. */
export const ERROR_DOCS_PATH = '/docs/errors';

const ERROR_DOCS_FILE = new URL('../../../../docs/errors.md', import.meta.url);

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * `docs/errors.md` as a plain HTML page: the Markdown text escaped in a `<pre>`, except its own
 * `<a id="…">` anchors, which are let through so `…/docs/errors#auth_token_missing` lands on the code.
 */
function asHtml(markdown: string): string {
  const escaped = markdown.replace(/[&<>"]/g, (c) => ESCAPES[c]!)
    .replace(/&lt;a id=&quot;([a-z0-9_]+)&quot;&gt;(.*?)&lt;\/a&gt;/g, '<a id="$1">$2</a>');
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Error codes · usage-insights</title></head>\n`
    + `<body><pre style="white-space: pre-wrap; max-width: 50rem">${escaped}</pre></body></html>\n`;
}

/** `GET /docs/errors`: the error-code reference, no token needed (read once at start). */
export const errorDocsRoutes: FastifyPluginAsync = async (app) => {
  const html = asHtml(await readFile(ERROR_DOCS_FILE, 'utf8'));
  app.get(ERROR_DOCS_PATH, {
    schema: {
      tags: ['health'],
      summary: 'The error-code reference (docs/errors.md) as HTML; 401 bodies link into it.',
      response: { 200: { type: 'string', description: 'An HTML page.' } },
    },
  }, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=3600').send(html));
};
