import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildTestApp, type TestApp } from '../../../../test/helpers/build-app.js';
import { suiteScope } from '../../../../test/helpers/suite-scope.js';
import { FIXTURE_CONTRACT, FIXTURE_TEAM, openFixtureStore } from '../../../../test/helpers/usage-fixture.js';

// Issue 17's acceptance cases, computed by hand, on small contracts built through the admin and
// ingestion APIs (the fixture: contract FX1 of team TFX, users ann, bob, cy; Revit at 10 tokens a
// day, AutoCAD at 4, AutoCAD LT at 1). Runs on PostgreSQL too with TEST_STORE=postgres.
const NOW = new Date('2026-05-01T10:00:00Z');
const ctx = suiteScope();
let t: TestApp;
let token: string;

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown, contentType = 'application/json') {
  const response = await t.app.inject({
    method, url, headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json() as Record<string, unknown>;
}

/** A desktop session of the fixture's licence server at UTC (offset +00:00, so the usage day is the UTC day). */
function session(contractNumber: string, userName: string, productLineCode: string, start: string, end: string, source = 'flex'): string {
  return JSON.stringify({
    contractNumber, userName, productLineCode, productVersion: '2025', source, sessionStartDate: start, sessionEndDate: end,
    licenseServerTimeZoneOffset: '+00:00', machineName: 'WS-1', licenseServerName: 'lic-1',
  });
}

function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = Date.parse(`${from}T00:00:00Z`); d <= Date.parse(`${to}T00:00:00Z`); d += 86_400_000) out.push(new Date(d).toISOString().slice(0, 10));
  return out;
}
const isWeekday = (day: string) => ![0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());

before(async () => {
  t = await buildTestApp(ctx, await openFixtureStore(ctx), {}, { now: () => NOW });
  token = await t.tokenFor('admin@example.com');
  const admin = (await t.store.findUserByEmail('admin@example.com'))!.id;

  // 1. A contract whose only product costs 100 tokens a day, used on every weekday of 2026 up to 30 April.
  await call('POST', '/admin/v1/products', { productLineCode: 'HUN', version: '2025', productName: 'Hundred', featureCode: 'HUN_2025', dailyTokenRate: 100 });
  await call('POST', '/admin/v1/contracts', {
    contractNumber: 'FC1', contractName: 'Forecast', teamId: FIXTURE_TEAM, contractStartDate: '2026-01-01', contractEndDate: '2026-12-31',
    contractYears: [{ year: 1, startDate: '2026-01-01', endDate: '2026-12-31', provisionedTokens: 20_000 }], contractManagers: [admin],
  });
  const forecastLines = days('2026-01-01', '2026-04-30').filter(isWeekday)
    .map((day) => session('FC1', 'ann', 'HUN', `${day}T09:00:00Z`, `${day}T10:00:00Z`));

  // 2. Three overlapping AutoCAD sessions on FX1: 10:00–12:00, 11:00–13:00, 11:30–11:45.
  const concurrencyLines = [
    session(FIXTURE_CONTRACT, 'ann', 'ACD', '2026-04-15T10:00:00Z', '2026-04-15T12:00:00Z'),
    session(FIXTURE_CONTRACT, 'bob', 'ACD', '2026-04-15T11:00:00Z', '2026-04-15T13:00:00Z'),
    session(FIXTURE_CONTRACT, 'cy', 'ACD', '2026-04-15T11:30:00Z', '2026-04-15T11:45:00Z'),
  ];

  // 3. Revit (10 tokens a day) gets a seat price of 300 a year. In 2025, ann uses it on 40 days on Flex;
  //    bob holds a Revit seat and uses it on 5 days; cy holds an AutoCAD LT seat and never uses it.
  await call('PATCH', '/admin/v1/products/RVT/2025', { seatTokensPerYear: 300 });
  const subscription = (id: string, productLineCode: string, productName: string, seats: string[]) => call('POST', '/admin/v1/subscriptions', {
    id, teamId: FIXTURE_TEAM, contractNumber: FIXTURE_CONTRACT, productLineCode, productName, offeringType: 'Subscription', term: 'Annual',
    status: 'Active', quantity: 1, startDate: '2025-01-01', endDate: '2026-12-31', renewalDate: '2027-01-01', seats,
  });
  await subscription('SUB-RVT', 'RVT', 'Revit', ['UFX2']);
  await subscription('SUB-LT', 'ACDLT', 'AutoCAD LT', ['UFX3']);
  const annDays = days('2025-02-01', '2025-12-31').filter(isWeekday).slice(0, 40);
  const bobDays = ['2025-03-03', '2025-04-07', '2025-05-05', '2025-06-02', '2025-07-07'];
  const adviceLines = [
    ...annDays.map((day) => session(FIXTURE_CONTRACT, 'ann', 'RVT', `${day}T09:00:00Z`, `${day}T11:00:00Z`)),
    ...bobDays.map((day) => session(FIXTURE_CONTRACT, 'bob', 'RVT', `${day}T09:00:00Z`, `${day}T11:00:00Z`, 'sus')),
  ];
  await call('POST', '/admin/v1/usage', [...forecastLines, ...concurrencyLines, ...adviceLines].join('\n'), 'application/x-ndjson');
});

describe('issue 17 acceptance, by hand', () => {
  test('100 tokens every weekday: the forecast says 100 on weekdays and 0 at weekends, and the pool runs out on 7 October', async () => {
    const answer = await call('GET', '/analytics/v1/contracts/FC1/forecast');
    assert.equal(answer.asOf, '2026-04-30');
    // 86 weekdays from 1 January to 30 April: 8,600 tokens used.
    const actual = answer.actual as { date: string; cumulative: number }[];
    assert.equal(actual.at(-1)!.cumulative, 8_600);
    const forecast = answer.forecast as { date: string; daily: { tokens: number } }[];
    assert.equal(forecast.length, 245);
    for (const day of forecast) assert.equal(day.daily.tokens, isWeekday(day.date) ? 100 : 0, day.date);
    // 20,000 − 8,600 = 11,400 left: 114 more weekdays after 30 April. May has 21 weekdays, June 22,
    // July 23, August 21, September 22 (109 to the end of September); the 5th weekday of October is the 7th.
    const year = (answer.pools as { year: { exhaustion: { status: string; date: string } } }).year;
    assert.deepEqual([year.exhaustion.status, year.exhaustion.date], ['projected', '2026-10-07']);
    // The year's end: 8,600 + 100 × the 175 weekdays from 1 May to 31 December.
    assert.equal((answer.yearEnd as { tokens: number }).tokens, 8_600 + 17_500);
    assert.equal((answer.purchase as { p50: number }).p50, 26_100 - 20_000);
  });

  test('sessions 10:00–12:00, 11:00–13:00 and 11:30–11:45 peak at 3 at 11:30', async () => {
    const byDay = await call('GET', '/analytics/v1/contracts/FX1/concurrency?from=2026-04-15&to=2026-04-15&granularity=day');
    assert.deepEqual(byDay.periods, [{
      productLineCode: 'ACD', periodStart: '2026-04-15T00:00:00.000Z', peakSessions: 3, peakAt: '2026-04-15T11:30:00.000Z', distinctUsers: 3, denials: 0,
    }]);
    const byHour = await call('GET', '/analytics/v1/contracts/FX1/concurrency?from=2026-04-15&to=2026-04-15&granularity=hour&productLineCode=ACD&top=1');
    assert.deepEqual((byHour.periods as { periodStart: string; peakSessions: number; peakAt: string; distinctUsers: number }[])
      .map((p) => [p.periodStart.slice(11, 16), p.peakSessions, p.peakAt.slice(11, 16), p.distinctUsers]),
    [['10:00', 1, '10:00', 1], ['11:00', 3, '11:30', 3], ['12:00', 1, '12:00', 1]]);
    assert.deepEqual((byHour.top as { periodStart: string }[]).map((p) => p.periodStart), ['2026-04-15T11:00:00.000Z']);
  });

  test('denials from a FlexNet log are counted per product and hour, beside the sessions; an hour with only denials has a peak of 0', async () => {
    const line = (time: string, what: string) => `${time} (adskflex) ${what}`;
    const ACD = '87140ACD_2025_0F';
    const denied = (time: string, who: string) => line(time, `DENIED: "${ACD}" ${who}  (Licensed number of users already reached. (-4,342:10054 ""))`);
    const log = [
      ' 7:00:00 (lmgrd) FlexNet Licensing (v11.16.2.1 build 245043 x64_n6) started on LIC-1 (IBM PC) (4/20/2026)',
      line(' 9:00:00', `OUT: "${ACD}" ann@WS-1`),
      denied(' 9:30:00', 'bob@WS-2'),
      denied(' 9:40:00', 'cy@WS-3'),
      line('10:00:00', `IN: "${ACD}" ann@WS-1`),
      denied('14:10:00', 'bob@WS-2'),
    ].join('\r\n') + '\r\n';
    await call('POST', `/admin/v1/usage?source=flexlm&contract=${FIXTURE_CONTRACT}&server=LIC-1&offset=%2B00:00`, log, 'text/plain');
    const answer = await call('GET', '/analytics/v1/contracts/FX1/concurrency?from=2026-04-20&to=2026-04-20&granularity=hour');
    assert.deepEqual((answer.periods as Record<string, unknown>[]).map((p) => [p.productLineCode, String(p.periodStart).slice(11, 16), p.peakSessions, String(p.peakAt).slice(11, 16), p.distinctUsers, p.denials]), [
      ['ACD', '09:00', 1, '09:00', 1, 2],
      ['ACD', '14:00', 0, '14:00', 0, 1],
    ]);
  });

  test('40 use days at 10 a day against a 300-token seat: assign a seat, saving 100; a seat used on 5 days: move to Flex, saving 250', async () => {
    const advice = await call('GET', '/analytics/v1/contracts/FX1/advice?from=2025-01-01&to=2025-12-31');
    const recommendations = advice.recommendations as Record<string, unknown>[];
    const revit = recommendations.filter((r) => r.productLineCode === 'RVT')
      .map((r) => [r.action, r.userName, r.useDays, r.dailyTokenRate, r.seatTokensPerYear, r.breakEvenDaysPerYear, r.tokensSavedPerYear]);
    assert.deepEqual(revit, [
      ['move-to-flex', 'bob', 5, 10, 300, 30, 250],
      ['assign-seat', 'ann', 40, 10, 300, 30, 100],
    ].sort((a, b) => Number(b[6]) - Number(a[6])));
    const product = (advice.products as Record<string, unknown>[]).find((p) => p.productLineCode === 'RVT')!;
    assert.equal(product.tokensSavedPerYear, 350);
    assert.ok((advice.leftOut as { productLineCode: string; reason: string }[]).some((p) => p.productLineCode === 'ACDLT' && p.reason === 'no-seat-price'));
  });

  test('a seat never used is idle with last use "never"; a seat last used in July 2025 is idle since then', async () => {
    const idle = await call('GET', `/analytics/v1/teams/${FIXTURE_TEAM}/idle-seats?days=30`);
    assert.deepEqual((idle.seats as Record<string, unknown>[]).map((s) => [s.productLineCode, s.userId, s.lastUseDate, s.daysSinceLastUse]), [
      ['ACDLT', 'UFX3', null, null],
      ['RVT', 'UFX2', '2025-07-07', 298],
    ]);
    assert.deepEqual(idle.totals, { assignedSeats: 2, idleSeats: 2 });
  });
});
