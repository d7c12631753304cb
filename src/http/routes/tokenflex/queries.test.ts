import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededDatabases } from '../../../../test/helpers/build-app.js';
import { pollUntil } from '../../../../test/helpers/poll.js';

let store: Store;
let raw: DuckDBConnection;
before(async (t) => {
  ({ store, raw } = await openSeededDatabases(t as never, 20_000));
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const finished = (body: Record<string, unknown>) => body.status !== 'QUEUED' && body.status !== 'PROCESSING';

async function firstContract(app: Awaited<ReturnType<typeof buildTestApp>>['app'], token: string): Promise<string> {
  const contracts = (await app.inject({ url: '/tokenflex/v1/contract', headers: bearer(token) })).json() as { contractNumber: string }[];
  return contracts[0]!.contractNumber;
}

async function runQuery(app: Awaited<ReturnType<typeof buildTestApp>>['app'], token: string, contract: string, payload: object) {
  const submit = await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: bearer(token), payload });
  assert.equal(submit.statusCode, 200, submit.body);
  const body = submit.json();
  assert.equal(body.detail_uri, `/tokenflex/v1/usage/${contract}/query/${body.id}`);
  return pollUntil(app, `${body.detail_uri}?limit=1000`, token, finished);
}

describe('POST /tokenflex/v1/usage/:contract_number/query', () => {
  test('the reference query with IN (…) equals the aggregation computed from the raw records', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const contract = await firstContract(app, token);
    const products = (await raw.runAndReadAll(
      'select product_name from usage_records where contract_number = $1 group by 1 order by count(*) desc limit 2', [contract])).getRowsJson().map((r) => String(r[0]));
    const where = `contractYear = 1 and productName IN ('${products[0]}', '${products[1]}')`;
    const result = await runQuery(app, token, contract, {
      fields: ['usageCategory', 'productName'], metrics: ['tokensConsumed'], usageCategory: ['DESKTOP_PRODUCT', 'CLOUD_PRODUCT'], where,
    });
    assert.equal(result.status, 'DONE', JSON.stringify(result));
    const expected = (await raw.runAndReadAll(
      `select usage_category, product_name, round(sum(tokens_consumed), 3) from usage_records
        where contract_number = $1 and contract_year = 1 and product_name in ($2, $3) and usage_category in ('DESKTOP_PRODUCT', 'CLOUD_PRODUCT')
        group by 1, 2 order by 1, 2`, [contract, products[0]!, products[1]!])).getRowsJson();
    const got = result.result as { columns: string[]; rows: unknown[][]; total: number };
    assert.deepEqual(got.columns, ['usageCategory', 'productName', 'tokensConsumed']);
    assert.deepEqual(got.rows.map(([c, p, v]) => [c, p, Math.round((v as number) * 1000) / 1000]), expected);
    assert.ok(expected.length > 0);
    assert.equal(got.total, expected.length);
  });

  test("the documented `contractYear = 2 and userName LIKE 'admin%'` runs and matches the raw records", async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const contract = await firstContract(app, token);
    const result = await runQuery(app, token, contract, {
      fields: ['userName'], metrics: ['tokensConsumed', 'useCount'], where: "contractYear = 2 and userName LIKE 'admin%'",
    });
    assert.equal(result.status, 'DONE');
    const expected = (await raw.runAndReadAll(
      `select user_name, round(sum(tokens_consumed), 3), cast(count(*) filter (where is_charged_event) as integer) from usage_records
        where contract_number = $1 and contract_year = 2 and user_name like 'admin%' group by 1 order by 1`, [contract])).getRowsJson();
    const rows = (result.result as { rows: unknown[][] }).rows;
    assert.deepEqual(rows.map(([u, v, c]) => [u, Math.round((v as number) * 1000) / 1000, c]), expected);
  });

  test('legacy usage category names are accepted', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const contract = await firstContract(app, token);
    const result = await runQuery(app, token, contract, { fields: ['usageCategory'], metrics: ['uniqueUsers'], usageCategory: ['PRODUCT_CONSUMPTION'] });
    assert.equal(result.status, 'DONE');
    assert.deepEqual((result.result as { rows: unknown[][] }).rows.map((row) => row[0]), ['DESKTOP_PRODUCT']);
  });

  test('a session-level field is refused with 400: session data is export-only', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const contract = await firstContract(app, token);
    const response = await app.inject({
      method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: bearer(token),
      payload: { fields: ['chargedItemID'], metrics: ['tokensConsumed'], usageCategory: ['DESKTOP_PRODUCT'] },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().Code, 'BadRequestError');
    assert.match(response.json().Message, /export/);
  });

  test('a contract the caller does not manage answers 403 ForbiddenError', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const all = (await app.inject({ url: '/tokenflex/v1/contract', headers: bearer(await tokenFor('admin@example.com')) })).json() as { contractNumber: string }[];
    const aliceToken = await tokenFor('alice@example.com');
    const mine = await firstContract(app, aliceToken);
    const other = all.find((c) => c.contractNumber !== mine)!.contractNumber;
    const response = await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${other}/query`, headers: bearer(aliceToken), payload: { metrics: ['tokensConsumed'] } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().Code, 'ForbiddenError');
  });
});

describe('injection attempts', () => {
  const attempts = [
    "productName = 'x'; drop table usage_records; --",
    "productName = 'x' union select * from users",
    "productName = '' or 1=1 --'",
    'productName = "x"',
    "productName = 'x' /* comment */",
    "productName = 'Ω\\u0027 or 1=1'",
    "productName = 'a'' or ''1''=''1'",
  ];

  test('hostile where clauses are rejected with 400 or treated as plain literals, and the database is unchanged', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const contract = await firstContract(app, token);
    const before = (await raw.runAndReadAll('select count(*), sum(tokens_consumed) from usage_records')).getRowsJson();
    const users = (await raw.runAndReadAll('select count(*) from users')).getRowsJson();
    for (const where of attempts) {
      const response = await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: bearer(token), payload: { fields: ['productName'], metrics: ['tokensConsumed'], where } });
      if (response.statusCode === 200) {
        const result = await pollUntil(app, response.json().detail_uri, token, finished);
        assert.equal(result.status, 'DONE', where);
        assert.deepEqual((result.result as { rows: unknown[] }).rows, [], `${where} matched rows as if it were SQL`);
      } else {
        assert.equal(response.statusCode, 400, `${where}: ${response.body}`);
      }
    }
    for (const fields of [["productName'; --"], ['productName) from users --']]) {
      const response = await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: bearer(token), payload: { fields, metrics: ['tokensConsumed'] } });
      assert.equal(response.statusCode, 400);
    }
    const orderBy = await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token), payload: { fields: ['productName'], metrics: ['totalTokens'], orderBy: 'productName; drop table users' } });
    assert.equal(orderBy.statusCode, 400);
    const path = await app.inject({ url: `/tokenflex/v1/contract/${encodeURIComponent("1 or 1=1")}/productName`, headers: bearer(token) });
    assert.equal(path.statusCode, 400);
    const query = await app.inject({ url: `/tokenflex/v1/contract/${contract}/productName?usageCategory=${encodeURIComponent("DESKTOP_PRODUCT') or ('1'='1")}`, headers: bearer(token) });
    assert.equal(query.statusCode, 400);
    // A fresh connection to the copy sees the same counts: nothing was written or dropped. The
    // server's own store is checked too: it still answers.
    assert.deepEqual((await raw.runAndReadAll('select count(*), sum(tokens_consumed) from usage_records')).getRowsJson(), before);
    assert.deepEqual((await raw.runAndReadAll('select count(*) from users')).getRowsJson(), users);
    assert.ok(await store.findUserByEmail('admin@example.com'));
  });
});

describe('Token Flex lookups', () => {
  test('value lists, enrichment, summary and last usage answer from the data', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const contract = await firstContract(app, token);
    const products = (await app.inject({ url: `/tokenflex/v1/contract/${contract}/productName?usageCategory=DESKTOP_PRODUCT`, headers: bearer(token) })).json() as string[];
    const expected = (await raw.runAndReadAll(
      "select distinct product_name from usage_records where contract_number = $1 and usage_category = 'DESKTOP_PRODUCT' and product_name <> '' order by 1", [contract])).getRowsJson().map((r) => r[0]);
    assert.deepEqual(products, expected);
    const enrichment = (await app.inject({ url: `/tokenflex/v1/contract/${contract}/enrichment`, headers: bearer(token) })).json() as string[];
    assert.equal(enrichment.length, 10);
    const named = enrichment.findIndex((name) => name !== '');
    if (named >= 0) {
      const byName = await app.inject({ url: `/tokenflex/v1/contract/${contract}/enrichment/${encodeURIComponent(enrichment[named]!)}`, headers: bearer(token) });
      const byField = await app.inject({ url: `/tokenflex/v1/contract/${contract}/enrichment/customField${named + 1}`, headers: bearer(token) });
      assert.equal(byName.statusCode, 200);
      assert.deepEqual(byName.json(), byField.json());
    }
    const summary = (await app.inject({ url: `/tokenflex/v1/usage/${contract}/summary?contractYear=1`, headers: bearer(token) })).json() as { tokensConsumed: number; contractYear: number }[];
    const total = (await raw.runAndReadAll('select coalesce(sum(tokens_consumed), 0) from usage_records where contract_number = $1 and contract_year = 1', [contract])).getRowsJson()[0]![0] as number;
    assert.ok(Math.abs(summary.reduce((sum, row) => sum + row.tokensConsumed, 0) - total) < 1);
    const last = await app.inject({ url: `/tokenflex/v1/usage/${contract}/last`, headers: bearer(token) });
    assert.equal(last.statusCode, 200);
    assert.ok((last.json() as unknown[]).length > 0);
  });
});

describe('query lifecycle', () => {
  test('Prefer: wait answers the POST with DONE and the first page when the query finishes in time', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const contract = await firstContract(app, token);
    const response = await app.inject({
      method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: { ...bearer(token), prefer: 'wait=30' },
      payload: { fields: ['tokenPool'], metrics: ['tokensConsumed'] },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['preference-applied'], 'wait=30');
    const body = response.json();
    assert.equal(body.status, 'DONE');
    assert.deepEqual(body.result.columns, ['tokenPool', 'tokensConsumed']);
  });

  test('a query past the execution cap ends TIMEOUT with the reason', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store, { queryTimeoutMs: 1 });
    const token = await tokenFor('admin@example.com');
    const contract = await firstContract(app, token);
    const result = await runQuery(app, token, contract, { fields: ['userName', 'usageDate', 'productName'], metrics: ['tokensConsumed', 'usageMinutes', 'uniqueProducts'] });
    assert.equal(result.status, 'TIMEOUT', JSON.stringify(result));
    assert.equal((result.error as { title: string }).title, 'QUERY_TIMEOUT');
  });

  test('a queued query canceled with DELETE on Insights ends ERROR with title CANCELED', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 0 });
    const token = await tokenFor('admin@example.com');
    const submitted = (await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token), payload: { fields: ['usageWeek'], metrics: ['totalTokens'] } })).json();
    assert.equal(submitted.status, 'SUBMITTED');
    assert.equal((await app.inject({ method: 'DELETE', url: `/insights/v1/usage-queries/${submitted.id}`, headers: bearer(token) })).statusCode, 204);
    const status = (await app.inject({ url: `/insights/v1/usage-queries/${submitted.id}`, headers: bearer(token) })).json();
    assert.equal(status.status, 'ERROR');
    assert.equal(status.error.title, 'CANCELED');
  });

  test('a status poll while queued carries Retry-After', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 0 });
    const token = await tokenFor('admin@example.com');
    const contract = await firstContract(app, token);
    const submitted = (await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: bearer(token), payload: { metrics: ['uniqueUsers'] } })).json();
    const status = await app.inject({ url: submitted.detail_uri, headers: bearer(token) });
    assert.equal(status.json().status, 'QUEUED');
    assert.equal(status.headers['retry-after'], '1');
  });
});
