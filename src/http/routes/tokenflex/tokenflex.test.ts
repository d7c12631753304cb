import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore } from '../../../../test/helpers/build-app.js';

let store: Store;
before(async (t) => {
  store = await openSeededStore(t as never);
});

async function contractsOf(app: Awaited<ReturnType<typeof buildTestApp>>['app'], token: string): Promise<{ contractNumber: string }[]> {
  return (await app.inject({ url: '/tokenflex/v1/contract', headers: { authorization: `Bearer ${token}` } })).json();
}

describe('GET /tokenflex/v1/contract', () => {
  test('lists only the contracts the caller manages', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const admin = await contractsOf(app, await tokenFor('admin@example.com'));
    const alice = await contractsOf(app, await tokenFor('alice@example.com'));
    assert.ok(admin.length > 1);
    assert.equal(alice.length, 1);
    assert.deepEqual(Object.keys(alice[0]!).sort(), ['contractEndDate', 'contractName', 'contractNumber', 'contractStartDate', 'isActive']);
  });
});

describe('GET /tokenflex/v1/contract/:contract_number', () => {
  test('returns the contract years with token figures computed from the usage', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const [first] = await contractsOf(app, token);
    const response = await app.inject({ url: `/tokenflex/v1/contract/${first!.contractNumber}`, headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.ok(body.contractYears.length >= 1);
    const consumed = body.contractYears.reduce((sum: number, y: { consumedTokens: number }) => sum + y.consumedTokens, 0);
    assert.ok(consumed > 0, 'some tokens were consumed');
    for (const year of body.contractYears) {
      assert.equal(year.remainingTokens, Math.max(0, Math.round((year.provisionedTokens - year.consumedTokens) * 100) / 100));
    }
  });

  test('a contract the caller does not manage answers 403 ForbiddenError', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const all = await contractsOf(app, await tokenFor('admin@example.com'));
    const mine = await contractsOf(app, await tokenFor('alice@example.com'));
    const other = all.find((c) => c.contractNumber !== mine[0]!.contractNumber)!;
    const response = await app.inject({ url: `/tokenflex/v1/contract/${other.contractNumber}`, headers: { authorization: `Bearer ${await tokenFor('alice@example.com')}` } });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().Code, 'ForbiddenError');
    assert.match(response.json().Message, /^ForbiddenError: /);
  });

  test('a contract that does not exist answers 403 too, revealing nothing', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({ url: '/tokenflex/v1/contract/999999999999', headers: { authorization: `Bearer ${await tokenFor('admin@example.com')}` } });
    assert.equal(response.statusCode, 403);
  });

  test('a malformed contract number answers 400 BadRequestError naming the parameter', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({ url: `/tokenflex/v1/contract/${encodeURIComponent("1' or '1'='1")}`, headers: { authorization: `Bearer ${await tokenFor('admin@example.com')}` } });
    assert.equal(response.statusCode, 400);
    const body = response.json();
    assert.equal(body.Code, 'BadRequestError');
    assert.equal(body.errors[0].path, 'params/contract_number');
  });
});
