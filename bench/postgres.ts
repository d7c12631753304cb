/**
 * The PostgreSQL cases of `npm run bench` (issue 6), run by bench/run.ts when PostgreSQL answers
 * at `BENCH_DATABASE_URL` (default postgres://127.0.0.1:5432/test; `--skip-postgres` skips them).
 * The data is the DuckDB cases' data (`loadDemoData` with the same rows, seed and window), in a
 * schema of its own, dropped at the end.
 *
 * - Token Flex reference query and Insights product query: submit → DONE/COMPLETED over HTTP on a
 *   real socket with the service on PostgreSQL, vs. the same raw SQL on the same PostgreSQL schema
 *   (and vs. the DuckDB HTTP figure of the same run).
 * - Status polls: N concurrent clients GET the status of one finished query for a few seconds,
 *   against one `insights serve` process and then against three on the same schema (round-robin,
 *   as a load balancer would). The clients run in this process, on the same machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { issueUserToken, loadSigningKeys } from '../src/auth/index.js';
import { buildApp } from '../src/http/index.js';
import { createJobServices } from '../src/app-services.js';
import { openPostgresStore } from '../src/store/index.js';
import { adviceProductLines, analyticsBenchCases, connectionsNeeded, runSteps } from './analytics-case.js';
import { loadDemoData } from '../src/seed/index.js';

export interface CaseResult { readonly name: string; readonly ms: number; readonly baselineName: string; readonly baselineMs: number }
export interface PollResult { readonly processes: number; readonly clients: number; readonly seconds: number; readonly requests: number; readonly perSecond: number }

export interface PostgresBenchOptions {
  readonly rows: number;
  readonly window: { readonly seed: number; readonly from: string; readonly to: string };
  readonly root: string;
  readonly median: (fn: () => Promise<unknown>) => Promise<number>;
  readonly contract: string;
  readonly tokenflexQuery: object;
  readonly tokenflexRaw: string;
  readonly insightsQuery: object;
  readonly insightsRaw: string;
  /** The DuckDB HTTP figures of the same run, for the PostgreSQL/DuckDB ratio. */
  /** The DuckDB figures to set beside (no seed time when the bench reused a seeded directory). */
  readonly duckdb: { readonly seedMs: number | undefined; readonly tokenflexMs: number; readonly insightsMs: number };
  /** Run the licence analytics cases too (bench/analytics-case.ts). */
  readonly analytics: boolean;
  readonly pollClients: number;
  readonly pollSeconds: number;
}

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://127.0.0.1:5432/test';

function databaseUrl(): string {
  const url = new URL(BENCH_DATABASE_URL);
  if (!url.username) url.username = userInfo().username;
  return url.toString();
}

/** Why PostgreSQL cannot be used, or undefined when it answers. */
export async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const BIN = path.join(import.meta.dirname, '..', 'bin', 'insights.js');

async function startServe(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`insights serve exited with ${child.exitCode}: ${output}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return { url, child };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`insights serve did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** `clients` loops GETting `path` round-robin over `bases` for `seconds`; requests per second. */
async function pollThroughput(bases: readonly string[], pathName: string, token: string, clients: number, seconds: number): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let requests = 0;
  let turn = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < end) {
      const response = await fetch(`${bases[turn++ % bases.length]}${pathName}`, { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`status poll answered ${response.status}`);
      requests++;
    }
  }));
  return requests;
}

/** Runs the PostgreSQL cases; the caller prints them with the DuckDB ones. */
export async function benchPostgres(options: PostgresBenchOptions): Promise<{ results: CaseResult[]; polls: PollResult[] }> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const url = databaseUrl();
  const results: CaseResult[] = [];
  const polls: PollResult[] = [];
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    // 1. The same demo data as the DuckDB cases, in a schema of its own.
    const store = await openPostgresStore({ url, schema });
    let adminId: string;
    try {
      await store.migrate();
      const seedMs = await timeOnce(() => loadDemoData(store, { rows: options.rows, ...options.window }));
      if (options.duckdb.seedMs !== undefined) results.push({ name: 'seed on PG (COPY FROM STDIN)', ms: seedMs, baselineName: 'seed on DuckDB', baselineMs: options.duckdb.seedMs });
      adminId = (await store.findUserByEmail('admin@example.com'))!.id;
      await admin.query(`set search_path = "${schema}"`);
      await admin.query('analyze');

      // 2. Raw SQL on the same schema.
      const rawTokenflexMs = await options.median(() => admin.query(options.tokenflexRaw, [options.contract]));
      const rawInsightsMs = await options.median(() => admin.query(options.insightsRaw, [adminId]));

      // 3. The service on PostgreSQL, in this process, on a real socket.
      const dataDir = path.join(options.root, 'pg-service');
      const keys = await loadSigningKeys(dataDir);
      const tokens = { issuer: 'http://localhost:8080', audience: 'usage-insights' };
      const jobs = createJobServices(store, 'postgres', { concurrency: 2, queryTimeoutMs: 300_000, resultRetentionMs: 3_600_000 });
      await jobs.runner.start();
      const app = await buildApp({ store, keys, tokens, queries: jobs.queries, publicUrl: 'http://localhost' });
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      const token = await issueUserToken({ store, keys, tokens }, { email: 'admin@example.com', scopes: ['data:read'], ttlSeconds: 3600 });
      try {
        const submitAndWait = async (submitPath: string, body: object, statusPath: (b: Record<string, unknown>) => string) => {
          const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() };
          const submitted = (await (await fetch(`${address}${submitPath}`, { method: 'POST', headers, body: JSON.stringify(body) })).json()) as Record<string, unknown>;
          for (let status = submitted; ;) {
            const word = String(status.status);
            if (word === 'DONE' || word === 'COMPLETED') return submitted;
            if (!['QUEUED', 'PROCESSING', 'SUBMITTED', 'RUNNING'].includes(word)) throw new Error(`query ended ${word}: ${JSON.stringify(status)}`);
            await new Promise((resolve) => setTimeout(resolve, 5));
            status = (await (await fetch(`${address}${statusPath(submitted)}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
          }
        };
        const tokenflexMs = await options.median(() => submitAndWait(`/tokenflex/v1/usage/${options.contract}/query`, options.tokenflexQuery, (b) => String(b.detail_uri)));
        results.push({ name: 'Token Flex reference (HTTP, PG)', ms: tokenflexMs, baselineName: 'raw SQL (PG)', baselineMs: rawTokenflexMs });
        results.push({ name: 'Token Flex reference, PG vs DuckDB', ms: tokenflexMs, baselineName: 'HTTP on DuckDB', baselineMs: options.duckdb.tokenflexMs });
        const insightsMs = await options.median(() => submitAndWait('/insights/v1/usage-queries', options.insightsQuery, (b) => `/insights/v1/usage-queries/${String(b.id)}`));
        results.push({ name: 'Insights product (HTTP, PG)', ms: insightsMs, baselineName: 'raw SQL (PG)', baselineMs: rawInsightsMs });
        results.push({ name: 'Insights product, PG vs DuckDB', ms: insightsMs, baselineName: 'HTTP on DuckDB', baselineMs: options.duckdb.insightsMs });
        if (options.analytics) {
          const contract = (await store.getContractDetail(options.contract))!;
          const year = contract.contractYears.find((y) => y.startDate <= '2026-10-31' && '2026-10-31' <= y.endDate) ?? contract.contractYears.at(-1)!;
          const team = (await store.findContract(options.contract))!.teamId;
          const cases = analyticsBenchCases('postgres', options.contract, team,
            { number: year.year, startDate: year.startDate, contractStartDate: contract.contractStartDate }, await adviceProductLines(store, options.contract));
          // The statements the store runs side by side, side by side on clients of their own.
          const clients = [admin];
          try {
            while (clients.length < connectionsNeeded(cases)) {
              const client = new pg.Client({ connectionString: url });
              clients.push(client);
              await client.connect();
              await client.query(`set search_path = "${schema}"`);
            }
            const runners = clients.map((client) => (sql: string, values: unknown[]) => client.query(sql, values));
            for (const c of cases) {
              const rawMs = await options.median(() => runSteps(runners, c.steps));
              const httpMs = await options.median(async () => {
                const response = await fetch(`${address}${c.path}`, { headers: { authorization: `Bearer ${token}` } });
                if (!response.ok) throw new Error(`${c.path}: ${response.status} ${await response.text()}`);
                return response.json();
              });
              results.push({ name: `${c.name} (HTTP, PG)`, ms: httpMs, baselineName: 'its core SQL, raw (PG)', baselineMs: rawMs });
            }
          } finally {
            for (const client of clients.slice(1)) await client.end();
          }
        }
      } finally {
        await app.close();
        await jobs.runner.stop();
      }
    } finally {
      await store.close();
    }

    // 4. Status polls of a finished query: one `insights serve` process, then three, on the schema.
    //    They share KEYS_DIR, as processes behind one load balancer must. Not with --poll-seconds 0;
    //    a server that does not start (60 s, on a loaded machine) skips them with a line, and the
    //    cases above are still reported.
    if (options.pollSeconds > 0) {
      try {
        await benchPolls(options, url, schema, polls);
      } catch (error) {
        console.log(`PostgreSQL status polls skipped: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  } finally {
    await admin.query(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
    await admin.end();
  }
  return { results, polls };
}

async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Step 4 of benchPostgres: status polls with one server process, then three. */
async function benchPolls(options: PostgresBenchOptions, url: string, schema: string, polls: PollResult[]): Promise<void> {
  const sharedKeys = path.join(options.root, 'pg-service', 'keys');
  const envOf = async (i: number) => {
    const dataDir = path.join(options.root, `pg-serve-${i}`);
    await mkdir(dataDir, { recursive: true });
    return { DATA_DIR: dataDir, KEYS_DIR: sharedKeys, FILES_DIR: path.join(options.root, 'pg-files'), DATABASE_URL: url, DATABASE_SCHEMA: schema, DEMO_DATA: 'false' };
  };
  const servers = [await startServe(await envOf(0))];
  try {
    const store = await openPostgresStore({ url, schema, maxConnections: 1 });
    const keys = await loadSigningKeys(path.join(options.root, 'pg-service'));
    const token = await issueUserToken({ store, keys, tokens: { issuer: 'http://localhost:8080', audience: 'usage-insights' } },
      { email: 'admin@example.com', scopes: ['data:read'], ttlSeconds: 3600 });
    await store.close();
    const submitted = (await (await fetch(`${servers[0]!.url}/insights/v1/usage-queries`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'wait=60', 'idempotency-key': randomUUID() },
      body: JSON.stringify(options.insightsQuery),
    })).json()) as Record<string, unknown>;
    if (submitted.status !== 'COMPLETED') throw new Error(`the polled query did not complete: ${JSON.stringify(submitted)}`);
    const statusPath = `/insights/v1/usage-queries/${String(submitted.id)}`;
    const measure = async (count: number) => {
      const bases = servers.slice(0, count).map((s) => s.url);
      await pollThroughput(bases, statusPath, token, options.pollClients, 0.5);
      const requests = await pollThroughput(bases, statusPath, token, options.pollClients, options.pollSeconds);
      polls.push({ processes: count, clients: options.pollClients, seconds: options.pollSeconds, requests, perSecond: requests / options.pollSeconds });
    };
    await measure(1);
    servers.push(...await Promise.all([1, 2].map(async (i) => startServe(await envOf(i)))));
    await measure(3);
  } finally {
    await Promise.all(servers.map((s) => stopServe(s.child)));
  }
}
