// Builds the reporting console (web/) from source: run by `npm install` (the root package's
// `prepare`), by `npm run build:console`, and by the server at start when the build is missing or
// stale. Steps: the OpenAPI document (this service's own, or --openapi FILE) → API types
// (openapi-typescript) → type check (tsc, so a renamed field fails the build) → bundle (Vite) →
// gzip and brotli copies of the assets → web/dist, replaced as a whole.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import {
  BUILD_STAMP, CONSOLE_DIST_DIR, hashConsoleSources, hashOpenApi, normaliseOpenApi, readBuildStamp, WEB_DIR,
} from '../src/http/routes/console/console-build.js';

const require = createRequire(import.meta.url);
const LOCK = path.join(WEB_DIR, '.build.lock');
const GENERATED = path.join(WEB_DIR, 'generated');

/** This service's OpenAPI document, from an app built as the server builds it (nothing listens). */
async function describeApi(): Promise<unknown> {
  const { buildApp } = await import('../src/http/index.js');
  const { openDuckDbStore } = await import('../src/store/index.js');
  const { loadSigningKeys } = await import('../src/auth/index.js');
  const { createJobServices } = await import('../src/app-services.js');
  const { LocalFileStore, UrlSigner } = await import('../src/exports/index.js');
  const dir = await mkdtemp(path.join(tmpdir(), 'usage-insights-describe-'));
  const store = await openDuckDbStore({ dataDir: ':memory:' });
  try {
    await store.migrate();
    const keys = await loadSigningKeys(dir, {});
    const downloads = { files: new LocalFileStore(path.join(dir, 'files')), signer: new UrlSigner(Buffer.alloc(32), 'http://localhost:8080') };
    const jobs = createJobServices(store, store.backend, { concurrency: 1, queryTimeoutMs: 1000, resultRetentionMs: 300_000 }, undefined, downloads);
    const app = await buildApp({
      store, keys, tokens: { issuer: 'http://localhost:8080', audience: 'usage-insights' }, queries: jobs.queries, publicUrl: 'http://localhost:8080',
      downloads, console: { distDir: CONSOLE_DIST_DIR },
      ...(jobs.tokenflexExports ? { tokenflexExports: jobs.tokenflexExports } : {}),
      ...(jobs.insightsExports ? { insightsExports: jobs.insightsExports } : {}),
      ...(jobs.schedules ? { schedules: jobs.schedules } : {}),
    });
    const document = app.swagger();
    await app.close();
    return document;
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function generateTypes(document: unknown): Promise<void> {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const nodes = await openapiTS(normaliseOpenApi(document) as never, { alphabetize: true });
  await mkdir(GENERATED, { recursive: true });
  await writeFile(path.join(GENERATED, 'api.ts'),
    `// Generated from this service's /openapi.json by scripts/build-console.ts; never edit, never commit.\n${astToString(nodes)}`);
}

function typeCheck(): void {
  let tsc: string;
  try {
    tsc = require.resolve('typescript/bin/tsc');
  } catch {
    // `npm install --omit=dev`: no TypeScript. The bundle is the same; only the check is skipped.
    console.warn('build-console: typescript is not installed; skipping the type check of web/');
    return;
  }
  execFileSync(process.execPath, [tsc, '--noEmit', '-p', path.join(WEB_DIR, 'tsconfig.json')], { stdio: 'inherit' });
}

async function compressAssets(dir: string): Promise<void> {
  const compressible = /\.(js|css|html|svg|json|map)$/;
  for (const name of await readdir(dir)) {
    const file = path.join(dir, name);
    if (!compressible.test(name) || !(await stat(file)).isFile()) continue;
    const body = await readFile(file);
    await writeFile(`${file}.gz`, await promisify(gzip)(body, { level: 9 }));
    await writeFile(`${file}.br`, await promisify(brotliCompress)(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
  }
}

/** One build at a time per checkout (several servers or tests may start at once). */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      const since = await stat(LOCK).then((s) => Date.now() - s.mtimeMs, () => 0);
      // A lock older than any build is left by a killed build.
      if (since > 10 * 60_000) await rm(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another console build holds ${LOCK}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--openapi');
  const document = at >= 0 ? JSON.parse(await readFile(argv[at + 1]!, 'utf8')) as unknown : await describeApi();
  const stamp = { sources: await hashConsoleSources(), openapi: hashOpenApi(document) };
  await withLock(async () => {
    const current = await readBuildStamp();
    // Another process built the same while this one waited for the lock.
    if (!argv.includes('--force') && current?.sources === stamp.sources && current.openapi === stamp.openapi) return;
    const started = Date.now();
    await generateTypes(document);
    typeCheck();
    const { build } = await import('vite');
    const outDir = path.join(WEB_DIR, `.dist-${process.pid}`);
    await build({ configFile: path.join(WEB_DIR, 'vite.config.ts'), root: WEB_DIR, logLevel: 'info', build: { outDir, emptyOutDir: true } });
    await compressAssets(path.join(outDir, 'assets'));
    await writeFile(path.join(outDir, BUILD_STAMP), JSON.stringify(stamp));
    await rm(CONSOLE_DIST_DIR, { recursive: true, force: true });
    await rename(outDir, CONSOLE_DIST_DIR);
    console.log(`build-console: web/dist built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}

try {
  await main();
} catch (error) {
  // tsc and Vite have printed their own messages; a stack trace of this script adds nothing.
  console.error(`build-console: the console was not built: ${(error as Error).message}`);
  process.exitCode = 1;
}
