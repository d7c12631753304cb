import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Store } from '../../../store/index.js';
import { STATUS_HOLD_MS } from '../../job-headers.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { buildTestApp, openSeededDatabases } from '../../../../test/helpers/build-app.js';
import { pollUntil } from '../../../../test/helpers/poll.js';

let store: Store;
let raw: DuckDBConnection;
before(async (t) => {
  ({ store, raw } = await openSeededDatabases(t as never, 20_000));
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const done = (body: Record<string, unknown>) => body.status !== 'SUBMITTED' && body.status !== 'RUNNING';

describe('POST /insights/v1/usage-queries', () => {
  test('a query runs to COMPLETED and its rows equal the aggregation computed from the raw records', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('alice@example.com');
    const [team] = (await app.inject({ url: '/insights/v1/contexts', headers: bearer(token) })).json() as { contextId: string }[];
    const submit = await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token),
      payload: { fields: ['productName'], metrics: ['uniqueUsers', 'totalTokens'], where: '', orderBy: 'productName ASC' },
    });
    assert.equal(submit.statusCode, 200, submit.body);
    const submitted = submit.json();
    assert.match(submitted.id, /^[0-9a-f]{64}$/);
    assert.ok(['SUBMITTED', 'RUNNING', 'COMPLETED'].includes(submitted.status));
    assert.equal(typeof submitted.startTime, 'number');
    assert.equal(submit.headers.location, `/insights/v1/usage-queries/${submitted.id}`);
    assert.equal(submit.headers['retry-after'], '1');

    const result = await pollUntil(app, `/insights/v1/usage-queries/${submitted.id}?limit=1000`, token, done);
    assert.equal(result.status, 'COMPLETED', JSON.stringify(result));
    assert.deepEqual(result.columns, ['productName', 'uniqueUsers', 'totalTokens']);

    // The same aggregation, computed independently from the raw records of alice's team.
    const expected = await rawRows(raw, team!.contextId);
    assert.deepEqual((result.rows as unknown[][]).map(([name, users, tokens]) => [name, users, round(tokens as number)]), expected);
    assert.deepEqual(result.pagination, { totalResults: expected.length, offset: 0, limit: 1000 });
  });

  test('usageCategory and userStatus (ours, issue 18) select and filter as the raw records and users say', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const submit = await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries?limit=1000', headers: { ...bearer(token), prefer: 'wait=30' },
      payload: { fields: ['usageCategory', 'userStatus'], metrics: ['uniqueUsers'], where: "usageCategory in ('DESKTOP_PRODUCT', 'CLOUD_PRODUCT') and userStatus = 'active'", orderBy: 'usageCategory ASC' },
    });
    assert.equal(submit.statusCode, 200, submit.body);
    const body = submit.json();
    assert.equal(body.status, 'COMPLETED', submit.body);
    assert.deepEqual(body.columns, ['usageCategory', 'userStatus', 'uniqueUsers']);
    const expected = (await raw.runAndReadAll(
      `select r.usage_category, u.status, cast(count(distinct r.user_id) as integer)
         from usage_records r join users u on u.id = r.user_id
        where r.team_id in (select m.team_id from team_members m join users a on a.id = m.user_id where a.email = 'admin@example.com' and m.is_admin)
          and r.usage_category in ('DESKTOP_PRODUCT', 'CLOUD_PRODUCT') and u.status = 'active'
        group by 1, 2 order by 1`)).getRowsJson();
    assert.ok(expected.length > 0);
    assert.deepEqual(body.rows, expected);
    const like = await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token),
      payload: { fields: ['userStatus'], metrics: ['uniqueUsers'], where: "userStatus like 'act%'" },
    });
    assert.equal(like.statusCode, 400, 'no LIKE on an enum field');
  });

  test('an identical query by the same user returns the stored result inline, COMPLETED', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const payload = { fields: ['usageMonth'], metrics: ['totalTokens'] };
    const first = (await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token), payload })).json();
    await pollUntil(app, `/insights/v1/usage-queries/${first.id}`, token, done);
    const again = (await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token), payload })).json();
    assert.equal(again.id, first.id);
    assert.equal(again.status, 'COMPLETED');
    assert.ok(Array.isArray(again.rows));
  });

  test('a context the caller does not administer answers 403 ACCESS_DENIED', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const admin = (await app.inject({ url: '/insights/v1/contexts', headers: bearer(await tokenFor('admin@example.com')) })).json() as { contextId: string }[];
    const alice = (await app.inject({ url: '/insights/v1/contexts', headers: bearer(await tokenFor('alice@example.com')) })).json() as { contextId: string }[];
    const other = admin.find((team) => team.contextId !== alice[0]!.contextId)!;
    const response = await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(await tokenFor('alice@example.com')),
      payload: { fields: ['productName'], metrics: ['uniqueUsers'], context: other.contextId },
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().title, 'ACCESS_DENIED');
  });

  test('a where clause error answers 400 with its position and a caret snippet', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(await tokenFor('admin@example.com')),
      payload: { fields: ['productName'], metrics: ['uniqueUsers'], where: "productNam = 'AutoCAD'" },
    });
    assert.equal(response.statusCode, 400);
    const body = response.json();
    assert.equal(body.title, 'BAD_REQUEST');
    assert.equal(body.code, 'FILTER_UNKNOWN_FIELD');
    assert.match(body.detail, /productName/);
    assert.deepEqual(body.position, { start: 0, end: 10, line: 1, column: 1 });
    assert.match(body.snippet, /\^{10}/);
  });

  test('an unknown body property answers 400 naming it', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(await tokenFor('admin@example.com')),
      payload: { fields: ['productName'], metric: ['uniqueUsers'] },
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json().errors, [{ path: 'body/metric', message: 'is not a known property' }]);
  });

  test('the same Idempotency-Key returns the same job, and with another body answers 422', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const headers = { ...bearer(await tokenFor('admin@example.com')), 'idempotency-key': 'key-1' };
    const first = (await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers, payload: { fields: ['source'], metrics: ['uniqueUsers'] } })).json();
    const second = (await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers, payload: { fields: ['source'], metrics: ['uniqueUsers'] } })).json();
    assert.equal(second.id, first.id);
    const conflict = await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers, payload: { fields: ['source'], metrics: ['totalTokens'] } });
    assert.equal(conflict.statusCode, 422);
    assert.equal(conflict.json().code, 'IDEMPOTENCY_KEY_REUSED');
  });
});

describe('GET /insights/v1/usage-queries/:queryId', () => {
  test('pages of a large result reassemble it exactly once, in order', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const submitted = (await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token),
      payload: { fields: ['userId', 'usageDate'], metrics: ['totalTokens'], orderBy: 'totalTokens DESC' },
    })).json();
    const first = await pollUntil(app, `/insights/v1/usage-queries/${submitted.id}?limit=1000`, token, done);
    const total = (first.pagination as { totalResults: number }).totalResults;
    assert.ok(total >= 10_000, `expected a result of at least 10,000 rows, got ${total}`);
    const all = await rawPagedResult(app, submitted.id, token, total, 1000);
    const pages: unknown[][] = [];
    for (let offset = 0; offset < total; offset += 100) {
      const page = (await app.inject({ url: `/insights/v1/usage-queries/${submitted.id}?offset=${offset}&limit=100`, headers: bearer(token) })).json();
      pages.push(...page.rows);
    }
    assert.equal(pages.length, total);
    assert.deepEqual(pages, all);
    assert.equal(new Set(pages.map((row) => JSON.stringify(row))).size, total, 'no row twice');
    const tokens = pages.map((row) => row[2] as number);
    assert.deepEqual(tokens, [...tokens].sort((a, b) => b - a), 'ordered by totalTokens DESC');
  });

  test('a status read of an unfinished query is held up to STATUS_HOLD_MS, then answers its status', async (t) => {
    // No worker: the query stays queued, so the read is held for the whole of the hold.
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 0 });
    const token = await tokenFor('alice@example.com');
    const submitted = (await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token), payload: { fields: ['productName'], metrics: ['totalTokens'] },
    })).json();
    assert.equal(submitted.status, 'SUBMITTED');
    const started = performance.now();
    const status = await app.inject({ url: `/insights/v1/usage-queries/${submitted.id}`, headers: bearer(token) });
    const held = performance.now() - started;
    assert.equal(status.statusCode, 200);
    assert.deepEqual(status.json(), { id: submitted.id, status: 'SUBMITTED' });
    // Timers may fire a millisecond early; the point is that the read waited for the query.
    assert.ok(held >= STATUS_HOLD_MS - 5, `held ${held.toFixed(1)} ms`);
    assert.equal(status.headers['preference-applied'], undefined, 'no Prefer: wait was asked for');
  });

  test('ETag answers 304 while nothing changed', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const submitted = (await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token), payload: { metrics: ['uniqueUsers'] } })).json();
    await pollUntil(app, `/insights/v1/usage-queries/${submitted.id}`, token, done);
    const response = await app.inject({ url: `/insights/v1/usage-queries/${submitted.id}`, headers: bearer(token) });
    const etag = response.headers.etag as string;
    assert.ok(etag);
    const again = await app.inject({ url: `/insights/v1/usage-queries/${submitted.id}`, headers: { ...bearer(token), 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    const otherPage = await app.inject({ url: `/insights/v1/usage-queries/${submitted.id}?offset=1`, headers: { ...bearer(token), 'if-none-match': etag } });
    assert.equal(otherPage.statusCode, 200);
  });

  test('another user\'s query answers 403, an unknown one 404, a malformed id 400', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const adminToken = await tokenFor('admin@example.com');
    const submitted = (await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(adminToken), payload: { metrics: ['totalTokens'] } })).json();
    const alice = bearer(await tokenFor('alice@example.com'));
    assert.equal((await app.inject({ url: `/insights/v1/usage-queries/${submitted.id}`, headers: alice })).statusCode, 403);
    assert.equal((await app.inject({ url: `/insights/v1/usage-queries/${'0'.repeat(64)}`, headers: alice })).statusCode, 404);
    const malformed = await app.inject({ url: '/insights/v1/usage-queries/xyz', headers: alice });
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().errors[0].path, 'params/queryId');
  });

  // Issue 22: a limit above 1000 is clamped, as Insights does (src/http/input-bounds.test.ts), no longer a 400.
  test('a negative offset or a limit that is not a number answers 400', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const headers = bearer(await tokenFor('admin@example.com'));
    assert.equal((await app.inject({ url: `/insights/v1/usage-queries/${'a'.repeat(64)}?offset=-1`, headers })).statusCode, 400);
    assert.equal((await app.inject({ url: `/insights/v1/usage-queries/${'a'.repeat(64)}?limit=abc`, headers })).statusCode, 400);
  });

  test('DELETE removes a finished query; it is 404 afterwards', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const submitted = (await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token), payload: { fields: ['version'], metrics: ['uniqueUsers'] } })).json();
    await pollUntil(app, `/insights/v1/usage-queries/${submitted.id}`, token, done);
    assert.equal((await app.inject({ method: 'DELETE', url: `/insights/v1/usage-queries/${submitted.id}`, headers: bearer(token) })).statusCode, 204);
    assert.equal((await app.inject({ url: `/insights/v1/usage-queries/${submitted.id}`, headers: bearer(token) })).statusCode, 404);
  });
});

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** productName, uniqueUsers, totalTokens of one team, by hand. */
async function rawRows(raw: DuckDBConnection, teamId: string): Promise<unknown[][]> {
  const reader = await raw.runAndReadAll(
    `select coalesce(parent_product_name, product_name) as p, cast(count(distinct user_id) as integer), round(sum(tokens_consumed), 3)
       from usage_records where team_id = $1 group by p order by p`, [teamId]);
  return reader.getRowsJson();
}

async function rawPagedResult(app: Awaited<ReturnType<typeof buildTestApp>>['app'], id: string, token: string, total: number, limit: number): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for (let offset = 0; offset < total; offset += limit) {
    rows.push(...((await app.inject({ url: `/insights/v1/usage-queries/${id}?offset=${offset}&limit=${limit}`, headers: bearer(token) })).json().rows as unknown[][]));
  }
  return rows;
}
