import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where `web/` and `scripts/` are. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const WEB_DIR = path.join(PROJECT_ROOT, 'web');
export const CONSOLE_DIST_DIR = path.join(WEB_DIR, 'dist');
export const BUILD_STAMP = 'build-stamp.json';

/** Folders of `web/` that are build output or installed, not sources. */
const NOT_SOURCES = new Set(['dist', 'generated', 'node_modules']);

export interface BuildStamp {
  /** sha-256 of every source file of `web/` (paths and contents). */
  readonly sources: string;
  /** sha-256 of the OpenAPI document the API types were generated from. */
  readonly openapi: string;
}

async function listSources(dir: string, relative = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || (relative === '' && NOT_SOURCES.has(entry.name))) continue;
    const name = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listSources(dir, name)));
    else if (entry.isFile()) files.push(name);
  }
  return files;
}

/** Hashes the console's sources: a change to any of them makes the build stale. */
export async function hashConsoleSources(webDir = WEB_DIR): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await listSources(webDir)).sort()) {
    hash.update(`${file}\0`).update(await readFile(path.join(webDir, file))).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Paths present or not by a deployment's settings, which the console never calls: `GET /metrics`
 * follows METRICS (on by default in the server, absent from the app the build describes), so a
 * fresh `npm install && npm start` warned that the console was checked against another API.
 */
const DEPLOYMENT_PATHS: ReadonlySet<string> = new Set(['/metrics']);

/**
 * The OpenAPI document as the console's types see it: without `servers`, which names the port and
 * host of one deployment, nor the paths a deployment's settings add (DEPLOYMENT_PATHS); neither
 * changes a type the console uses.
 */
export function normaliseOpenApi(document: unknown): Record<string, unknown> {
  const { servers: _servers, ...rest } = document as Record<string, unknown>;
  const paths = rest.paths;
  if (paths === null || typeof paths !== 'object') return rest;
  return { ...rest, paths: Object.fromEntries(Object.entries(paths).filter(([name]) => !DEPLOYMENT_PATHS.has(name))) };
}

export function hashOpenApi(document: unknown): string {
  return createHash('sha256').update(JSON.stringify(normaliseOpenApi(document))).digest('hex');
}

export async function readBuildStamp(distDir = CONSOLE_DIST_DIR): Promise<BuildStamp | undefined> {
  try {
    return JSON.parse(await readFile(path.join(distDir, BUILD_STAMP), 'utf8')) as BuildStamp;
  } catch {
    return undefined;
  }
}

export type BuildOutcome = 'current' | 'built' | 'failed';

/**
 * Builds the console when its build is missing or stale (its sources changed), by running the
 * same script as `npm install` does.
 * A failed build is logged and leaves the API running: the console answers 503 until it is built.
 */
export async function ensureConsoleBuilt(options: {
  readonly openapi: unknown;
  readonly log: { info(object: object, message: string): void; warn(object: object, message: string): void };
  readonly webDir?: string;
}): Promise<BuildOutcome> {
  const webDir = options.webDir ?? WEB_DIR;
  const wanted: BuildStamp = { sources: await hashConsoleSources(webDir), openapi: hashOpenApi(options.openapi) };
  const stamp = await readBuildStamp(path.join(webDir, 'dist'));
  if (stamp?.sources === wanted.sources) {
    // The bundle is the same whatever the document says; only its type check was against another
    // API. Rebuilding here would hold every start for half a minute; `npm run typecheck` (CI) and
    // the next `npm install` check the console against this API.
    if (stamp.openapi !== wanted.openapi) {
      options.log.warn({}, 'the console was type-checked against another version of this API: run npm run build:console to check it again');
    }
    return 'current';
  }
  options.log.info({ reason: stamp ? 'stale' : 'missing' }, 'building the console (web/) from source');
  const scratch = await mkdtemp(path.join(tmpdir(), 'usage-insights-openapi-'));
  const documentFile = path.join(scratch, 'openapi.json');
  try {
    await writeFile(documentFile, JSON.stringify(normaliseOpenApi(options.openapi)));
    const started = Date.now();
    const { code, output } = await runBuildScript(['--openapi', documentFile]);
    if (code !== 0) {
      options.log.warn({ output: output.slice(-4000) }, 'the console could not be built; the APIs work, the console answers 503 (run npm run build:console to see why)');
      return 'failed';
    }
    options.log.info({ seconds: Math.round((Date.now() - started) / 100) / 10 }, 'console built');
    return 'built';
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function runBuildScript(args: readonly string[]): Promise<{ readonly code: number | null; readonly output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'build-console.ts'), ...args], {
      cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.on('error', (error) => resolve({ code: 1, output: String(error) }));
    child.on('exit', (code) => resolve({ code, output }));
  });
}
