import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { before, describe, test } from 'node:test';
import type { Store } from '../store/index.js';
import { buildTestApp, openSeededStore, type TestApp } from '../../test/helpers/build-app.js';

// Issue 19 items 6 and 9, issue 22 "lenient where the originals are lenient": bad numbers, dates
// and bodies are 400s naming the parameter, never 500; text is coerced, JSON never.
let store: Store;
let testApp: TestApp;
let auth: { authorization: string };
let team: string;
let contract: string;
before(async (t) => {
  store = await openSeededStore(t as never, 500);
  testApp = await buildTestApp(t as never, store);
  auth = { authorization: `Bearer ${await testApp.tokenFor('admin@example.com')}` };
  team = (await testApp.app.inject({ url: '/insights/v1/contexts', headers: auth })).json()[0].contextId;
  contract = (await testApp.app.inject({ url: '/tokenflex/v1/contract', headers: auth })).json()[0].contractNumber;
});

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = {}) {
  return testApp.app.inject({ method, url, headers: { ...auth, ...headers }, ...(payload === undefined ? {} : { payload: payload as string }) });
}

function assertBadRequest(response: { statusCode: number; body: string }, names: RegExp): void {
  assert.equal(response.statusCode, 400, response.body);
  assert.match(response.body, names);
}

describe('integers of every paged route are bounded', () => {
  const pages = () => [
    `/admin/v1/teams`, `/admin/v1/users`, `/admin/v1/contracts`, `/admin/v1/products`, `/admin/v1/clients`, `/admin/v1/subscriptions`,
  ];
  for (const bad of ['99999999999999999999', '1e400', 'Infinity', '-Infinity', '0x10', '1.5', ' 5', 'NaN']) {
    test(`offset=${bad} and limit=${bad} are 400s naming the parameter`, async () => {
      for (const url of pages()) {
        assertBadRequest(await call('GET', `${url}?offset=${encodeURIComponent(bad)}`), /querystring\/offset/);
        assertBadRequest(await call('GET', `${url}?limit=${encodeURIComponent(bad)}`), /querystring\/limit/);
      }
      const query = { fields: ['productName'], metrics: [] };
      assertBadRequest(await call('POST', `/insights/v1/usage-queries?offset=${encodeURIComponent(bad)}`, query), /querystring\/offset/);
      assertBadRequest(await call('GET', `/insights/v1/usage-queries/${'0'.repeat(64)}?limit=${encodeURIComponent(bad)}`), /querystring\/limit/);
      assertBadRequest(await call('GET', `/tokenflex/v1/usage/${contract}/query/${'0'.repeat(64)}?offset=${encodeURIComponent(bad)}`), /querystring\/offset/);
    });
  }

  test('well-formed integers still read as numbers (signs and leading zeros too)', async () => {
    const response = await call('GET', '/admin/v1/teams?offset=00&limit=007');
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json().pagination.limit, 7);
  });
});

describe('dates are in 1970–9999 on every route and body', () => {
  test('Token Flex export requests: a date the database cannot hold is a 400 naming it', async () => {
    for (const [from, to, name] of [['10000-01-01', '10001-01-01', 'fromDate'], ['2025-01-01', '10001-01-01', 'toDate'], ['1969-12-31', '2025-01-01', 'fromDate'],
      ['+275760-09-13', '2025-01-01', 'fromDate'], ['not-a-date', '2025-01-01', 'fromDate']]) {
      const response = await call('GET', `/tokenflex/v1/export/${contract}/requests?fromDate=${from}&toDate=${to}`);
      assertBadRequest(response, new RegExp(`querystring/${name}`));
      assert.match(response.json().Code, /BadRequestError/);
    }
    assert.equal((await call('GET', `/tokenflex/v1/export/${contract}/requests?fromDate=2025-01-01&toDate=2025-02-01T00:00:00`)).statusCode, 200);
  });

  test('POST /insights/v1/exports refuses startDate -271821-04-20 at submit', async () => {
    const body = { outputFormat: 'CSV', reports: ['USAGE'], teamId: team };
    for (const [startDate, endDate, name] of [['-271821-04-20T00:00:00Z', '2025-01-01', 'startDate'], ['2025-01-01', '10000-01-01', 'endDate'], ['1969-01-01', '1969-02-01', 'startDate']]) {
      const response = await call('POST', '/insights/v1/exports', { ...body, startDate, endDate });
      assertBadRequest(response, new RegExp(`body/${name}`));
    }
  });

  test('admin days and Token Flex months outside the range are 400s', async () => {
    const product = { productLineCode: 'EDGE', version: '1', productName: 'Edge', featureCode: 'EDGE_F', dailyTokenRate: 1 };
    assertBadRequest(await call('POST', '/admin/v1/products', { ...product, effectiveFrom: '0001-01-01' }), /body\/effectiveFrom/);
    assertBadRequest(await call('POST', '/admin/v1/products', { ...product, effectiveTo: '1969-12-31' }), /body\/effectiveTo/);
    assertBadRequest(await call('GET', `/tokenflex/v1/usage/${contract}/summary?minUsageMonth=0001-01`), /querystring\/minUsageMonth/);
  });
});

describe('Content-Encoding: gzip', () => {
  const ndjson = { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' };
  test('a body that is not gzip is a 400', async () => {
    const response = await call('POST', '/admin/v1/usage', 'this is not gzip', ndjson);
    assertBadRequest(response, /not valid gzip/);
  });

  test('a truncated gzip body is a 400', async () => {
    const whole = gzipSync(Buffer.from(`${JSON.stringify({ usageCategory: 'DESKTOP_PRODUCT' })}\n`.repeat(2000)));
    const response = await call('POST', '/admin/v1/usage', whole.subarray(0, whole.length - 20) as unknown as string, ndjson);
    assertBadRequest(response, /not valid gzip/);
  });
});

describe('usage batches: CSV parser errors, bounds and UTF-8 are 400s naming the line', () => {
  test('the body a"b, a too-wide row, and bytes that are not UTF-8', async () => {
    const csv = { 'content-type': 'text/csv' };
    const quote = await call('POST', '/admin/v1/usage', 'a"b', csv);
    assertBadRequest(quote, /USAGE_BATCH_INVALID/);
    assert.equal(quote.json().errors[0].line, 1);
    const wide = await call('POST', '/admin/v1/usage', `contractNumber\nC1\n${','.repeat(300)}\n`, csv);
    assertBadRequest(wide, /more than 200 cells/);
    assert.equal(wide.json().errors[0].line, 3);
    const bad = Buffer.concat([Buffer.from('{"usageCategory":"MANUAL_ADJUSTMENT","reasonComment":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('"}\n')]);
    const ndjson = await call('POST', '/admin/v1/usage', bad as unknown as string, { 'content-type': 'application/x-ndjson' });
    assertBadRequest(ndjson, /not valid UTF-8/);
    assert.equal(ndjson.json().errors[0].line, 1);
  });
});

describe('lenient where the originals are lenient (Insights, Token Flex)', () => {
  test('a limit above 1000 is clamped and the page reports 1000', async () => {
    const submitted = await call('POST', '/insights/v1/usage-queries?limit=2000', { fields: ['productName'], metrics: [] }, { prefer: 'wait=30' });
    assert.equal(submitted.statusCode, 200, submitted.body);
    const id = submitted.json().id as string;
    const page = await call('GET', `/insights/v1/usage-queries/${id}?limit=2000&offset=0`, undefined, { prefer: 'wait=30' });
    assert.equal(page.statusCode, 200, page.body);
    assert.equal(page.json().pagination.limit, 1000);

    const flex = await call('POST', `/tokenflex/v1/usage/${contract}/query`, { fields: ['productName'], metrics: ['tokensConsumed'] }, { prefer: 'wait=30' });
    assert.equal(flex.statusCode, 200, flex.body);
    const flexPage = await call('GET', `/tokenflex/v1/usage/${contract}/query/${flex.json().id}?limit=2000`, undefined, { prefer: 'wait=30' });
    assert.equal(flexPage.statusCode, 200, flexPage.body);
    assert.equal(flexPage.json().result.limit, 1000);
  });

  test('unknown query parameters, a bare key too, are ignored; the admin API stays strict', async () => {
    const insights = await call('POST', '/insights/v1/usage-queries?offset=0&limit=100&4865648&foo=bar', { fields: ['productName'], metrics: [] });
    assert.equal(insights.statusCode, 200, insights.body);
    assert.equal((await call('GET', '/insights/v1/contexts?4865648')).statusCode, 200);
    assert.equal((await call('GET', `/tokenflex/v1/contract/${contract}/productName?4865648&x=1`)).statusCode, 200);
    assert.equal((await call('GET', `/tokenflex/v1/contract?offset=0&limit=100&4865648`)).statusCode, 200);
    assertBadRequest(await call('GET', '/admin/v1/teams?4865648'), /querystring\/4865648/);
  });

  test('a JSON body without Content-Type, or as text/plain, is read as JSON on compatible POSTs', async () => {
    const text = JSON.stringify({ fields: ['productName'], metrics: [] });
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'text/plain; charset=utf-8' }, {}]) {
      const insights = await testApp.app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: { ...auth, ...headers }, payload: text });
      assert.equal(insights.statusCode, 200, insights.body);
      const flex = await testApp.app.inject({ method: 'POST', url: `/tokenflex/v1/usage/${contract}/query`, headers: { ...auth, ...headers }, payload: text });
      assert.equal(flex.statusCode, 200, flex.body);
      const exportRequest = await testApp.app.inject({
        method: 'POST', url: `/tokenflex/v1/export/${contract}/requests`, headers: { ...auth, ...headers },
        payload: JSON.stringify({ fields: ['productName'], metrics: ['tokensConsumed'] }),
      });
      assert.ok([200, 201, 202].includes(exportRequest.statusCode), exportRequest.body);
    }
    const unknown = await testApp.app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: { ...auth, 'content-type': 'text/plain' }, payload: JSON.stringify({ fields: ['productName'], bogus: 1 }) });
    assertBadRequest(unknown, /body\/bogus/);
    const other = await testApp.app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<a/>' });
    assert.equal(other.statusCode, 415);
    const broken = await testApp.app.inject({ method: 'POST', url: '/insights/v1/usage-queries', headers: auth, payload: '{"fields":' });
    assert.equal(broken.statusCode, 400);
  });
});

describe('a path parameter over the length limit is a 414 in the family\'s shape (issue 19 item 11)', () => {
  test('Insights, Token Flex and admin', async () => {
    const long = 'z'.repeat(150);
    const insights = await call('GET', `/insights/v1/usage-queries/${long}`);
    assert.equal(insights.statusCode, 414);
    assert.equal(insights.json().title, 'URI_TOO_LONG');
    const flex = await call('GET', `/tokenflex/v1/contract/${long}`);
    assert.equal(flex.statusCode, 414);
    assert.equal(flex.json().Code, 'UriTooLongError');
    const admin = await call('GET', `/admin/v1/teams/${long}`);
    assert.equal(admin.statusCode, 414);
    assert.match(String(admin.headers['content-type']), /^application\/problem\+json/);
    assert.equal(admin.json().status, 414);
  });
});

describe('Token Flex usageCategory: an array or a single name, of the documented values', () => {
  test('a single name is read as a list of one; an unknown name is a 400 naming the field', async () => {
    const query = { fields: ['productName'], metrics: ['tokensConsumed'] };
    assert.equal((await call('POST', `/tokenflex/v1/usage/${contract}/query`, { ...query, usageCategory: 'DESKTOP_PRODUCT' })).statusCode, 200);
    assert.equal((await call('POST', `/tokenflex/v1/usage/${contract}/query`, { ...query, usageCategory: ['PRODUCT_CONSUMPTION'] })).statusCode, 200);
    const exported = await call('POST', `/tokenflex/v1/export/${contract}/requests`, { ...query, usageCategory: 'DESKTOP_PRODUCT' });
    assert.ok([200, 201, 202].includes(exported.statusCode), exported.body);
    assertBadRequest(await call('POST', `/tokenflex/v1/usage/${contract}/query`, { ...query, usageCategory: ['DESKTOP'] }), /body\/usageCategory/);
  });
});

describe('JSON bodies are never coerced (issue 19 item 9)', () => {
  test('null, false and [null] where a number, text or list of text belongs are 400s naming the property', async () => {
    const product = { productLineCode: 'EDGE9', version: '1', productName: 'Edge', featureCode: 'EDGE_F' };
    assertBadRequest(await call('POST', '/admin/v1/products', { ...product, dailyTokenRate: null }), /body\/dailyTokenRate/);
    assertBadRequest(await call('POST', '/admin/v1/products', { ...product, dailyTokenRate: '5' }), /body\/dailyTokenRate/);
    assertBadRequest(await call('POST', '/admin/v1/teams', { teamId: false, name: 'Edge team' }), /body\/teamId/);
    assertBadRequest(await call('POST', '/admin/v1/users', { email: 'edge@example.com', firstName: 'E', lastName: false }), /body\/lastName/);
    assertBadRequest(await call('PATCH', `/admin/v1/contracts/${contract}`, { enrichmentCategories: [null] }), /body\/enrichmentCategories\/0/);
    assertBadRequest(await call('POST', '/insights/v1/usage-queries', { fields: 'productName' }), /body\/fields/);
    assert.equal((await call('GET', '/admin/v1/products?limit=1')).statusCode, 200);
    assert.equal((await call('GET', '/admin/v1/teams/false')).statusCode, 404);
  });
});
