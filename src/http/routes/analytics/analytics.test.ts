import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildTestApp, openSeededStore, type TestApp } from '../../../../test/helpers/build-app.js';
import { suiteScope } from '../../../../test/helpers/suite-scope.js';

// `/analytics/v1` over the demo data (issue 17): each answer's shape, tenancy and bad parameters.
// The figures themselves are checked by hand in test/e2e/analytics-acceptance.test.ts and against
// the reference sweep in the contract suite.
const LONDON_TEAM = '4865648';
const LONDON_CONTRACT = '110001034275';
const NOW = new Date('2025-11-15T12:00:00Z');

let t: TestApp;
let admin: string;
const ctx = suiteScope();

before(async () => {
  t = await buildTestApp(ctx, await openSeededStore(ctx), {}, { now: () => NOW });
  admin = await t.tokenFor('admin@example.com');
});

async function get(url: string, token = admin) {
  const response = await t.app.inject({ url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.statusCode, type: String(response.headers['content-type']), body: response.json() as Record<string, unknown> };
}

function paths(body: Record<string, unknown>): string[] {
  return (body.errors as { path: string }[] | undefined ?? []).map((e) => e.path);
}

describe('answers', () => {
  test('the forecast covers the contract year holding today: actual days up to yesterday, forecast days to its end', async () => {
    const { status, body } = await get(`/analytics/v1/contracts/${LONDON_CONTRACT}/forecast`);
    assert.equal(status, 200);
    const year = body.contractYear as { startDate: string; endDate: string };
    assert.ok(year.startDate <= '2025-11-15' && '2025-11-15' <= year.endDate);
    assert.equal(body.asOf, '2025-11-14');
    const actual = body.actual as { date: string }[];
    const forecast = body.forecast as { date: string; cumulative: { tokens: number; low80: number; high80: number } }[];
    assert.equal(actual.at(-1)?.date, '2025-11-14');
    assert.equal(forecast[0]?.date, '2025-11-15');
    assert.equal(forecast.at(-1)?.date, year.endDate);
    for (const day of forecast) assert.ok(day.cumulative.low80 <= day.cumulative.tokens && day.cumulative.tokens <= day.cumulative.high80);
    assert.deepEqual((body.backtest as { days: number }[]).map((h) => h.days), [30, 60, 90]);
    assert.ok((body.pools as { year: unknown }).year);
  });

  test('an earlier contract year is answered in full, with an empty forecast', async () => {
    const { status, body } = await get(`/analytics/v1/contracts/${LONDON_CONTRACT}/forecast?contractYear=1`);
    assert.equal(status, 200);
    assert.deepEqual(body.forecast, []);
    assert.equal(body.asOf, (body.contractYear as { endDate: string }).endDate);
  });

  test('the advice names its period (the 12 months up to yesterday by default) and lists the products it left out', async () => {
    const { status, body } = await get(`/analytics/v1/contracts/${LONDON_CONTRACT}/advice`);
    assert.equal(status, 200);
    assert.deepEqual(body.period, { from: '2024-11-15', to: '2025-11-14', months: 12, annualisation: 1 });
    assert.ok(Array.isArray(body.recommendations) && Array.isArray(body.leftOut));
  });

  test('idle seats count the team\'s seats per product', async () => {
    const { status, body } = await get(`/analytics/v1/teams/${LONDON_TEAM}/idle-seats?days=60`);
    assert.equal(status, 200);
    assert.equal(body.since, '2025-09-17');
    const totals = body.totals as { assignedSeats: number; idleSeats: number };
    const products = body.products as { assignedSeats: number; idleSeats: number }[];
    assert.equal(totals.assignedSeats, products.reduce((sum, p) => sum + p.assignedSeats, 0));
    assert.equal(totals.idleSeats, (body.seats as unknown[]).length);
  });

  test('concurrency lists hours with their peak, the top periods and each product\'s busiest', async () => {
    const { status, body } = await get(`/analytics/v1/contracts/${LONDON_CONTRACT}/concurrency?granularity=hour&from=2025-10-01&to=2025-10-31&top=3`);
    assert.equal(status, 200);
    const periods = body.periods as { periodStart: string; peakAt: string; peakSessions: number; distinctUsers: number }[];
    assert.ok(periods.length > 0);
    for (const p of periods) {
      assert.ok(p.peakAt >= p.periodStart && Date.parse(p.peakAt) < Date.parse(p.periodStart) + 3_600_000);
      assert.ok(p.peakSessions >= 1 && p.distinctUsers >= 1);
    }
    const top = body.top as { peakSessions: number }[];
    assert.equal(top.length, 3);
    assert.equal(top[0]!.peakSessions, Math.max(...periods.map((p) => p.peakSessions)));
  });
});

describe('who may ask', () => {
  test('no token is 401; a token without data:read is 403', async () => {
    assert.equal((await get(`/analytics/v1/contracts/${LONDON_CONTRACT}/forecast`, '')).status, 401);
    const writeOnly = await t.tokenFor('admin@example.com', ['data:write']);
    assert.equal((await get(`/analytics/v1/contracts/${LONDON_CONTRACT}/forecast`, writeOnly)).status, 403);
  });

  test('another team\'s or contract\'s answers are 403 ACCESS_DENIED, as problem+json; an unknown one alike', async () => {
    const alice = await t.tokenFor('alice@example.com');
    const contracts = (await t.store.listManagedContracts((await t.store.findUserByEmail('alice@example.com'))!.id)).map((c) => c.contractNumber);
    const teams = (await t.store.listAdministeredTeams((await t.store.findUserByEmail('alice@example.com'))!.id)).map((team) => team.teamId);
    const otherContract = (await t.store.listContracts({ offset: 0, limit: 100 })).items.find((c) => !contracts.includes(c.contractNumber))!.contractNumber;
    const otherTeam = (await t.store.listTeams({ offset: 0, limit: 100 })).items.find((team) => !teams.includes(team.teamId))!.teamId;
    for (const url of [
      `/analytics/v1/contracts/${otherContract}/forecast`, `/analytics/v1/contracts/${otherContract}/advice`,
      `/analytics/v1/contracts/${otherContract}/concurrency`, `/analytics/v1/teams/${otherTeam}/idle-seats`,
      '/analytics/v1/contracts/NO-SUCH-CONTRACT/forecast', '/analytics/v1/teams/NO-SUCH-TEAM/idle-seats',
    ]) {
      const { status, type, body } = await get(url, alice);
      assert.equal(status, 403, url);
      assert.match(type, /^application\/problem\+json/);
      assert.equal(body.code, 'ACCESS_DENIED');
    }
    if (contracts[0]) assert.equal((await get(`/analytics/v1/contracts/${contracts[0]}/advice`, alice)).status, 200);
  });
});

describe('bad parameters are 400 naming the parameter', () => {
  const cases: readonly [string, string][] = [
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/forecast?contractYear=first`, 'querystring/contractYear'],
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/forecast?contractYear=9`, 'querystring/contractYear'],
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/forecast?year=1`, 'querystring/year'],
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/advice?from=2025-02-30`, 'querystring/from'],
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/advice?from=yesterday`, 'querystring/from'],
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/advice?from=2025-06-01&to=2025-05-01`, 'querystring/to'],
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/advice?from=2020-01-01&to=2025-05-01`, 'querystring/from'],
    [`/analytics/v1/teams/${LONDON_TEAM}/idle-seats?days=0`, 'querystring/days'],
    [`/analytics/v1/teams/${LONDON_TEAM}/idle-seats?days=many`, 'querystring/days'],
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/concurrency?granularity=week`, 'querystring/granularity'],
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/concurrency?top=0`, 'querystring/top'],
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/concurrency?productLineCode=a%20b`, 'querystring/productLineCode'],
    [`/analytics/v1/contracts/${LONDON_CONTRACT}/concurrency?granularity=hour&from=2025-01-01&to=2025-10-31`, 'querystring/from'],
  ];
  for (const [url, path] of cases) {
    test(`${url.replace(/^.*v1\//, '')} → ${path}`, async () => {
      const { status, type, body } = await get(url);
      assert.equal(status, 400, JSON.stringify(body));
      assert.match(type, /^application\/problem\+json/);
      assert.equal(body.code, 'REQUEST_INVALID');
      assert.deepEqual(paths(body), [path]);
    });
  }
});

test('the OpenAPI document describes every field of every analytics answer', async () => {
  const doc = (await t.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>> };
  const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/analytics/v1/'));
  assert.equal(paths.length, 4);
  const undescribed: string[] = [];
  const walk = (schema: unknown, where: string): void => {
    if (schema === null || typeof schema !== 'object') return;
    const node = schema as { properties?: Record<string, { description?: string }>; items?: unknown; anyOf?: unknown[] };
    for (const [name, property] of Object.entries(node.properties ?? {})) {
      if (!property.description && !(property as { anyOf?: { description?: string }[] }).anyOf?.some((s) => s.description)) undescribed.push(`${where}.${name}`);
      walk(property, `${where}.${name}`);
    }
    if (node.items) walk(node.items, `${where}[]`);
    for (const alternative of node.anyOf ?? []) walk(alternative, where);
  };
  for (const path of paths) walk(doc.paths[path]!.get!.responses['200']!.content['application/json']!.schema, path);
  assert.deepEqual(undescribed, []);
});
