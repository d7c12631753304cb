import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayNumber, formatDay, weekdayOf } from './calendar.js';
import { forecastTokens, syntheticSeries } from './index.js';
import type { DailyConsumption, ForecastInput, TokenForecast } from './index.js';

/** Days from `from` to `to` inclusive, each with the tokens `tokensOf(weekday)` (Monday 0). */
function daily(from: string, to: string, tokensOf: (weekday: number, date: string) => number): DailyConsumption[] {
  const days: DailyConsumption[] = [];
  for (let d = dayNumber(from); d <= dayNumber(to); d++) {
    days.push({ date: formatDay(d), usageTokens: tokensOf(weekdayOf(d), formatDay(d)), adjustmentTokens: 0 });
  }
  return days;
}

const YEAR_2025 = { year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 20_000 };
const WEEKDAYS_ONLY = (weekday: number): number => (weekday < 5 ? 100 : 0);

/** The cumulative usage of the `days` days after `asOf` in `series`. */
function actualAhead(series: readonly DailyConsumption[], asOf: string, days: number): number {
  const start = series.findIndex((d) => d.date === asOf) + 1;
  return series.slice(start, start + days).reduce((sum, d) => sum + d.usageTokens, 0);
}

/** A forecast whose year begins the day after `asOf` and lasts `days` days: its cumulative is the forecast alone. */
function forecastAhead(days: readonly DailyConsumption[], asOf: string, ahead: number): TokenForecast {
  const start = dayNumber(asOf) + 1;
  return forecastTokens({
    asOf,
    contractYear: { year: 1, startDate: formatDay(start), endDate: formatDay(start + ahead - 1), provisionedTokens: 0 },
    days: days.filter((d) => d.date <= asOf),
    multiyearPool: null,
  });
}

test('a history of 100 tokens every weekday and none at weekends forecasts exactly that, and the pools run out on the days counted by hand', () => {
  // 1 January – 30 June 2025 has 129 weekdays: 12,900 tokens used, 7,100 of the year's 20,000 left.
  // July has 23 weekdays, August 21, September 22 (66, 6,600 tokens); 5 more (1–7 October) use the
  // last 500: the year's pool is empty on Tuesday 7 October. The multi-year pool's 3,000 last 30
  // weekdays more: 16 in October (to 31 October: 89), 12 in November: Tuesday 18 November.
  const input: ForecastInput = {
    asOf: '2025-06-30',
    contractYear: YEAR_2025,
    days: daily('2025-01-01', '2025-06-30', WEEKDAYS_ONLY),
    multiyearPool: { provisionedTokens: 3000, usedTokens: 0 },
  };
  const result = forecastTokens(input);

  assert.equal(result.method, 'robust-exponential-smoothing');
  assert.equal(result.reason, null);
  assert.equal(result.actual.length, 181);
  assert.equal(result.actual.at(-1)!.cumulative, 12_900);
  assert.equal(result.forecast.length, 184);
  assert.equal(result.forecast[0]!.date, '2025-07-01');
  assert.equal(result.forecast.at(-1)!.date, '2025-12-31');
  for (const day of result.forecast) {
    const expected = weekdayOf(dayNumber(day.date)) < 5 ? 100 : 0;
    assert.equal(day.daily.tokens, expected, day.date);
    // The model never erred on this history, so its intervals have no width.
    assert.deepEqual(day.daily, { tokens: expected, low80: expected, high80: expected, low95: expected, high95: expected }, day.date);
  }
  // 12,900 + 132 weekdays from July to December.
  assert.deepEqual(result.yearEnd, { tokens: 26_100, low80: 26_100, high80: 26_100, low95: 26_100, high95: 26_100 });
  assert.deepEqual(result.pools.year, {
    provisionedTokens: 20_000, usedTokens: 12_900, leftTokens: 7100,
    exhaustion: {
      status: 'projected', date: '2025-10-07',
      interval80: { earliest: '2025-10-07', latest: '2025-10-07' }, interval95: { earliest: '2025-10-07', latest: '2025-10-07' },
    },
  });
  assert.equal(result.pools.multiyear!.exhaustion.date, '2025-11-18');
  assert.equal(result.pools.multiyear!.leftTokens, 3000);
  // 26,100 − 12,900 used = 13,200 still to come, against 7,100 + 3,000 left.
  assert.deepEqual(result.purchase, { p50: 3100, p90: 3100 });
  assert.equal(result.intervals.basis, 'backtest');
  assert.deepEqual(result.model!.weekdayFactors, [1.4, 1.4, 1.4, 1.4, 1.4, 0, 0]);
});

test('every answer carries its backtest at 30, 60 and 90 days beside the naive 28-day average', () => {
  const result = forecastTokens({
    asOf: '2025-06-30', contractYear: YEAR_2025, days: daily('2025-01-01', '2025-06-30', WEEKDAYS_ONLY), multiyearPool: null,
  });
  assert.deepEqual(result.backtest.map((b) => [b.days, b.origins]), [[30, 138], [60, 108], [90, 78]]);
  for (const horizon of result.backtest) {
    assert.equal(horizon.modelError, 0);
    assert.equal(horizon.modelMeanAbsoluteError, 0);
    // The naive average spreads a week's 500 tokens evenly: a window with more weekdays than
    // 5 in 7 is under-forecast, one with fewer over-forecast.
    assert.ok(horizon.naiveError! > 0, `naive error at ${horizon.days} days: ${horizon.naiveError}`);
  }
});

test('fewer than 14 days of history answer the naive average with wide assumed intervals, and say so', () => {
  const result = forecastTokens({
    asOf: '2025-01-10', contractYear: YEAR_2025, days: daily('2025-01-01', '2025-01-10', () => 50), multiyearPool: null,
  });
  assert.equal(result.method, 'naive-average');
  assert.match(result.reason!, /Only 10 days of history, and the model needs 14/);
  assert.equal(result.model, null);
  assert.deepEqual(result.intervals, { basis: 'assumed', origins: 0, measuredHorizonDays: 0 });
  assert.deepEqual(result.forecast[0]!.daily, { tokens: 50, low80: 25, high80: 75, low95: 0, high95: 100 });
  assert.ok(result.backtest.every((b) => b.origins === 0 && b.modelError === null && b.naiveError === null));
});

test('a contract without any usage forecasts nothing, with the naive method', () => {
  const result = forecastTokens({ asOf: '2025-03-01', contractYear: YEAR_2025, days: [], multiyearPool: null });
  assert.equal(result.method, 'naive-average');
  assert.equal(result.history.from, null);
  assert.equal(result.yearEnd.tokens, 0);
  assert.equal(result.pools.year.exhaustion.status, 'not-within-year');
});

test('recovers the weekday pattern of a series built with one', () => {
  const factors = [1.3, 1.5, 1.5, 1.4, 1.0, 0.2, 0.1];
  const mean = factors.reduce((a, b) => a + b) / 7;
  const { days } = syntheticSeries({ start: '2024-07-01', days: 365, level: 200, weekdayFactors: factors, noise: 0.05, seed: 3 });
  const result = forecastAhead(days, days.at(-1)!.date, 30);
  result.model!.weekdayFactors.forEach((f, w) => {
    assert.ok(Math.abs(f - factors[w]! / mean) < 0.05, `weekday ${w}: ${f} against ${factors[w]! / mean}`);
  });
});

test('follows a growing series: the trend is found and the next 90 days are forecast within 4 %', () => {
  // 60 % a year on a starting level of 200: 0.33 tokens a day more every day.
  const shape = { start: '2024-07-01', days: 455, level: 200, growthPerDay: 0.6 / 365, noise: 0.1, seed: 5 };
  const { days, expected } = syntheticSeries(shape);
  const asOf = days[364]!.date;
  const result = forecastAhead(days, asOf, 90);
  const truth = expected.slice(365, 455).reduce((a, b) => a + b, 0);
  const forecast = result.yearEnd.tokens;
  assert.ok(Math.abs(forecast / truth - 1) < 0.04, `forecast ${forecast} against ${truth}`);
  assert.ok(result.model!.trend > 0.1 && result.model!.trend < 0.6, `trend ${result.model!.trend} against 0.33`);
});

test('recognises a step change (a team joining) within three working weeks and forecasts the new level', () => {
  const { days, expected } = syntheticSeries({
    start: '2024-07-01', days: 425, level: 200, steps: [{ day: 330, factor: 1.5 }], noise: 0.1, seed: 7,
  });
  const asOf = days[364]!.date;
  const result = forecastAhead(days, asOf, 60);
  assert.equal(result.model!.levelShifts.length, 1);
  const shiftedOn = dayNumber(result.model!.levelShifts[0]!) - dayNumber(days[330]!.date);
  assert.ok(shiftedOn >= 0 && shiftedOn <= 21, `re-levelled ${shiftedOn} days after the step`);
  const truth = expected.slice(365, 425).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(result.yearEnd.tokens / truth - 1) < 0.04, `forecast ${result.yearEnd.tokens} against ${truth}`);
  // The naive 28-day average still mixes days before the step into its level.
  const naive = (days.slice(337, 365).reduce((s, d) => s + d.usageTokens, 0) / 28) * 60;
  assert.ok(Math.abs(result.yearEnd.tokens - truth) < Math.abs(naive - truth));
});

test('a quiet holiday week leaves the level where it was', () => {
  // Days 343–351 (a Monday-to-Tuesday holiday of seven working days) at a fifth of the usual level.
  const shape = { start: '2024-07-01', days: 425, level: 200, quietSpells: [{ from: 343, to: 351, factor: 0.2 }], noise: 0.1, seed: 9 };
  const { days, expected } = syntheticSeries(shape);
  const asOf = days[364]!.date;
  const result = forecastAhead(days, asOf, 60);
  assert.deepEqual(result.model!.levelShifts, []);
  const truth = expected.slice(365, 425).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(result.yearEnd.tokens / truth - 1) < 0.03, `forecast ${result.yearEnd.tokens} against ${truth}`);
});

test('the 80 % interval of the cumulative forecast holds the actual in 70–90 % of out-of-sample checks on synthetic data', () => {
  let inside80 = 0;
  let inside95 = 0;
  let checks = 0;
  for (const seed of [21, 22, 23, 24]) {
    for (const growthPerDay of [0, 0.3 / 365]) {
      const { days } = syntheticSeries({ start: '2024-01-01', days: 600, level: 300, growthPerDay, noise: 0.15, seed });
      for (let a = 180; a + 60 < days.length; a += 35) {
        const asOf = days[a]!.date;
        const band = forecastAhead(days, asOf, 60).yearEnd;
        const actual = actualAhead(days, asOf, 60);
        if (actual >= band.low80 && actual <= band.high80) inside80++;
        if (actual >= band.low95 && actual <= band.high95) inside95++;
        checks++;
      }
    }
  }
  assert.equal(checks, 88);
  assert.ok(inside80 / checks >= 0.7 && inside80 / checks <= 0.9, `80 % interval held ${inside80} of ${checks}`);
  assert.ok(inside95 / checks >= 0.85, `95 % interval held ${inside95} of ${checks}`);
});

test('a year pool used up already says when it ran out, and the tokens to buy cover the overdraft', () => {
  const days = daily('2025-01-01', '2025-06-30', WEEKDAYS_ONLY);
  const result = forecastTokens({
    asOf: '2025-06-30', contractYear: { ...YEAR_2025, provisionedTokens: 10_000 }, days,
    multiyearPool: { provisionedTokens: 2000, usedTokens: 2900 },
  });
  // The 100th weekday of 2025 is Tuesday 20 May.
  assert.deepEqual(result.pools.year.exhaustion, {
    status: 'exhausted', date: '2025-05-20',
    interval80: { earliest: '2025-05-20', latest: '2025-05-20' }, interval95: { earliest: '2025-05-20', latest: '2025-05-20' },
  });
  assert.equal(result.pools.year.leftTokens, -2900);
  // The multi-year pool held 2,000 when the year began and ran dry at 12,000: the 120th weekday, 17 June.
  assert.equal(result.pools.multiyear!.exhaustion.status, 'exhausted');
  assert.equal(result.pools.multiyear!.exhaustion.date, '2025-06-17');
  // 13,200 still to come and 900 overdrawn already.
  assert.deepEqual(result.purchase, { p50: 14_100, p90: 14_100 });
});

test('adjustments count in what was used but are not forecast', () => {
  const days = daily('2025-01-01', '2025-06-30', WEEKDAYS_ONLY).map((d) =>
    d.date === '2025-03-03' ? { ...d, adjustmentTokens: -500 } : d);
  const result = forecastTokens({ asOf: '2025-06-30', contractYear: YEAR_2025, days, multiyearPool: null });
  assert.equal(result.pools.year.usedTokens, 12_400);
  assert.equal(result.actual.find((d) => d.date === '2025-03-03')!.tokens, -400);
  assert.equal(result.yearEnd.tokens, 25_600);
});

test('a year that has ended has nothing left to forecast', () => {
  const days = daily('2025-01-01', '2025-12-31', WEEKDAYS_ONLY);
  const result = forecastTokens({ asOf: '2025-12-31', contractYear: YEAR_2025, days, multiyearPool: null });
  assert.deepEqual(result.forecast, []);
  assert.equal(result.yearEnd.tokens, 26_100);
  assert.deepEqual(result.purchase, { p50: 6100, p90: 6100 });
});

test('a year that has not begun is forecast from the days before it', () => {
  const days = daily('2025-01-01', '2025-12-20', WEEKDAYS_ONLY);
  const result = forecastTokens({
    asOf: '2025-12-20', contractYear: { year: 2, startDate: '2026-01-01', endDate: '2026-01-31', provisionedTokens: 5000 }, days, multiyearPool: null,
  });
  assert.deepEqual(result.actual, []);
  assert.equal(result.forecast[0]!.date, '2026-01-01');
  // January 2026 has 22 weekdays.
  assert.equal(result.yearEnd.tokens, 2200);
  assert.equal(result.forecast[0]!.cumulative.tokens, 100);
});

test('refuses daily consumption out of order, repeated or after asOf', () => {
  const base = { asOf: '2025-01-31', contractYear: YEAR_2025, multiyearPool: null };
  const day = (date: string): DailyConsumption => ({ date, usageTokens: 1, adjustmentTokens: 0 });
  assert.throws(() => forecastTokens({ ...base, days: [day('2025-01-02'), day('2025-01-01')] }), /ascending date order/);
  assert.throws(() => forecastTokens({ ...base, days: [day('2025-01-02'), day('2025-01-02')] }), /without repeats/);
  assert.throws(() => forecastTokens({ ...base, days: [day('2025-02-01')] }), /after asOf/);
  assert.throws(() => forecastTokens({ ...base, days: [day('2025-02-30')] }), /No such calendar day/);
});
