/**
 * Bench case: ingestion (issue 7), run by bench/run.ts in a process of its own, as a server
 * process would run it (in the bench's process, holding every earlier case's state, the ingestion
 * took 18-19 s against 15-16 s alone, measured):
 *   node --import tsx bench/ingest-case.ts <root> <seeded usage.duckdb> <rounds>
 * prints one JSON line, an IngestBenchResult.
 *
 * The seeded records are exported as NDJSON in the record format of `POST /admin/v1/usage` (no
 * ids: they get content ids, as licence-server records would), then ingested over HTTP on a real socket, validated and rated, into a copy of the seeded database
 * with its usage emptied; beside DuckDB reading the same file with `read_json` into a table of a
 * new database on the same disk, under the memory the store gives a bulk load, in the same run.
 * Rounds of the two alternate, and the medians are compared (one round of each moved the ratio by
 * a third between runs on this shared VM). Every round's ingested charges are checked against the
 * seed's (the same sessions, rated by the same rules, must cost the same, pool by pool).
 */
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { issueUserToken, loadSigningKeys } from '../src/auth/index.js';
import { buildApp } from '../src/http/index.js';
import { createJobServices } from '../src/jobs/index.js';
import { openDuckDbStore } from '../src/store/index.js';
import { bulkInstanceMemory, storeMemory } from './duckdb-settings.js';

export interface IngestBenchResult {
  readonly records: number;
  readonly bytes: number;
  /** Medians of the rounds, and each round's time. */
  readonly ingestMs: number;
  readonly readJsonMs: number;
  readonly ingestRuns: readonly number[];
  readonly readJsonRuns: readonly number[];
  readonly summary: Record<string, unknown>;
  /** Charge figures of the seeded database, and of the ingested one of each round; equal when the rating agrees. */
  readonly seeded: string;
  readonly ingested: readonly string[];
}

const iso = (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')`;
/** `"key":value` of a column when it is not null (concat_ws skips nulls, so absent keys stay out). */
const member = (key: string, sql: string) => `case when ${sql} is not null then '"${key}":' || to_json(${sql}) end`;

const EXPORT_SQL = `select '{' || concat_ws(',', ${[
  member('usageCategory', 'usage_category'), member('contractNumber', 'contract_number'), member('source', 'source'),
  member('userName', 'user_name'), member('productLineCode', 'product_line_code'), member('productVersion', 'product_version'),
  member('productName', "case when usage_category <> 'DESKTOP_PRODUCT' then product_name end"),
  member('sessionStartDate', iso('session_start')), member('sessionEndDate', iso('session_end')),
  member('licenseServerTimeZoneOffset', 'license_server_tz_offset'), member('usageType', 'usage_type'),
  member('machineName', 'machine_name'), member('licenseServerName', 'license_server_name'),
  member('usageTimestamp', `case when usage_category like 'CLOUD%' then ${iso('usage_timestamp')} end`),
  member('tokens', "case when usage_category <> 'DESKTOP_PRODUCT' then tokens_consumed end"),
  member('hubId', 'hub_id'), member('hubName', 'hub_name'), member('jobStatus', 'job_status'),
  member('transactionDate', iso('transaction_date')), member('reasonType', 'reason_type'), member('reasonComment', 'reason_comment'),
  member('quantity', "case when usage_category like 'MANUAL%' then quantity end"),
].join(', ')}) || '}' from usage_records order by usage_timestamp`;

/**
 * Records and tokens per pool: what must not differ between the seed and the ingest. Not per
 * charge category: the ingested records have content ids, and two sessions of one user starting
 * the same second are rated in id order, which can turn (CHARGED 5, INCREMENTAL 5) into
 * (CHARGED 10, FREE), never the day's tokens.
 */
const FIGURES_SQL = `select coalesce(string_agg(x, '; ' order by x), '') from (
  select token_pool || ': ' || count(*) || ' records, ' || sum(tokens_consumed) || ' tokens' as x from usage_records group by token_pool)`;

async function scalar(file: string, sql: string): Promise<string> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return String((await connection.runAndReadAll(sql)).getRowsJS()[0]?.[0] ?? '');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** `seededFile`: a seeded usage.duckdb that no process holds. */
export async function benchIngest(root: string, seededFile: string, rounds: number): Promise<IngestBenchResult> {
  const file = path.join(root, 'ingest.ndjson');
  {
    const instance = await DuckDBInstance.create(seededFile, { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    // Plain lines: a CSV writer without quoting, on a delimiter no line holds.
    await connection.run(`copy (${EXPORT_SQL}) to '${file}' (format csv, header false, quote '', escape '', delimiter '\u0001')`);
    connection.closeSync();
    instance.closeSync();
  }
  const seeded = await scalar(seededFile, FIGURES_SQL);
  const ingestRuns: number[] = [];
  const readJsonRuns: number[] = [];
  const ingested: string[] = [];
  let summary: Record<string, unknown> = {};
  for (let round = 0; round < rounds; round++) {
    const run = await ingestOnce(path.join(root, `ingest-data-${round}`), seededFile, file);
    ingestRuns.push(run.ms);
    ingested.push(run.figures);
    summary = run.summary;
    readJsonRuns.push(await readJsonOnce(path.join(root, `read-json-${round}.duckdb`), file));
    await rm(path.join(root, `ingest-data-${round}`), { recursive: true, force: true });
    await rm(path.join(root, `read-json-${round}.duckdb`), { force: true });
  }
  return {
    records: Number(summary.records), bytes: (await stat(file)).size, ingestMs: middle(ingestRuns), readJsonMs: middle(readJsonRuns),
    ingestRuns, readJsonRuns, summary, seeded, ingested,
  };
}

function middle(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

/** One ingestion of the file, over HTTP, into a copy of the seeded database with its usage deleted. */
async function ingestOnce(dataDir: string, seededFile: string, file: string): Promise<{ ms: number; summary: Record<string, unknown>; figures: string }> {
  // The target: the seeded database with its usage deleted (contracts, years, users, products stay).
  await mkdir(dataDir, { recursive: true });
  await copyFile(seededFile, path.join(dataDir, 'usage.duckdb'));
  {
    const instance = await DuckDBInstance.create(path.join(dataDir, 'usage.duckdb'));
    const connection = await instance.connect();
    await connection.run('delete from usage_records; checkpoint');
    connection.closeSync();
    instance.closeSync();
  }

  const store = await openDuckDbStore({ dataDir, ...storeMemory });
  const keys = await loadSigningKeys(dataDir);
  const tokens = { issuer: 'http://localhost:8080', audience: 'usage-insights' };
  const jobs = createJobServices(store, 'duckdb', { concurrency: 1, queryTimeoutMs: 300_000, resultRetentionMs: 3_600_000 });
  const app = await buildApp({ store, keys, tokens, queries: jobs.queries, publicUrl: 'http://localhost' });
  let ms: number;
  let summary: Record<string, unknown>;
  try {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const token = await issueUserToken({ store, keys, tokens }, { email: 'admin@example.com', scopes: ['data:write'], ttlSeconds: 3600 });
    const started = process.hrtime.bigint();
    const response = await fetch(`${address}/admin/v1/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    summary = (await response.json()) as Record<string, unknown>;
    ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (response.status !== 200) throw new Error(`ingestion answered ${response.status}: ${JSON.stringify(summary).slice(0, 2000)}`);
  } finally {
    await app.close();
    await jobs.runner.stop();
    await store.close();
  }
  return { ms, summary, figures: await scalar(path.join(dataDir, 'usage.duckdb'), FIGURES_SQL) };
}

/** The baseline: DuckDB's own JSON reader into a table of a new database on the same disk. */
async function readJsonOnce(databaseFile: string, file: string): Promise<number> {
  const baseline = await DuckDBInstance.create(databaseFile, bulkInstanceMemory);
  const connection = await baseline.connect();
  try {
    const started = process.hrtime.bigint();
    await connection.run(`create table usage_json as select * from read_json('${file}', format = 'newline_delimited')`);
    return Number(process.hrtime.bigint() - started) / 1e6;
  } finally {
    connection.closeSync();
    baseline.closeSync();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [root, seededFile, rounds] = process.argv.slice(2) as [string, string, string];
  console.log(JSON.stringify(await benchIngest(root, seededFile, Number(rounds))));
}
