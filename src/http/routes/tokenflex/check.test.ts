import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore } from '../../../../test/helpers/build-app.js';

let store: Store;
before(async (t) => {
  store = await openSeededStore(t as never, 500);
});

// Issue 18: the console's `where` editor checks Token Flex queries as the user types.
describe('POST /tokenflex/v1/usage/:c/query/check', () => {
  test('answers the columns of a valid query, and the where error of a bad one with its caret', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('alice@example.com', ['data:read']);
    const [contract] = (await app.inject({ url: '/tokenflex/v1/contract', headers: { authorization: `Bearer ${token}` } })).json() as { contractNumber: string }[];
    const url = `/tokenflex/v1/usage/${contract!.contractNumber}/query/check`;
    const valid = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: { fields: ['usageDate'], metrics: ['tokensConsumed'], where: 'contractYear = 1' } });
    assert.equal(valid.statusCode, 200, valid.body);
    assert.deepEqual(valid.json(), { valid: true, columns: ['usageDate', 'tokensConsumed'] });
    const bad = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: { fields: ['usageDate'], where: 'usageDate >' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().Code, 'BadRequestError');
    assert.ok(bad.json().position);
  });

  test('a contract the caller does not manage is 403 ForbiddenError', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const admin = await tokenFor('admin@example.com', ['data:read']);
    const alice = await tokenFor('alice@example.com', ['data:read']);
    const mine = new Set(((await app.inject({ url: '/tokenflex/v1/contract', headers: { authorization: `Bearer ${alice}` } })).json() as { contractNumber: string }[]).map((c) => c.contractNumber));
    const other = ((await app.inject({ url: '/tokenflex/v1/contract', headers: { authorization: `Bearer ${admin}` } })).json() as { contractNumber: string }[])
      .find((c) => !mine.has(c.contractNumber))!;
    const response = await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${other.contractNumber}/query/check`, headers: { authorization: `Bearer ${alice}` }, payload: { fields: ['usageDate'] } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().Code, 'ForbiddenError');
  });
});
