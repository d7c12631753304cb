import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { newSchemaName, requirePostgres, TEST_DATABASE_URL } from '../helpers/databases.js';
import { runCli, startServer, type ServerProcess } from '../helpers/server-process.js';

// Issue 6, acceptance: `DATABASE_URL=postgres://…` serves the same demo as the default. Two real
// servers over real sockets, one on a temp-dir DuckDB file and one on a fresh PostgreSQL schema,
// both seeded with the same demo options; every answer of the PostgreSQL one must equal the
// DuckDB one's (which test/e2e/queries.e2e.test.ts checks against the raw records).
const postgres = await requirePostgres();

type Json = Record<string, unknown>;

interface Side {
  readonly name: string;
  readonly server: ServerProcess;
  readonly env: Record<string, string>;
  readonly headers: Record<string, string>;
}

const CONTRACT = '110000917988';

describe('PostgreSQL serves what DuckDB serves', postgres.describeOptions, () => {
  const dirs: string[] = [];
  const sides: Side[] = [];

  before(async () => {
    const start = async (name: string, extra: Record<string, string>): Promise<Side> => {
      const dataDir = await mkdtemp(path.join(tmpdir(), `usage-insights-${name}-`));
      dirs.push(dataDir);
      const env = { DATA_DIR: dataDir, DEMO_ROWS: '30000', ...extra };
      const server = await startServer(env, 120_000);
      const token = await runCli(['token', '--user', 'admin@example.com'], env);
      assert.equal(token.code, 0, token.stderr);
      return { name, server, env, headers: { authorization: `Bearer ${token.stdout.trim()}`, 'content-type': 'application/json' } };
    };
    sides.push(...await Promise.all([
      // DATABASE_URL '' keeps this side on DuckDB even when TEST_STORE=postgres runs the suite.
      start('duckdb', { DATABASE_URL: '' }),
      start('postgres', { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: newSchemaName() }),
    ]));
  });

  after(async () => {
    for (const side of sides) await side.server.stop('SIGTERM');
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  /** The same request to both servers; returns [duckdb, postgres] bodies. */
  async function both(method: 'GET' | 'POST', url: string, body?: object): Promise<[Json, Json]> {
    const answers = await Promise.all(sides.map(async (side) => {
      const response = await fetch(`${side.server.url}${url}`, { method, headers: side.headers, ...(body ? { body: JSON.stringify(body) } : {}) });
      assert.equal(response.status, 200, `${side.name} ${method} ${url}: ${await response.clone().text()}`);
      return (await response.json()) as Json;
    }));
    return answers as [Json, Json];
  }

  async function poll(side: Side, url: string, done: (body: Json) => boolean): Promise<Json> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const body = (await (await fetch(`${side.server.url}${url}`, { headers: side.headers })).json()) as Json;
      if (done(body)) return body;
      if (Date.now() > deadline) throw new Error(`${side.name} ${url} still ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Numbers rounded to 9 significant decimals: sums of doubles may differ in their last bit with the order of addition. */
  const rounded = (value: unknown): unknown => JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v));

  test('the PostgreSQL server says so in its readiness answer', async () => {
    const backends = await Promise.all(sides.map(async (side) => ((await (await fetch(`${side.server.url}/readyz`)).json()) as Json).backend));
    assert.deepEqual(backends, ['duckdb', 'postgres']);
  });

  test('contracts, contract years, summaries, last usage and value lists are the same', async () => {
    for (const url of [
      '/tokenflex/v1/contract', `/tokenflex/v1/contract/${CONTRACT}`, `/tokenflex/v1/contract/${CONTRACT}/productName`,
      `/tokenflex/v1/contract/${CONTRACT}/userName?usageCategory=DESKTOP_PRODUCT`, `/tokenflex/v1/contract/${CONTRACT}/enrichment`,
      `/tokenflex/v1/usage/${CONTRACT}/summary?minUsageMonth=2025-01-01&maxUsageMonth=2025-12-01`, `/tokenflex/v1/usage/${CONTRACT}/last`,
      '/insights/v1/contexts',
    ]) {
      const [duck, pg] = await both('GET', url);
      assert.deepEqual(rounded(pg), rounded(duck), url);
    }
  });

  test('the spec example queries and more answer the same rows on both', async () => {
    const tokenflex = [
      { fields: ['usageCategory', 'productName'], metrics: ['tokensConsumed'], where: "contractYear = 1 and productName IN ('AutoCAD', 'Revit', 'Civil 3D')" },
      { fields: ['userName'], metrics: ['tokensConsumed', 'useCount'], where: "contractYear = 2 and userName LIKE 'admin%'" },
      { fields: ['usageMonth', 'productName', 'chargeCategory', 'tokenPool'], metrics: ['tokensConsumed', 'usageHours', 'useCount', 'uniqueUsers'], usageCategory: ['DESKTOP_PRODUCT'] },
      { fields: ['customField1', 'machineName'], metrics: ['usageMinutes', 'uniqueProducts'], where: "usageDate between '2025-02-01' and '2025-05-31' and customField1 is null or machineName like 'LON%'" },
    ];
    for (const body of tokenflex) {
      const [duck, pg] = await both('POST', `/tokenflex/v1/usage/${CONTRACT}/query`, body);
      const results = await Promise.all([duck, pg].map((submitted, i) =>
        poll(sides[i]!, `${String(submitted.detail_uri)}?limit=1000`, (b) => ['DONE', 'FAILED', 'TIMEOUT'].includes(String(b.status)))));
      assert.equal(results[0]!.status, 'DONE', JSON.stringify(results[0]));
      assert.ok(((results[0]!.result as { rows: unknown[] }).rows).length > 0, JSON.stringify(body));
      assert.deepEqual(rounded(results[1]!.result), rounded(results[0]!.result), JSON.stringify(body));
    }
    const insights = [
      { fields: ['productName'], metrics: ['uniqueUsers', 'totalTokens'], where: '', orderBy: '' },
      { fields: ['usageWeek', 'teamName', 'version'], metrics: ['totalUniqueDays', 'earliestUsageDate', 'latestUsageDate'], where: "source = 'flex'", orderBy: 'totalUniqueDays desc, usageWeek' },
      { fields: ['emailAddress', 'hashedUserId', 'isParentProduct'], metrics: ['uniqueProducts'], where: "productLineCode in ('ACDLT', 'RVT')", orderBy: '' },
    ];
    for (const body of insights) {
      const [duck, pg] = await both('POST', '/insights/v1/usage-queries', body);
      const results = await Promise.all([duck, pg].map((submitted, i) =>
        poll(sides[i]!, `/insights/v1/usage-queries/${String(submitted.id)}?limit=1000`, (b) => ['COMPLETED', 'ERROR'].includes(String(b.status)))));
      assert.equal(results[0]!.status, 'COMPLETED', JSON.stringify(results[0]));
      const view = (result: Json) => rounded({ columns: result.columns, rows: result.rows, pagination: result.pagination });
      assert.deepEqual(view(results[1]!), view(results[0]!), JSON.stringify(body));
    }
  });

  test('a Token Flex session-level export and an Insights CSV export download the same files', async () => {
    const sessionExport = {
      fields: ['usageDate', 'productName', 'userName', 'machineName', 'sessionStartDate', 'sessionEndDate', 'chargedItemID', 'chargeCategory'],
      metrics: ['tokensConsumed', 'usageMinutes', 'usageHours'], usageCategory: ['DESKTOP_PRODUCT'],
      where: "usageDate >= '2025-03-01' and usageDate < '2025-04-01'", downloadFileName: 'sessions',
    };
    const [tfDuck, tfPg] = await both('POST', `/tokenflex/v1/export/${CONTRACT}/requests`, sessionExport);
    const [ixDuck, ixPg] = await both('POST', '/insights/v1/exports', {
      outputFormat: 'CSV', reports: ['SUBSCRIPTIONS', 'USERS', 'USAGE', 'USAGE_REPORT'], startDate: '2025-02-01T00:00:00Z', endDate: '2025-03-31T00:00:00Z',
      usageReports: ['USAGE_REPORT_BY_PRODUCT'],
    });
    const files = await Promise.all([[tfDuck, ixDuck], [tfPg, ixPg]].map(async ([tf, ix], i) => {
      const side = sides[i]!;
      const tfDone = await poll(side, `/tokenflex/v1/export/${CONTRACT}/requests/${encodeURIComponent(String(tf!.requestKey))}`, (b) => b.requestStatus !== 'Requested');
      assert.equal(tfDone.requestStatus, 'Download', `${side.name}: ${JSON.stringify(tfDone)}`);
      const ixDone = await poll(side, `/insights/v1/exports/${String(ix!.id)}`, (b) => b.status !== 'SUBMITTED');
      assert.equal(ixDone.status, 'COMPLETED', `${side.name}: ${JSON.stringify(ixDone)}`);
      const urls = [String(tfDone.downloadUrl), ...(ixDone.downloads as { downloadURL: string }[]).map((d) => d.downloadURL)];
      return Promise.all(urls.map(async (url) => {
        const link = new URL(url);
        const response = await fetch(`${side.server.url}${link.pathname}${link.search}`);
        assert.equal(response.status, 200);
        return response.text();
      }));
    }));
    assert.equal(files[1]!.length, files[0]!.length);
    for (let i = 0; i < files[0]!.length; i++) {
      const [duck, pg] = [files[0]![i]!, files[1]![i]!];
      assert.ok(duck.split('\r\n').length > 2, `file ${i} has rows`);
      // The session export has no defined row order; the Insights reports do.
      const lines = (text: string) => (i === 0 ? text.split('\r\n').sort() : text.split('\r\n'));
      assert.deepEqual(lines(pg), lines(duck), `file ${i}`);
    }
  });
});
