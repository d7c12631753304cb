import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { dropSchema, newSchemaName, requirePostgres, TEST_DATABASE_URL } from '../helpers/databases.js';
import { ROOT, runCli, startServer, type ServerProcess } from '../helpers/server-process.js';

// Issue 6, acceptance: three server processes on one PostgreSQL database, 300 queries and 60
// exports spread over them, one killed with SIGKILL midway; every job reaches a final state
// exactly once, results equal a single-process run's, no schedule fires twice; and migrations
// started by three processes at once apply exactly once.
const postgres = await requirePostgres();

type Json = Record<string, unknown>;

const CONTRACT = '110000917988';
const QUERIES = 300;
const EXPORTS = 60;
/** Small demo data: four servers seed or start in the test, on a 2-core machine. */
const DEMO_ROWS = '20000';
/** The sweeper hands a dead process's jobs to another after this (production default: 30 s). */
const STALE_SECONDS = '6';

/** The `n`-th day from 2024-11-01 (the demo window's first day), as YYYY-MM-DD. */
const day = (n: number) => new Date(Date.UTC(2024, 10, 1) + n * 86_400_000).toISOString().slice(0, 10);

/** One usage query: a distinct body each, so no two share a stored result. */
interface QuerySpec { readonly api: 'tokenflex' | 'insights'; readonly body: Json }
function querySpecs(): QuerySpec[] {
  return Array.from({ length: QUERIES }, (_, i): QuerySpec => (i % 2 === 0
    ? { api: 'tokenflex', body: { fields: ['productName'], metrics: ['tokensConsumed', 'useCount'], where: `usageDate >= '${day(i)}' and usageDate < '${day(i + 90)}'` } }
    : { api: 'insights', body: { fields: ['productName'], metrics: ['uniqueUsers', 'totalTokens'], where: `usageDate >= '${day(i)}' and usageDate < '${day(i + 60)}'`, orderBy: '' } }));
}

interface ExportSpec { readonly api: 'tokenflex' | 'insights'; readonly body: Json }
function exportSpecs(): ExportSpec[] {
  return Array.from({ length: EXPORTS }, (_, i): ExportSpec => (i % 2 === 0
    ? { api: 'tokenflex', body: { fields: ['usageDate', 'productName'], metrics: ['tokensConsumed'], usageCategory: ['DESKTOP_PRODUCT'], where: `usageDate >= '${day(i * 5)}' and usageDate < '${day(i * 5 + 7)}'`, downloadFileName: `scale-out-${i}` } }
    : { api: 'insights', body: { outputFormat: 'CSV', reports: ['USAGE'], startDate: `${day(i * 5)}T00:00:00Z`, endDate: `${day(i * 5 + 7)}T00:00:00Z` } }));
}

/** Numbers rounded to 9 significant decimals: sums of doubles may differ in their last bit with the order of addition. */
const rounded = (value: unknown): unknown => JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v));

/** Runs `fn` over `items` with at most `limit` at once, results in item order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  }));
  return results;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Client {
  constructor(readonly headers: Record<string, string>) {}

  async request(base: string, method: 'GET' | 'POST', url: string, body?: object, extra: Record<string, string> = {}): Promise<{ status: number; json: Json }> {
    const response = await fetch(`${base}${url}`, { method, headers: { ...this.headers, ...extra }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : {}) as Json };
  }

  /** GETs `url` from the servers in turn until `done`; any live server can answer for any job. */
  async poll(bases: () => readonly string[], url: string, done: (body: Json) => boolean, timeoutMs = 150_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; ; i++) {
      const list = bases();
      const { status, json } = await this.request(list[i % list.length]!, 'GET', url);
      assert.equal(status, 200, `GET ${url}: ${JSON.stringify(json)}`);
      if (done(json)) return json;
      if (Date.now() > deadline) throw new Error(`${url} still ${JSON.stringify(json)} after ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

/** Submits a query; returns the URL of its status/result page. */
async function submitQuery(client: Client, base: string, spec: QuerySpec): Promise<string> {
  const url = spec.api === 'tokenflex' ? `/tokenflex/v1/usage/${CONTRACT}/query` : '/insights/v1/usage-queries';
  const { status, json } = await client.request(base, 'POST', url, spec.body, { 'idempotency-key': randomUUID() });
  assert.ok(status === 200 || status === 201 || status === 202, `POST ${url}: ${status} ${JSON.stringify(json)}`);
  return spec.api === 'tokenflex' ? `${String(json.detail_uri)}?limit=1000` : `/insights/v1/usage-queries/${String(json.id)}?limit=1000`;
}

/** A finished query's status word and the part of its answer that must not depend on the process. */
async function awaitQuery(client: Client, bases: () => readonly string[], spec: QuerySpec, url: string): Promise<{ status: string; result: unknown; id: string }> {
  const finalWords = spec.api === 'tokenflex' ? ['DONE', 'FAILED', 'TIMEOUT', 'EXPIRED'] : ['COMPLETED', 'ERROR', 'EXPIRED'];
  const body = await client.poll(bases, url, (b) => finalWords.includes(String(b.status)));
  const result = spec.api === 'tokenflex' ? body.result : { columns: body.columns, rows: body.rows, pagination: body.pagination };
  const id = decodeURIComponent(url.split('?')[0]!.split('/').pop()!);
  return { status: String(body.status), result: rounded(result), id };
}

/** Submits an export, waiting while the user's queue of waiting exports is full (429, 50 per user). */
async function submitExport(client: Client, base: () => string, spec: ExportSpec): Promise<string> {
  const url = spec.api === 'tokenflex' ? `/tokenflex/v1/export/${CONTRACT}/requests` : '/insights/v1/exports';
  for (;;) {
    const { status, json } = await client.request(base(), 'POST', url, spec.body);
    if (status === 429) {
      await sleep(500);
      continue;
    }
    assert.ok(status === 200 || status === 201 || status === 202, `POST ${url}: ${status} ${JSON.stringify(json)}`);
    return spec.api === 'tokenflex'
      ? `/tokenflex/v1/export/${CONTRACT}/requests/${encodeURIComponent(String(json.requestKey))}`
      : `/insights/v1/exports/${String(json.id)}`;
  }
}

function adminClient(): pg.Client {
  const url = new URL(TEST_DATABASE_URL);
  if (!url.username) url.username = userInfo().username;
  return new pg.Client({ connectionString: url.toString() });
}

describe('three server processes on one PostgreSQL schema', postgres.describeOptions, () => {
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  let reference: ServerProcess;
  let schema: string;
  let filesDir: string;
  let client: Client;
  let referenceClient: Client;
  const alive = new Set<number>([0, 1, 2]);
  const bases = () => [...alive].map((i) => servers[i]!.url);

  before(async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'usage-insights-scale-'));
    dirs.push(root);
    schema = newSchemaName();
    filesDir = path.join(root, 'files');
    // Processes behind one load balancer share their JWT signing keys (KEYS_DIR), or a token
    // minted by one is refused by another.
    const keys = path.join(root, 'keys');
    await mkdir(keys, { mode: 0o700 });
    const envOf = async (name: string, extra: Record<string, string>) => {
      const dataDir = path.join(root, name);
      await mkdir(dataDir);
      return {
        DATA_DIR: dataDir, FILES_DIR: filesDir, KEYS_DIR: keys, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema,
        DEMO_ROWS, JOB_STALE_AFTER_SECONDS: STALE_SECONDS, WORKER_CONCURRENCY: '2', ...extra,
      };
    };
    const referenceDir = path.join(root, 'reference');
    const referenceEnv = { DATA_DIR: referenceDir, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: newSchemaName(), DEMO_ROWS, WORKER_CONCURRENCY: '2' };
    // 1. The first process migrates and seeds; the single-process reference seeds its own schema
    //    with the same demo options (identical rows, see loadDemoData) meanwhile.
    const firstEnv = await envOf('p0', {});
    const [first, ref] = await Promise.all([startServer(firstEnv, 180_000), startServer(referenceEnv, 180_000)]);
    servers.push(first);
    reference = ref;
    // 2. Two more on the same schema and files, without demo data of their own.
    servers.push(...await Promise.all([1, 2].map(async (i) => startServer(await envOf(`p${i}`, { DEMO_DATA: 'false' }), 120_000))));
    const token = await runCli(['token', '--user', 'admin@example.com'], firstEnv);
    assert.equal(token.code, 0, token.stderr);
    client = new Client({ authorization: `Bearer ${token.stdout.trim()}`, 'content-type': 'application/json' });
    const referenceToken = await runCli(['token', '--user', 'admin@example.com'], referenceEnv);
    assert.equal(referenceToken.code, 0, referenceToken.stderr);
    referenceClient = new Client({ authorization: `Bearer ${referenceToken.stdout.trim()}`, 'content-type': 'application/json' });
  });

  after(async () => {
    for (const server of [...servers, reference]) await server?.stop('SIGTERM');
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('300 queries and 60 exports over three processes, one SIGKILLed midway, end once each with single-process results', async (t) => {
    const started = Date.now();
    // 1. A schedule due every minute, made early so it comes due while the processes share the work.
    const created = await client.request(servers[0]!.url, 'POST', `/tokenflex/v1/export/${CONTRACT}/schedules`, {
      dateRangeExpression: 'Previous-1-Month', enableFlag: 'Y', frequencyExpression: '0 * * * * *',
      scheduleObjects: [{ usageCategory: 'DESKTOP_PRODUCT', aggregationLevel: ['Monthly'] }],
    });
    assert.equal(created.status, 200, JSON.stringify(created.json));
    const scheduleId = String(created.json.scheduleID);

    // 2. The first half of the work, round-robin over the three processes.
    const queries = querySpecs();
    const exportsToMake = exportSpecs();
    let turn = 0;
    const nextBase = () => {
      const list = bases();
      return list[turn++ % list.length]!;
    };
    const queryUrls: string[] = [];
    const exportUrls: string[] = [];
    const half = async (from: number, to: number, exportFrom: number, exportTo: number) => {
      const queryBatch = queries.slice(from, to).map((spec) => ({ spec, base: nextBase() }));
      queryUrls.push(...await pool(queryBatch, 12, ({ spec, base }) => submitQuery(client, base, spec)));
      exportUrls.push(...await pool(exportsToMake.slice(exportFrom, exportTo), 6, (spec) => submitExport(client, nextBase, spec)));
    };
    await half(0, QUERIES / 2, 0, EXPORTS / 2);

    // 3. Kill the second process while the queue is still full: whatever it was running stays
    //    `running` with its heartbeat ageing until a survivor's sweeper re-queues it.
    const killed = servers[1]!;
    const runningThere = await countRunningJobs(schema);
    await killed.stop('SIGKILL');
    alive.delete(1);
    t.diagnostic(`killed process 1 with ${runningThere} jobs running over all processes`);

    // 4. The second half, round-robin over the survivors.
    await half(QUERIES / 2, QUERIES, EXPORTS / 2, EXPORTS);

    // 5. Every job reaches a final state, polled through the survivors.
    const answers = await pool(queries.map((spec, i) => ({ spec, url: queryUrls[i]! })), 12, ({ spec, url }) => awaitQuery(client, bases, spec, url));
    for (const [i, answer] of answers.entries()) assert.ok(['DONE', 'COMPLETED'].includes(answer.status), `query ${i}: ${answer.status}`);
    const exportsDone = await pool(exportsToMake.map((spec, i) => ({ spec, url: exportUrls[i]! })), 12, ({ spec, url }) =>
      client.poll(bases, url, (b) => (spec.api === 'tokenflex' ? b.requestStatus !== 'Requested' : b.status !== 'SUBMITTED')));
    t.diagnostic(`all ${QUERIES} queries and ${EXPORTS} exports final after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // 6. Exports: every file downloads, byte for byte the same, from each surviving process; a
    //    link signed by one verifies in the other (one download secret in FILES_DIR).
    await pool(exportsDone.map((done, i) => ({ done, spec: exportsToMake[i]! })), 6, async ({ done, spec }) => {
      const links = spec.api === 'tokenflex'
        ? (assert.equal(done.requestStatus, 'Download', JSON.stringify(done)), [String(done.downloadUrl)])
        : (assert.equal(done.status, 'COMPLETED', JSON.stringify(done)), (done.downloads as { downloadURL: string }[]).map((d) => d.downloadURL));
      for (const link of links) {
        const { pathname, search } = new URL(link);
        const bodies = await Promise.all(bases().map(async (base) => {
          const response = await fetch(`${base}${pathname}${search}`);
          assert.equal(response.status, 200, `${base}${pathname}`);
          return response.text();
        }));
        assert.ok(bodies[0]!.length > 0);
        for (const body of bodies) assert.equal(body, bodies[0]);
      }
    });

    // 7. The database: each submitted job exactly once, final, with as many result rows as it
    //    says; some of them were recovered from the killed process (more than one attempt).
    const db = adminClient();
    await db.connect();
    try {
      await db.query(`set search_path = "${schema}"`);
      const jobs = (await db.query<{ id: string; kind: string; state: string; attempts: number; row_count: string | null; results: string; schedule_id: string | null }>(`
        select j.id, j.kind, j.state, j.attempts, j.row_count,
               (select count(*) from job_results r where r.job_id = j.id) as results,
               (j.request::json ->> 'scheduleId') as schedule_id
          from jobs j`)).rows;
      const ours = new Set([...answers.map((a) => a.id), ...exportUrls.map((url) => decodeURIComponent(url.split('/').pop()!))]);
      assert.equal(ours.size, QUERIES + EXPORTS, 'every submission made its own job');
      const byId = new Map(jobs.map((job) => [job.id, job]));
      assert.equal(byId.size, jobs.length);
      for (const id of ours) {
        const job = byId.get(id);
        assert.ok(job, `job ${id} is in the database`);
        assert.equal(job.state, 'succeeded', `job ${id}`);
        if (job.kind === 'usage-query') assert.equal(Number(job.results), Number(job.row_count), `result rows of ${id} stored once`);
      }
      const others = jobs.filter((job) => !ours.has(job.id));
      assert.ok(others.every((job) => job.schedule_id === scheduleId), `only scheduled exports besides ours: ${JSON.stringify(others.map((o) => o.id))}`);
      assert.equal(jobs.filter((job) => job.kind === 'usage-query').length, QUERIES);
      t.diagnostic(`${jobs.filter((job) => job.attempts > 1).length} jobs ran more than once (recovered from the killed process or retried)`);

      // 8. The schedule: wait until it has fired at least once (it is due every minute), then
      //    check each due time fired once: one export per firing, due times distinct whole minutes.
      const deadline = Date.now() + 75_000;
      let fired: { id: string }[] = [];
      while (Date.now() < deadline) {
        fired = (await db.query<{ id: string }>(`select id from jobs where request::json ->> 'scheduleId' = $1 order by id`, [scheduleId])).rows;
        if (fired.length > 0) break;
        await sleep(1000);
      }
      assert.ok(fired.length > 0, 'the schedule fired');
      const dueTimes = fired.map((job) => job.id.slice(0, 19));
      assert.equal(new Set(dueTimes).size, dueTimes.length, `no due time fired twice: ${dueTimes.join(', ')}`);
      for (const due of dueTimes) assert.match(due, /:00$/);
      const minutes = Math.ceil((Date.now() - started) / 60_000) + 1;
      assert.ok(dueTimes.length <= minutes, `${dueTimes.length} firings in at most ${minutes} minutes`);
    } finally {
      await db.end();
    }

    // 9. Every result equals the same query's on a single process (its own schema, same demo data).
    const referenceBase = () => [reference.url];
    const expected = await pool(queries, 8, async (spec) => awaitQuery(referenceClient, referenceBase, spec, await submitQuery(referenceClient, reference.url, spec)));
    for (const [i, answer] of answers.entries()) {
      assert.equal(expected[i]!.status, answer.status);
      assert.deepEqual(answer.result, expected[i]!.result, `query ${i}: ${JSON.stringify(queries[i]!.body)}`);
    }
    t.diagnostic(`done after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});

async function countRunningJobs(schema: string): Promise<number> {
  const db = adminClient();
  await db.connect();
  try {
    const { rows } = await db.query<{ n: string }>(`select count(*) as n from "${schema}".jobs where state = 'running'`);
    return Number(rows[0]!.n);
  } finally {
    await db.end();
  }
}

describe('migrations started by three processes at once', postgres.describeOptions, () => {
  test('three `insights migrate` processes on a fresh schema apply each migration exactly once', async (t) => {
    const schema = newSchemaName();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-migrate-'));
    t.after(async () => {
      await rm(dataDir, { recursive: true, force: true });
      await dropSchema(schema);
    });
    const env = { DATA_DIR: dataDir, DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema };
    const runs = await Promise.all([1, 2, 3].map(() => runCli(['migrate'], env)));
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const applied = runs.flatMap((run) => /^applied: (.*)$/m.exec(run.stdout)?.[1]?.split(', ') ?? []).sort();
    const files = (await readdir(path.join(ROOT, 'src/store/postgres/migrations'))).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort();
    assert.deepEqual(applied, files, 'each migration applied by exactly one of the three');
    const db = adminClient();
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string }>(`select id from "${schema}".schema_migrations order by id`);
      assert.deepEqual(rows.map((row) => row.id), files);
    } finally {
      await db.end();
    }
  });
});
