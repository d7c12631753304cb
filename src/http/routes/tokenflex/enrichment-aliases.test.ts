import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore } from '../../../../test/helpers/build-app.js';
import { pollUntil } from '../../../../test/helpers/poll.js';

// Issue 22, spec §4: a contract's enrichment category names (GET /contract/:c/enrichment) are
// aliases of their customFieldN in `fields` and `where`, queries and exports alike; the answer's
// column is named as the request named it.

let store: Store;
before(async (t) => {
  store = await openSeededStore(t as never, 2_000);
});

type App = Awaited<ReturnType<typeof buildTestApp>>['app'];
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const finished = (body: Record<string, unknown>) => body.status !== 'QUEUED' && body.status !== 'PROCESSING';

/** A contract of admin's with a `Department` category, and that category's customFieldN. */
async function contractWithDepartment(app: App, token: string): Promise<{ contract: string; field: string }> {
  for (const { contractNumber } of (await app.inject({ url: '/tokenflex/v1/contract', headers: bearer(token) })).json() as { contractNumber: string }[]) {
    const names = (await app.inject({ url: `/tokenflex/v1/contract/${contractNumber}/enrichment`, headers: bearer(token) })).json() as string[];
    const index = names.indexOf('Department');
    if (index >= 0) return { contract: contractNumber, field: `customField${index + 1}` };
  }
  throw new Error('no demo contract has a Department category');
}

async function query(app: App, token: string, contract: string, body: object): Promise<Record<string, unknown>> {
  const submit = await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: bearer(token), payload: body });
  assert.equal(submit.statusCode, 200, submit.body);
  return pollUntil(app, `${String(submit.json().detail_uri)}?limit=1000`, token, finished);
}

describe('enrichment category names as field aliases', () => {
  test('in fields: the column is named as requested and holds the customFieldN values', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const { contract, field } = await contractWithDepartment(app, token);
    const byName = await query(app, token, contract, { fields: ['Department'], metrics: ['tokensConsumed'], usageCategory: ['DESKTOP_PRODUCT'] });
    const byField = await query(app, token, contract, { fields: [field], metrics: ['tokensConsumed'], usageCategory: ['DESKTOP_PRODUCT'] });
    assert.equal(byName.status, 'DONE', JSON.stringify(byName));
    const named = byName.result as { columns: string[]; rows: unknown[][] };
    const plain = byField.result as { columns: string[]; rows: unknown[][] };
    assert.deepEqual(named.columns, ['Department', 'tokensConsumed']);
    assert.deepEqual(plain.columns, [field, 'tokensConsumed']);
    assert.ok(named.rows.length > 0);
    const sort = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
    assert.deepEqual(sort(named.rows), sort(plain.rows));
  });

  test('in where: filters as the customFieldN it names', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const { contract, field } = await contractWithDepartment(app, token);
    const values = (await app.inject({ url: `/tokenflex/v1/contract/${contract}/enrichment/Department`, headers: bearer(token) })).json() as string[];
    const value = values.find((v) => v !== '')!;
    const byName = await query(app, token, contract, { fields: ['productName'], metrics: ['tokensConsumed'], where: `Department = '${value}'` });
    const byField = await query(app, token, contract, { fields: ['productName'], metrics: ['tokensConsumed'], where: `${field} = '${value}'` });
    assert.equal(byName.status, 'DONE', JSON.stringify(byName));
    assert.deepEqual(byName.result, byField.result);
    assert.ok((byName.result as { total: number }).total > 0);
  });

  test('an unknown name still answers 400 with "did you mean"', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const { contract } = await contractWithDepartment(app, token);
    const response = await app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: bearer(token), payload: { fields: ['Departmnt'], metrics: ['tokensConsumed'] } });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().Code, 'BadRequestError');
    assert.match(response.json().Message, /Department/);
  });

  test('in an export request: the CSV column is named as requested', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const { contract } = await contractWithDepartment(app, token);
    const submit = await app.inject({
      method: 'POST', url: `/tokenflex/v1/export/${contract}/requests`, headers: bearer(token),
      payload: { fields: ['Department', 'productName'], metrics: ['tokensConsumed'], where: "Department <> ''", downloadFileName: 'by-department' },
    });
    assert.equal(submit.statusCode, 200, submit.body);
    const done = await pollUntil(app, `/tokenflex/v1/export/${contract}/requests/${encodeURIComponent(String(submit.json().requestKey))}`, token,
      (body) => body.requestStatus !== 'Requested');
    assert.equal(done.requestStatus, 'Download', JSON.stringify(done));
    const link = new URL(String(done.downloadUrl));
    const file = await app.inject({ url: `${link.pathname}${link.search}` });
    assert.equal(file.statusCode, 200);
    assert.equal(file.body.split('\r\n')[0], 'Department,productName,tokensConsumed');
  });
});
