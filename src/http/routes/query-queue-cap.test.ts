import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildTestApp, openSeededStore } from '../../../test/helpers/build-app.js';

// Issue 19, back-pressure a client can see: a user may have QUERY_QUEUE_PER_USER usage queries
// unfinished at once, Insights and Token Flex together; past it a submit is 429 with Retry-After,
// in the family's body. No worker runs here (concurrency 0), so submitted queries stay queued;
// each test has a store of its own, so none inherits another's queue.

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let serial = 0;
const insightsQuery = () => ({ fields: ['productName'], metrics: ['uniqueUsers'], where: `productName <> 'cap ${++serial}'` });
const tokenflexQuery = () => ({ fields: ['productName'], metrics: ['tokensConsumed'], where: `productName <> 'cap ${++serial}'` });

describe('the per-user cap on unfinished queries (QUERY_QUEUE_PER_USER)', () => {
  test('Insights: the submit past the cap is 429 TOO_MANY_REQUESTS with Retry-After, queued and limit; a canceled query frees a place', async (t) => {
    const store = await openSeededStore(t, 500);
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 0, maxPendingQueriesPerUser: 3 }, { submitHoldMs: 0 });
    const headers = bearer(await tokenFor('alice@example.com'));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const accepted = await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers, payload: insightsQuery() });
      assert.equal(accepted.statusCode, 200, accepted.body);
      ids.push(accepted.json().id);
    }
    const refused = await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers, payload: insightsQuery() });
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(refused.headers['retry-after'], '5');
    const body = refused.json();
    assert.equal(body.title, 'TOO_MANY_REQUESTS');
    assert.equal(body.code, 'QUERY_QUEUE_FULL');
    assert.match(body.detail, /3 queries queued or running; at most 3/);
    assert.equal(body.queued, 3);
    assert.equal(body.limit, 3);

    const canceled = await app.inject({ method: 'DELETE', url: `/insights/v1/usage-queries/${ids[0]}`, headers });
    assert.equal(canceled.statusCode, 204, canceled.body);
    const again = await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers, payload: insightsQuery() });
    assert.equal(again.statusCode, 200, again.body);
  });

  test('Token Flex counts with Insights: its submit past the cap is 429 TooManyRequestsError; another user is not held back', async (t) => {
    const store = await openSeededStore(t, 500);
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 0, maxPendingQueriesPerUser: 2 }, { submitHoldMs: 0 });
    const headers = bearer(await tokenFor('admin@example.com'));
    const [contract] = (await app.inject({ url: '/tokenflex/v1/contract', headers })).json() as { contractNumber: string }[];
    assert.equal((await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers, payload: insightsQuery() })).statusCode, 200);
    const url = `/tokenflex/v1/usage/${contract!.contractNumber}/query`;
    assert.equal((await app.inject({ method: 'POST', url, headers, payload: tokenflexQuery() })).statusCode, 200);
    const refused = await app.inject({ method: 'POST', url, headers, payload: tokenflexQuery() });
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(refused.headers['retry-after'], '5');
    assert.equal(refused.json().Code, 'TooManyRequestsError');
    assert.match(refused.json().Message, /at most 2 may be unfinished/);

    const other = bearer(await tokenFor('alice@example.com'));
    assert.equal((await app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: other, payload: insightsQuery() })).statusCode, 200);
  });

  test('a burst of concurrent submits never passes the cap', async (t) => {
    const store = await openSeededStore(t, 500);
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 0, maxPendingQueriesPerUser: 4 }, { submitHoldMs: 0 });
    const headers = bearer(await tokenFor('admin@example.com'));
    const statuses = await Promise.all(Array.from({ length: 12 }, () => app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers, payload: insightsQuery() })
      .then((response) => response.statusCode)));
    assert.deepEqual([...statuses].sort(), [...Array(4).fill(200), ...Array(8).fill(429)]);
  });
});
