import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Store } from '../../store/index.js';
import { buildTestApp, openSeededStore } from '../../../test/helpers/build-app.js';

// Issue 22, spec §3.2 and §4: a query submit waits up to the submit hold (SUBMIT_HOLD_MS, default
// 2 s, 0 off) and answers a query that finished within it inline; otherwise SUBMITTED / QUEUED,
// never RUNNING / PROCESSING. The holds here are generous for a fast query on a busy machine and
// short for one no worker will run, so neither depends on timing.

let store: Store;
before(async (t) => {
  store = await openSeededStore(t as never, 1_000);
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
// Each test asks a query of its own: an identical query with a live result would be answered from it.
let serial = 0;
const insightsQuery = () => ({ fields: ['productName'], metrics: ['uniqueUsers', 'totalTokens'], where: `productName <> 'none ${++serial}'`, orderBy: 'productName ASC' });
const tokenflexQuery = () => ({ fields: ['productName'], metrics: ['tokensConsumed'], usageCategory: ['DESKTOP_PRODUCT'], where: `productName <> 'none ${++serial}'` });

async function contractOf(app: Awaited<ReturnType<typeof buildTestApp>>['app'], token: string): Promise<string> {
  const [first] = (await app.inject({ url: '/tokenflex/v1/contract', headers: bearer(token) })).json() as { contractNumber: string }[];
  return first!.contractNumber;
}

describe('the submit hold on POST /insights/v1/usage-queries', () => {
  test('a query that finishes within the hold answers COMPLETED with the first page inline', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store, {}, { submitHoldMs: 30_000 });
    const response = await app.inject({ method: 'POST', url: '/insights/v1/usage-queries?limit=2', headers: bearer(await tokenFor('admin@example.com')), payload: insightsQuery() });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.status, 'COMPLETED');
    assert.deepEqual(body.columns, ['productName', 'uniqueUsers', 'totalTokens']);
    assert.equal(body.rows.length, 2);
    assert.equal(body.pagination.limit, 2);
    assert.ok(body.pagination.totalResults >= 2);
    assert.equal(typeof body.startTime, 'number');
    assert.equal(response.headers.location, `/insights/v1/usage-queries/${body.id}`);
  });

  test('a query that does not finish within the hold answers SUBMITTED when the hold ends', async (t) => {
    // No worker: the query stays queued.
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 0 }, { submitHoldMs: 300 });
    const started = performance.now();
    const response = await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(await tokenFor('admin@example.com')), payload: insightsQuery() });
    const held = performance.now() - started;
    assert.equal(response.statusCode, 200);
    assert.deepEqual(Object.keys(response.json()).sort(), ['id', 'startTime', 'status']);
    assert.equal(response.json().status, 'SUBMITTED');
    assert.ok(held >= 295, `held ${held.toFixed(0)} ms`);
  });

  test('a query a worker already picked up answers SUBMITTED, never RUNNING (hold off)', async (t) => {
    // Idle workers: the submit creates the job already claimed (running), and with no hold the answer is immediate.
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 2 }, { submitHoldMs: 0 });
    const token = await tokenFor('admin@example.com');
    const response = await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: bearer(token), payload: insightsQuery() });
    const job = await store.getJob(response.json().id);
    assert.ok(job, 'the job exists');
    assert.equal(response.json().status, 'SUBMITTED');
  });
});

describe('the submit hold on POST /tokenflex/v1/usage/:c/query', () => {
  test('a query that finishes within the hold answers DONE with result inline (result.total)', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store, {}, { submitHoldMs: 30_000 });
    const token = await tokenFor('admin@example.com');
    const contract = await contractOf(app, token);
    const response = await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: bearer(token), payload: tokenflexQuery() });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.status, 'DONE');
    assert.deepEqual(body.result.columns, ['productName', 'tokensConsumed']);
    assert.equal(typeof body.result.total, 'number');
    assert.equal(body.result.rows.length, Math.min(body.result.total, 100));
    assert.equal(body.detail_uri, `/tokenflex/v1/usage/${contract}/query/${body.id}`);
  });

  test('a query that does not finish within the hold answers QUEUED', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 0 }, { submitHoldMs: 300 });
    const token = await tokenFor('admin@example.com');
    const contract = await contractOf(app, token);
    const response = await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: bearer(token), payload: tokenflexQuery() });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().status, 'QUEUED');
    assert.equal(response.json().result, undefined);
  });

  test('a query a worker already picked up answers QUEUED, never PROCESSING (hold off)', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 2 }, { submitHoldMs: 0 });
    const token = await tokenFor('admin@example.com');
    const contract = await contractOf(app, token);
    const response = await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: bearer(token), payload: tokenflexQuery() });
    assert.equal(response.json().status, 'QUEUED');
  });
});
