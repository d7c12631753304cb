/**
 * Soak (issue 19, "Reliability, measured"): a real server process (DuckDB, demo data) under a mixed
 * load of concurrent clients for a bounded time, while one large ingestion runs; then a quiet
 * minute to see the queue drain and the memory come back. Prints a report and one JSON line.
 *
 *   npm run soak -- [--seconds 60] [--clients 50] [--ingest-records 200000] [--demo-rows 200000]
 *                   [--drain-seconds 60] [--data-dir DIR] [--keep]
 *
 * Each client loops, one request at a time, over: submit an Insights usage query (submit), read a
 * query's status (poll), read a page of a finished query's rows (page), request a Token Flex export
 * (export), post a small usage batch of 20 records (ingest). The large ingestion is one
 * `POST /admin/v1/usage` of `--ingest-records` records, started with the load. RSS and the job
 * counts are read from the server's own `/metrics`. Targets: no 5xx, RSS back within 20% of its
 * start, no job unfinished `--drain-seconds` after the load stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { runTokenCommand } from '../src/cli/commands/token.js';
import { loadConfig } from '../src/config.js';
import { openDuckDbStore } from '../src/store/index.js';
import { loadDemoData } from '../src/seed/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '50' },
    'ingest-records': { type: 'string', default: '200000' },
    'demo-rows': { type: 'string', default: '200000' },
    'drain-seconds': { type: 'string', default: '60' },
    'data-dir': { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(args.seconds);
const CLIENTS = Number(args.clients);
const INGEST_RECORDS = Number(args['ingest-records']);
const DEMO_ROWS = Number(args['demo-rows']);
const DRAIN_SECONDS = Number(args['drain-seconds']);
const SMALL_BATCH = 20;
const DEMO_WINDOW = { seed: 42, from: '2024-11-01', to: '2026-10-31' };

type Kind = 'submit' | 'poll' | 'page' | 'export' | 'ingest' | 'big-ingest';
/** How often each kind is picked by a client, out of 100. */
const MIX: readonly [Kind, number][] = [['submit', 25], ['poll', 30], ['page', 25], ['export', 10], ['ingest', 10]];

const iso = (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`;
const member = (key: string, sql: string) => `case when ${sql} is not null then '"${key}":' || to_json(${sql}) end`;
/**
 * Seeded desktop sessions as `POST /admin/v1/usage` records, each under a machine name of its own
 * copy (`-soak<n>`), so every record is new to the store (content ids) and is rated with the rest.
 */
const RECORDS_SQL = (copies: number, limit: number, tag: string) => `
  select '{' || concat_ws(',', ${[
    member('contractNumber', 'contract_number'), member('userName', 'user_name'), member('productLineCode', 'product_line_code'),
    member('productVersion', 'product_version'), member('sessionStartDate', iso('session_start')), member('sessionEndDate', iso('session_end')),
    member('licenseServerTimeZoneOffset', 'license_server_tz_offset'), member('licenseServerName', 'license_server_name'),
  ].join(', ')}, '"machineName":' || to_json(coalesce(machine_name, 'm') || '-${tag}' || c.n)) || '}'
  from usage_records, range(${copies}) c(n)
  where usage_category = 'DESKTOP_PRODUCT' and session_start is not null and session_end is not null
  order by c.n, id limit ${limit}`;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Seeds the data directory and writes the large batch and the small batches' records. */
async function prepare(dataDir: string): Promise<{ bigFile: string; small: string[] }> {
  const store = await openDuckDbStore({ dataDir });
  await store.migrate();
  if (await store.isEmpty()) await loadDemoData(store, { rows: DEMO_ROWS, ...DEMO_WINDOW });
  await store.close();
  const instance = await DuckDBInstance.create(path.join(dataDir, 'usage.duckdb'), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const sessions = Number((await connection.runAndReadAll(
      `select count(*) from usage_records where usage_category = 'DESKTOP_PRODUCT' and session_start is not null`)).getRowsJson()[0]![0]);
    const copies = Math.max(1, Math.ceil(INGEST_RECORDS / Math.max(1, sessions)));
    const bigFile = path.join(path.dirname(dataDir), 'soak-batch.ndjson');
    const big = (await connection.runAndReadAll(RECORDS_SQL(copies, INGEST_RECORDS, 'soak'))).getRowsJson().map((row) => String(row[0]));
    await writeFile(bigFile, `${big.join('\n')}\n`);
    const small = (await connection.runAndReadAll(RECORDS_SQL(1, 20_000, 'small'))).getRowsJson().map((row) => String(row[0]));
    return { bigFile, small };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function startServer(dataDir: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'insights.js'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', METRICS: 'loopback', DATABASE_URL: '', DEMO_DATA: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer in 120 s: ${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ready) return { child, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A few figures of the server's /metrics: RSS, and jobs by state. */
async function readMetrics(base: string): Promise<{ rss: number; unfinished: number; byState: Record<string, number> }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const rss = Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);
  const byState: Record<string, number> = {};
  for (const match of text.matchAll(/^usage_insights_jobs\{kind="([^"]+)",state="([^"]+)"\} (\S+)$/gm)) {
    byState[`${match[1]}/${match[2]}`] = Number(match[3]);
  }
  const unfinished = Object.entries(byState).filter(([key]) => /\/(queued|running)$/.test(key)).reduce((sum, [, n]) => sum + n, 0);
  return { rss, unfinished, byState };
}

interface Sample { readonly kind: Kind; readonly status: number; readonly ms: number; readonly endedAt: number }

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'usage-insights-soak-'));
  const dataDir = args['data-dir'] ? path.resolve(args['data-dir']) : path.join(root, 'data');
  console.log(`# soak: ${CLIENTS} clients for ${SECONDS} s, one ingestion of ${INGEST_RECORDS} records, DuckDB with ${DEMO_ROWS} demo records (${dataDir})`);
  const prepared = await prepare(dataDir);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(dataDir, port);
  let exitCode = 0;
  try {
    const config = loadConfig({ ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' }, ROOT);
    const users = ['admin@example.com', 'alice@example.com'];
    const tokens = await Promise.all(users.map((user) => runTokenCommand(config, { user, scope: 'data:read data:write', ttl: '2h' })));
    const auth = (i: number) => ({ authorization: `Bearer ${tokens[i % tokens.length]}`, 'content-type': 'application/json' });
    const adminAuth = auth(0);
    const contracts = (await (await fetch(`${base}/tokenflex/v1/contract`, { headers: adminAuth })).json() as { contractNumber: string }[])
      .map((c) => c.contractNumber);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const start = await readMetrics(base);
    console.log(`# RSS at start ${mb(start.rss)}; ${contracts.length} contracts; big batch ${((await stat(prepared.bigFile)).size / 1e6).toFixed(1)} MB`);

    const samples: Sample[] = [];
    /** Runs a request to its last byte; its status and body, or status 0 when the connection failed. */
    const timed = async (kind: Kind, run: () => Promise<Response>): Promise<{ status: number; body: string }> => {
      const t0 = performance.now();
      try {
        const response = await run();
        const body = await response.text();
        samples.push({ kind, status: response.status, ms: performance.now() - t0, endedAt: performance.now() });
        return { status: response.status, body };
      } catch {
        samples.push({ kind, status: 0, ms: performance.now() - t0, endedAt: performance.now() });
        return { status: 0, body: '' };
      }
    };
    let peakRss = start.rss;
    let stopSampling = false;
    const sampler = (async () => {
      while (!stopSampling) {
        peakRss = Math.max(peakRss, (await readMetrics(base).catch(() => start)).rss);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    })();

    // The large ingestion, started with the load.
    const bigStarted = performance.now();
    let bigSummary = '';
    // node:http rather than fetch: a large batch under load may take longer than fetch waits for headers (300 s).
    const big = new Promise<void>((resolve) => {
      const request = httpRequest(`${base}/admin/v1/usage`, {
        method: 'POST', headers: { authorization: adminAuth.authorization, 'content-type': 'application/x-ndjson' },
      }, (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => {
          bigSummary = body || `(status ${response.statusCode})`;
          samples.push({ kind: 'big-ingest', status: response.statusCode ?? 0, ms: performance.now() - bigStarted, endedAt: performance.now() });
          resolve();
        });
      });
      request.on('error', (error) => {
        bigSummary = `failed: ${error.message}`;
        samples.push({ kind: 'big-ingest', status: 0, ms: performance.now() - bigStarted, endedAt: performance.now() });
        resolve();
      });
      createReadStream(prepared.bigFile).pipe(request);
    });

    const end = Date.now() + SECONDS * 1000;
    const queryShapes = [
      { fields: ['productName'], metrics: ['totalTokens'] },
      { fields: ['userName', 'productName'], metrics: ['totalTokens', 'totalUniqueDays'] },
      { fields: ['usageDate'], metrics: ['uniqueUsers'] },
      { fields: ['productLineCode', 'usageDate'], metrics: ['totalTokens'], orderBy: 'usageDate DESC' },
    ];
    let smallNext = 0;
    const client = async (i: number) => {
      const headers = auth(i);
      const mine: string[] = [];
      let draw = i * 7919;
      while (Date.now() < end) {
        draw = (draw * 1103515245 + 12345) % 2_147_483_648;
        let pick = draw % 100;
        const kind = MIX.find(([, weight]) => (pick -= weight) < 0)![0];
        if ((kind === 'poll' || kind === 'page') && mine.length === 0) continue;
        const id = mine[draw % Math.max(1, mine.length)];
        switch (kind) {
          case 'submit': {
            // Distinct queries (a varying start day), so each is run rather than answered from an earlier result.
            const shape = { ...queryShapes[draw % queryShapes.length], where: `usageDate >= '2025-${String(1 + (draw % 12)).padStart(2, '0')}-${String(1 + (draw % 28)).padStart(2, '0')}'` };
            const response = await timed('submit', () => fetch(`${base}/insights/v1/usage-queries`, {
              method: 'POST', headers: { ...headers, prefer: 'wait=0' }, body: JSON.stringify(shape),
            }));
            const id = response.status === 200 ? (JSON.parse(response.body) as { id?: string }).id : undefined;
            if (id) mine.push(id);
            break;
          }
          case 'poll':
            await timed('poll', () => fetch(`${base}/insights/v1/usage-queries/${id}?limit=1`, { headers }));
            break;
          case 'page':
            await timed('page', () => fetch(`${base}/insights/v1/usage-queries/${id}?offset=${draw % 50}&limit=100`, { headers }));
            break;
          case 'export': {
            const contract = contracts[draw % contracts.length];
            await timed('export', () => fetch(`${base}/tokenflex/v1/export/${contract}/requests`, {
              method: 'POST', headers: adminAuth, body: JSON.stringify({ fields: ['productName', 'userName'], metrics: ['tokensConsumed'] }),
            }));
            break;
          }
          case 'ingest': {
            const lines = prepared.small.slice(smallNext, smallNext + SMALL_BATCH);
            smallNext = (smallNext + SMALL_BATCH) % Math.max(SMALL_BATCH, prepared.small.length - SMALL_BATCH);
            await timed('ingest', () => fetch(`${base}/admin/v1/usage`, {
              method: 'POST', headers: { authorization: adminAuth.authorization, 'content-type': 'application/x-ndjson' }, body: `${lines.join('\n')}\n`,
            }));
            break;
          }
          default:
            break;
        }
      }
    };
    const loadStarted = performance.now();
    const windowEnd = loadStarted + SECONDS * 1000;
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
    const clientsDone = performance.now();
    // The load stops when the last request of the window, and the large ingestion, have ended.
    await big;
    const loadStopped = Date.now();
    console.log(`# after the ${SECONDS} s window: the last client request ended ${((clientsDone - windowEnd) / 1000).toFixed(1)} s later, `
      + `the large ingestion ${((performance.now() - windowEnd) / 1000).toFixed(1)} s later`);

    // The quiet time: the queue must empty, the memory come back.
    let drainedAfter: number | undefined;
    let last = await readMetrics(base);
    while (Date.now() < loadStopped + DRAIN_SECONDS * 1000) {
      last = await readMetrics(base);
      if (last.unfinished === 0) {
        drainedAfter ??= (Date.now() - loadStopped) / 1000;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    stopSampling = true;
    await sampler;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, loadStopped + DRAIN_SECONDS * 1000 - Date.now())));
    last = await readMetrics(base);
    const bigDone = bigSummary !== '' && !bigSummary.startsWith('failed');

    // The report.
    const kinds: Kind[] = ['submit', 'poll', 'page', 'export', 'ingest', 'big-ingest'];
    const loadSamples = samples.filter((s) => s.kind !== 'big-ingest');
    const inWindow = loadSamples.filter((s) => s.endedAt <= windowEnd).length;
    const count5xx = samples.filter((s) => s.status >= 500 || s.status === 0).length;
    console.log(`\n${inWindow} requests ended within the ${SECONDS} s window: ${(inWindow / SECONDS).toFixed(1)} requests/s (${loadSamples.length - inWindow} more ended after it)`);
    console.log('kind        requests   p50 ms   p99 ms   statuses');
    for (const kind of kinds) {
      const of = samples.filter((s) => s.kind === kind);
      const ms = of.map((s) => s.ms).sort((a, b) => a - b);
      const statuses = Object.entries(of.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.status]: (acc[s.status] ?? 0) + 1 }), {}))
        .map(([status, n]) => `${status}×${n}`).join(' ');
      console.log(`${kind.padEnd(11)} ${String(of.length).padStart(8)} ${quantile(ms, 0.5).toFixed(0).padStart(8)} ${quantile(ms, 0.99).toFixed(0).padStart(8)}   ${statuses}`);
    }
    const rssBack = Math.abs(last.rss - start.rss) <= 0.2 * start.rss;
    console.log(`\n5xx (and failed connections): ${count5xx}`);
    console.log(`RSS: start ${mb(start.rss)}, peak ${mb(peakRss)}, end ${mb(last.rss)} (${((last.rss / start.rss - 1) * 100).toFixed(0)}% from start; target within 20%: ${rssBack ? 'yes' : 'no'})`);
    const bigMs = samples.find((sample) => sample.kind === 'big-ingest')?.ms ?? NaN;
    console.log(`large ingestion: ${bigDone ? 'ended' : 'FAILED'} after ${(bigMs / 1000).toFixed(1)} s: ${bigSummary.slice(0, 200)}`);
    console.log(`jobs unfinished ${DRAIN_SECONDS} s after the load stopped: ${last.unfinished}`
      + `${drainedAfter !== undefined ? ` (queue empty ${drainedAfter.toFixed(1)} s after the load stopped)` : ''}; by state: ${JSON.stringify(last.byState)}`);
    const ok = count5xx === 0 && rssBack && last.unfinished === 0 && bigDone;
    console.log(JSON.stringify({
      requestsPerSecond: inWindow / SECONDS, requests: loadSamples.length, count5xx,
      rss: { start: start.rss, peak: peakRss, end: last.rss }, unfinishedJobs: last.unfinished, drainedAfterSeconds: drainedAfter ?? null,
      latency: Object.fromEntries(kinds.map((kind) => {
        const ms = samples.filter((s) => s.kind === kind).map((s) => s.ms).sort((a, b) => a - b);
        return [kind, { n: ms.length, p50: Math.round(quantile(ms, 0.5)), p99: Math.round(quantile(ms, 0.99)) }];
      })),
      targetsMet: ok,
    }));
    if (!ok) exitCode = 1;
  } finally {
    const exited = once(server.child, 'exit');
    server.child.kill('SIGTERM');
    // A request still in flight holds a graceful stop; after 30 s, stop at once.
    const timer = setTimeout(() => server.child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
    if (!args.keep && !args['data-dir']) await rm(root, { recursive: true, force: true });
  }
  process.exitCode = exitCode;
}

await main();
