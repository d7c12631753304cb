/**
 * Bench case: ingestion (issue 7), run by bench/run.ts in a process of its own, as a server
 * process would run it (in the bench's process, holding every earlier case's state, the ingestion
 * took 18-19 s against 15-16 s alone, measured):
 *   node --import tsx bench/ingest-case.ts <root> <seeded usage.duckdb> <rounds>
 * prints one JSON line, an IngestBenchResult.
 *
 * The seeded records are exported as NDJSON in the record format of `POST /admin/v1/usage` (no
 * ids: they get content ids, as licence-server records would), then ingested over HTTP on a real
 * socket, validated and rated, into a copy of the seeded database with its usage emptied; beside
 * DuckDB reading the same file with `read_json` into a table of a new database on the same disk,
 * under the memory the store gives a bulk load, in the same run.
 * Rounds of the two alternate, and the medians are compared (one round of each moved the ratio by
 * a third between runs on this shared VM). Every round's ingested charges are checked against the
 * seed's (the same sessions, rated by the same rules, must cost the same, pool by pool).
 *
 * Each round also times a floor: DuckDB alone loading the same file into the same emptied
 * usage_records, with the joins the ingestion's insert makes (team, product, user, enrichment), and
 * nothing the ingestion must check or compute (no HTTP, validation, content ids, duplicates or
 * rating). What the ingestion takes beyond it is the cost of those; the floor's own ratio to
 * read_json is what no ingestion into this table can go below.
 */
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import { issueUserToken, loadSigningKeys } from '../src/auth/index.js';
import { buildApp } from '../src/http/index.js';
import { createJobServices } from '../src/app-services.js';
import { openDuckDbStore, USAGE_REFERENCE_CTES } from '../src/store/index.js';
import { storeMemory, usageBatchInstanceMemory } from './duckdb-settings.js';

export interface IngestBenchResult {
  readonly records: number;
  readonly bytes: number;
  /** Medians of the rounds, and each round's time. */
  readonly ingestMs: number;
  readonly readJsonMs: number;
  readonly floorMs: number;
  readonly ingestRuns: readonly number[];
  readonly readJsonRuns: readonly number[];
  readonly floorRuns: readonly number[];
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
  const floorRuns: number[] = [];
  const ingested: string[] = [];
  let summary: Record<string, unknown> = {};
  for (let round = 0; round < rounds; round++) {
    const run = await ingestOnce(path.join(root, `ingest-data-${round}`), seededFile, file);
    ingestRuns.push(run.ms);
    ingested.push(run.figures);
    summary = run.summary;
    readJsonRuns.push(await readJsonOnce(path.join(root, `read-json-${round}.duckdb`), file));
    floorRuns.push(await floorOnce(path.join(root, `floor-${round}.duckdb`), seededFile, file));
    await rm(path.join(root, `ingest-data-${round}`), { recursive: true, force: true });
    await rm(path.join(root, `read-json-${round}.duckdb`), { force: true });
    await rm(path.join(root, `floor-${round}.duckdb`), { force: true });
  }
  return {
    records: Number(summary.records), bytes: (await stat(file)).size, ingestMs: middle(ingestRuns), readJsonMs: middle(readJsonRuns),
    floorMs: middle(floorRuns), ingestRuns, readJsonRuns, floorRuns, summary, seeded, ingested,
  };
}

function middle(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

/** A copy of the seeded database with its usage deleted (contracts, years, users, products stay). */
async function emptiedCopy(seededFile: string, target: string): Promise<void> {
  await copyFile(seededFile, target);
  const instance = await DuckDBInstance.create(target);
  const connection = await instance.connect();
  await connection.run('delete from usage_records; checkpoint');
  connection.closeSync();
  instance.closeSync();
}

/** One ingestion of the file, over HTTP, into a copy of the seeded database with its usage deleted. */
async function ingestOnce(dataDir: string, seededFile: string, file: string): Promise<{ ms: number; summary: Record<string, unknown>; figures: string }> {
  await mkdir(dataDir, { recursive: true });
  await emptiedCopy(seededFile, path.join(dataDir, 'usage.duckdb'));

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
  const baseline = await DuckDBInstance.create(databaseFile, usageBatchInstanceMemory);
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

const CUSTOM_FIELDS = Array.from({ length: 10 }, (_, k) => k + 1);

/** The file's records typed by DuckDB's JSON reader, with the record format's names (EXPORT_SQL's keys). */
const FLOOR_READ_SQL = (file: string) => `create temp table floor_in as select * from read_json('${file}', format = 'newline_delimited', columns = {
  usageCategory: 'VARCHAR', contractNumber: 'VARCHAR', source: 'VARCHAR', userName: 'VARCHAR', productLineCode: 'VARCHAR',
  productVersion: 'VARCHAR', productName: 'VARCHAR', sessionStartDate: 'TIMESTAMP', sessionEndDate: 'TIMESTAMP',
  licenseServerTimeZoneOffset: 'VARCHAR', usageType: 'VARCHAR', machineName: 'VARCHAR', licenseServerName: 'VARCHAR',
  usageTimestamp: 'TIMESTAMP', tokens: 'DOUBLE', hubId: 'VARCHAR', hubName: 'VARCHAR', jobStatus: 'VARCHAR',
  transactionDate: 'TIMESTAMP', reasonType: 'VARCHAR', reasonComment: 'VARCHAR', quantity: 'DOUBLE'})`;

/**
 * The typed records into usage_records, every column the ingestion writes filled as it fills it (a
 * random 32-hex id for the content id, the charge columns and the processing time constant): the
 * store's insert joins the same references (USAGE_REFERENCE_CTES), and the validator fills in the
 * contract's team and the product's name and feature code, joined here.
 */
const FLOOR_INSERT_SQL = `insert into usage_records (
    id, contract_number, team_id, usage_category, source, user_id, user_name, product_line_code, product_name,
    parent_product_name, product_version, product_feature_code, usage_date, contract_year, charge_category, token_pool,
    tokens_consumed, usage_minutes, quantity, is_charged_event, machine_name, license_server_name, license_server_tz_offset,
    session_start, session_end, usage_type, hub_id, hub_name, job_status, transaction_date, reason_type, reason_comment,
    charged_item_id, usage_timestamp, ${CUSTOM_FIELDS.map((k) => `custom_field_${k}`).join(', ')}, processed_at)
  with ${USAGE_REFERENCE_CTES},
  records as (
    select replace(gen_random_uuid()::varchar, '-', '') as id, coalesce(sessionStartDate, usageTimestamp, transactionDate) as usage_at, *
    from floor_in
  )
  select f.id, f.contractNumber, c.team_id, f.usageCategory, f.source, u.id, f.userName, f.productLineCode, coalesce(f.productName, p.product_name),
    null, f.productVersion, p.feature_code, cast(f.usage_at as date), 1, 'CHARGED', 'CY',
    coalesce(f.tokens, p.daily_token_rate, 0), coalesce(datediff('minute', f.sessionStartDate, f.sessionEndDate), 0), coalesce(f.quantity, 0), true,
    f.machineName, f.licenseServerName, f.licenseServerTimeZoneOffset,
    f.sessionStartDate, f.sessionEndDate, f.usageType, f.hubId, f.hubName, f.jobStatus, f.transactionDate, f.reasonType, f.reasonComment,
    f.id, f.usage_at, ${CUSTOM_FIELDS.map((k) => `e.f${k}`).join(', ')}, current_timestamp::timestamp
  from records f
  join contracts c on c.contract_number = f.contractNumber
  left join products p on p.product_line_code = f.productLineCode and p.version = f.productVersion
  left join unique_names u on u.user_name = f.userName
  left join enrichment e on e.contract_number = f.contractNumber and e.user_id = u.id`;

/**
 * The floor: DuckDB alone loading the file into an emptied copy of the seeded database, under the
 * memory and insertion-order setting the store gives a batch. Checks that every record arrived.
 */
async function floorOnce(databaseFile: string, seededFile: string, file: string): Promise<number> {
  await emptiedCopy(seededFile, databaseFile);
  const instance = await DuckDBInstance.create(databaseFile, { ...usageBatchInstanceMemory, preserve_insertion_order: 'false' });
  const connection = await instance.connect();
  try {
    const started = process.hrtime.bigint();
    await connection.run(FLOOR_READ_SQL(file));
    await connection.run(FLOOR_INSERT_SQL);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const [read, stored] = (await connection.runAndReadAll('select (select count(*) from floor_in), (select count(*) from usage_records)')).getRowsJS()[0] ?? [];
    if (Number(stored) !== Number(read)) throw new Error(`the floor stored ${String(stored)} of ${String(read)} records`);
    return ms;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [root, seededFile, rounds] = process.argv.slice(2) as [string, string, string];
  console.log(JSON.stringify(await benchIngest(root, seededFile, Number(rounds))));
}
