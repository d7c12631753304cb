import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore } from '../../../../test/helpers/build-app.js';

let store: Store;
before(async (t) => {
  store = await openSeededStore(t as never, 500);
});

// Issue 18: the console's `where` editor checks as the user types, without queueing queries.
describe('POST /insights/v1/usage-queries/check', () => {
  test('answers the columns of a valid query and queues nothing', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com', ['data:read']);
    const response = await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries/check', headers: { authorization: `Bearer ${token}` },
      payload: { fields: ['productName'], metrics: ['uniqueUsers'], where: "source = 'flex'" },
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { valid: true, columns: ['productName', 'uniqueUsers'] });
    const listed = await store.listJobs({ ownerUserId: (await store.findUserByEmail('admin@example.com'))!.id, kind: 'usage-query', api: 'insights', from: new Date(0), to: new Date(Date.now() + 60_000) });
    assert.equal(listed.length, 0);
  });

  test('answers a where mistake as the submit does: message, position, caret snippet', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com', ['data:read']);
    const response = await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries/check', headers: { authorization: `Bearer ${token}` },
      payload: { fields: ['productName'], metrics: ['uniqueUsers'], where: 'productName = ' },
    });
    assert.equal(response.statusCode, 400);
    const body = response.json();
    assert.equal(body.title, 'BAD_REQUEST');
    assert.equal(body.position.column, 14);
    assert.match(body.snippet, /\^/);
  });

  test('suggests the nearest field name for a typo', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com', ['data:read']);
    const response = await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries/check', headers: { authorization: `Bearer ${token}` },
      payload: { fields: ['productName'], where: "prodctName = 'AutoCAD'" },
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.json().detail, /productName/);
  });

  test('a team the caller does not administer is 403', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('alice@example.com', ['data:read']);
    const admin = await tokenFor('admin@example.com', ['data:read']);
    const teams = (await app.inject({ url: '/insights/v1/contexts', headers: { authorization: `Bearer ${admin}` } })).json() as { contextId: string }[];
    const mine = new Set(((await app.inject({ url: '/insights/v1/contexts', headers: { authorization: `Bearer ${token}` } })).json() as { contextId: string }[]).map((c) => c.contextId));
    const other = teams.find((team) => !mine.has(team.contextId))!;
    const response = await app.inject({
      method: 'POST', url: '/insights/v1/usage-queries/check', headers: { authorization: `Bearer ${token}` },
      payload: { fields: ['productName'], contextId: other.contextId },
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().title, 'ACCESS_DENIED');
  });
});

describe('GET /insights/v1/contexts/:contextId/subscriptions', () => {
  test('lists the team\'s subscriptions with seats bought and assigned, as the admin API has them', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('alice@example.com', ['data:read']);
    const [team] = (await app.inject({ url: '/insights/v1/contexts', headers: { authorization: `Bearer ${token}` } })).json() as { contextId: string }[];
    const response = await app.inject({ url: `/insights/v1/contexts/${team!.contextId}/subscriptions`, headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.statusCode, 200, response.body);
    const expected = await store.listSubscriptions({ teamId: team!.contextId }, { offset: 0, limit: 1000 });
    const body = response.json() as { subscriptionId: string; quantity: number; assignedSeats: number }[];
    assert.ok(expected.items.length > 0);
    assert.deepEqual(body.map((s) => [s.subscriptionId, s.quantity, s.assignedSeats]),
      expected.items.map((s) => [s.id, s.quantity, s.seats.length]));
  });

  test('another team is 403', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const admin = await tokenFor('admin@example.com', ['data:read']);
    const alice = await tokenFor('alice@example.com', ['data:read']);
    const mine = new Set(((await app.inject({ url: '/insights/v1/contexts', headers: { authorization: `Bearer ${alice}` } })).json() as { contextId: string }[]).map((c) => c.contextId));
    const other = ((await app.inject({ url: '/insights/v1/contexts', headers: { authorization: `Bearer ${admin}` } })).json() as { contextId: string }[])
      .find((team) => !mine.has(team.contextId))!;
    const response = await app.inject({ url: `/insights/v1/contexts/${other.contextId}/subscriptions`, headers: { authorization: `Bearer ${alice}` } });
    assert.equal(response.statusCode, 403);
  });
});
