import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

export { CONSOLE_CLIENT_ID, consoleRedirectUris, registerConsoleClient } from './console-client.js';
export { CONSOLE_DIST_DIR, ensureConsoleBuilt, hashConsoleSources, hashOpenApi, normaliseOpenApi } from './console-build.js';
export type { BuildOutcome, BuildStamp } from './console-build.js';

export interface ConsoleOptions {
  /** The built console (`web/dist`): `index.html` and `assets/`. */
  readonly distDir: string;
}

/**
 * The console's page may load only its own scripts and styles and talk only to this origin; it
 * cannot be framed. Styles allow inline because the chart library positions its tooltip and
 * cursor with style attributes.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
].join('; ');

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Console not built · usage-insights</title></head>
<body><main><h1>The console is not built</h1><p>The APIs work; the console's build is missing or failed.
Run <code>npm install</code> (or <code>npm run build:console</code>) in the service's folder and restart it; the server log says what went wrong.</p></main></body></html>`;

/**
 * The reporting console (`web/`), served by the service itself: `GET /` leads to `/console/`, every
 * page of the console answers its `index.html` (the page state lives in the URL), and its hashed
 * assets are served from `assets/` with a year-long cache, gzip or brotli when the browser takes it.
 */
export const consoleRoutes: FastifyPluginAsync<ConsoleOptions> = async (app, options) => {
  const page = async (reply: FastifyReply) => {
    let html: string;
    try {
      // Read per request (it is small): a build replaces the file while the server runs.
      html = await readFile(path.join(options.distDir, 'index.html'), 'utf8');
    } catch {
      return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(html);
  };

  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
  app.get('/console/', { schema: { hide: true } }, async (_request, reply) => page(reply));
  await app.register(async (assets) => {
    await assets.register(fastifyStatic, {
      root: path.join(options.distDir, 'assets'),
      prefix: '/console/assets/',
      decorateReply: false,
      preCompressed: true,
      immutable: true,
      maxAge: '365d',
      index: false,
      // The folder may not exist until the first build, which runs after the app is built: @fastify/static
      // 9 (pinned for Node 20) logs one warning then, and serves the files once they are there.
      schemaHide: true,
    });
  });
  app.get('/console/*', { schema: { hide: true } }, async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    // An unknown asset is a 404, not the page: a stale tab must not run HTML as a script.
    if (rest.startsWith('assets/')) return reply.code(404).type('text/plain').send('Not found');
    return page(reply);
  });
};
