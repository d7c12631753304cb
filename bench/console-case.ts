/**
 * The console's page loads (issue 18), in a process of its own: `node --import tsx
 * bench/console-case.ts DATA_DIR [REPEAT]` on a seeded bench database. It starts the real server
 * (`insights serve`, the console built as `npm start` builds it), signs in as admin in Debian's
 * Chromium once, then opens each page REPEAT times after one warm-up and times navigation → the
 * page's data shown (its headline figures filled, no loading state left). Every run asks for a
 * different date range, so no run is answered from the service's stored result of an earlier one
 * (a cold query each time, as a user picking a new range gets). Two ways of arriving:
 * - `navigate`: inside the console, as a click on its menu does (from a page without data, so the
 *   page mounts afresh); this is the figure the target (1 s, median of 5) is about;
 * - `load`: a full page load of the URL (a link opened, a reload): the bundle is loaded again, and the
 *   console, which keeps its tokens in memory only, first signs in silently (`prompt=none`).
 * Prints one JSON line: { pages: [{ name, navigate: {runs, medianMs}, load: {…} }], js: { file, bytes, gzipBytes } }.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const [dataDir, repeatText = '5'] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node --import tsx bench/console-case.ts DATA_DIR [REPEAT]');
  process.exit(2);
}
const repeat = Number(repeatText);
const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'insights.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The bench data's last day (bench/run.ts seeds 2024-11-01 … 2026-10-31). */
const LAST_DAY = Date.parse('2026-10-31T00:00:00Z');
const CONTRACT = '110000917988';

interface Runs { readonly runs: readonly number[]; readonly medianMs: number }
export interface ConsoleBenchResult {
  readonly pages: readonly { readonly name: string; readonly navigate: Runs; readonly load: Runs }[];
  readonly js: { readonly file: string; readonly bytes: number; readonly gzipBytes: number };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Run i's range: the 365 days ending i days before the data's last day. */
const rangeOf = (i: number) => `range=custom&from=${day(LAST_DAY - (i + 364) * 86_400_000)}&to=${day(LAST_DAY - i * 86_400_000)}`;

/** The pages, each with the figures that mean "its data is shown". */
const PAGES: readonly { readonly name: string; readonly url: (i: number) => string; readonly figures: readonly string[]; readonly selector?: string }[] = [
  { name: 'Token usage', url: (i) => `/console/token-usage?contract=${CONTRACT}&${rangeOf(i)}`, figures: ['year-consumed', 'tokens-in-range'], selector: '#daily-tokens canvas' },
  { name: 'Seat usage', url: (i) => `/console/seat-usage?${rangeOf(i)}`, figures: ['users', 'assigned-seats'] },
  { name: 'Usage report', url: (i) => `/console/usage-report?${rangeOf(i)}`, figures: ['report-rows', 'report-tokens'] },
  { name: 'Exports', url: () => '/console/exports', figures: [], selector: 'h2' },
  { name: 'Query explorer', url: (i) => `/console/query?api=insights&fields=productName&metrics=uniqueUsers&${rangeOf(i)}`, figures: [], selector: 'select, input' },
  { name: 'Forecast', url: (i) => `/console/forecast?contract=${CONTRACT}&year=${1 + (i % 2)}`, figures: ['forecast-used', 'forecast-left'], selector: '#forecast-chart canvas' },
  { name: 'Advice', url: (i) => `/console/advice?contract=${CONTRACT}&${rangeOf(i)}`, figures: ['advice-saved'] },
  { name: 'Administration', url: () => '/console/admin', figures: [], selector: 'table' },
];

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The first page's JavaScript: the module script index.html loads (the whole console is one bundle). */
async function firstPageScript(): Promise<ConsoleBenchResult['js']> {
  const dist = path.join(ROOT, 'web', 'dist');
  const html = await readFile(path.join(dist, 'index.html'), 'utf8');
  const src = /<script[^>]+src="\/console\/([^"]+\.js)"/.exec(html)?.[1] ?? /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
  if (!src) throw new Error('web/dist/index.html loads no script');
  const bytes = await readFile(path.join(dist, src.replace(/^\.?\//, '')));
  return { file: src, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`);
const env = { ...process.env, DATA_DIR: dataDir, DEMO_DATA: 'false', LOG_LEVEL: 'warn' };
const password = randomBytes(12).toString('hex');
const set = spawnSync(process.execPath, [BIN, 'user', 'set-password', '--user', 'admin@example.com', '--password', password], { cwd: ROOT, env, encoding: 'utf8' });
if (set.status !== 0) throw new Error(`set-password failed: ${set.stderr}`);

const port = await freePort();
const server = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env: { ...env, PORT: String(port), LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
server.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
server.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
const exited = once(server, 'exit');
const base = `http://127.0.0.1:${port}`;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const deadline = Date.now() + 600_000;
  while (!output.includes('usage-insights is listening')) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}: ${output}`);
    if (Date.now() > deadline) throw new Error(`server did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const js = await firstPageScript();
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.getByLabel(/e-?mail/i).fill('admin@example.com');
  await page.getByLabel(/password/i).fill(password);
  await Promise.all([page.waitForURL(/\/console\/token-usage/, { timeout: 60_000 }), page.getByRole('button', { name: 'Sign in' }).click()]);

  const ready = (spec: typeof PAGES[number]) => page.waitForFunction(({ figures, selector }) => {
    const alert = document.querySelector('.error-banner, [role="alert"]');
    if (alert) throw new Error(alert.textContent ?? 'an error');
    if (!location.pathname.startsWith('/console/') || document.querySelector('.loading')) return false;
    if (selector && !document.querySelector(selector)) return false;
    return figures.every((id) => /\d/.test(document.querySelector(`[data-figure="${id}"] .tile-value`)?.textContent ?? ''));
  }, { figures: spec.figures, selector: spec.selector ?? 'h1' }, { timeout: 120_000, polling: 10 });
  /** In-app navigation, as the console's own links do (its router listens to popstate). */
  const navigate = (url: string) => page.evaluate((href) => {
    history.pushState(null, '', href);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, url);

  const pages: { name: string; navigate: Runs; load: Runs }[] = [];
  for (const spec of PAGES) {
    const inApp: number[] = [];
    const loads: number[] = [];
    // Run 0 of each kind is a warm-up; ranges 0…repeat for navigation, repeat+1… for loads.
    for (let i = 0; i <= repeat; i++) {
      await navigate('/console/admin?tab=import');
      await page.getByRole('heading', { name: 'Import usage records' }).waitFor({ timeout: 60_000 });
      const start = performance.now();
      await navigate(spec.url(i));
      await ready(spec);
      if (i > 0) inApp.push(performance.now() - start);
    }
    for (let i = 0; i <= repeat; i++) {
      const start = performance.now();
      await page.goto(`${base}${spec.url(repeat + 1 + i)}`, { waitUntil: 'commit' });
      await ready(spec);
      if (i > 0) loads.push(performance.now() - start);
    }
    pages.push({ name: spec.name, navigate: { runs: inApp, medianMs: median(inApp) }, load: { runs: loads, medianMs: median(loads) } });
  }
  await context.close();
  console.log(JSON.stringify({ pages, js } satisfies ConsoleBenchResult));
} finally {
  await browser.close();
  if (server.exitCode === null) server.kill('SIGTERM');
  await exited;
}
