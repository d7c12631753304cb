import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayNumber } from './calendar.js';
import { adviseSeats, monthsCovered } from './index.js';
import type { AdviceInput, AdviceProduct, UserProductUsage } from './index.js';

const REVIT: AdviceProduct = { productLineCode: 'RVT', productName: 'Revit', dailyTokenRate: 10, seatTokensPerYear: 300 };
const AUTOCAD: AdviceProduct = { productLineCode: 'ACD', productName: 'AutoCAD', dailyTokenRate: 7, seatTokensPerYear: null };
const RENDERING: AdviceProduct = { productLineCode: 'CLDREND', productName: 'Cloud Rendering', dailyTokenRate: null, seatTokensPerYear: 50 };

/** `days` use days spread over the months of 2025 in order, at most 20 a month. */
function use(userId: string, productLineCode: string, holdsSeat: boolean, days: number, flexTokens = 0): UserProductUsage {
  const daysByMonth: { month: string; days: number }[] = [];
  for (let m = 1; days > 0; m++) {
    const take = Math.min(20, days);
    daysByMonth.push({ month: `2025-${String(m).padStart(2, '0')}`, days: take });
    days -= take;
  }
  return { userId, userName: `${userId}@example.com`, productLineCode, holdsSeat, daysByMonth, flexTokens };
}

const YEAR: Pick<AdviceInput, 'from' | 'to'> = { from: '2025-01-01', to: '2025-12-31' };

test('the hand-computed cases: 40 Flex days at 10 a day against a 300-token seat, and a seat used on 5 days (most saved first)', () => {
  const advice = adviseSeats({
    ...YEAR,
    products: [REVIT],
    usage: [use('ann', 'RVT', false, 40, 400), use('bob', 'RVT', true, 5)],
  });
  assert.deepEqual(advice.period, { from: '2025-01-01', to: '2025-12-31', months: 12, annualisation: 1 });
  assert.deepEqual(advice.recommendations, [
    {
      // The seat costs 300 a year; on Flex 5 days would cost 50: moving saves 250.
      action: 'move-to-flex', userId: 'bob', userName: 'bob@example.com', productLineCode: 'RVT', productName: 'Revit',
      holdsSeat: true, daysByMonth: [{ month: '2025-01', days: 5 }], useDays: 5, useDaysPerYear: 5, flexTokens: 0,
      dailyTokenRate: 10, seatTokensPerYear: 300, breakEvenDaysPerYear: 30, flexTokensPerYear: 50, tokensSavedPerYear: 250,
    },
    {
      // Flex costs 10 × 40 = 400 a year, a seat 300: a seat saves 100.
      action: 'assign-seat', userId: 'ann', userName: 'ann@example.com', productLineCode: 'RVT', productName: 'Revit',
      holdsSeat: false, daysByMonth: [{ month: '2025-01', days: 20 }, { month: '2025-02', days: 20 }], useDays: 40,
      useDaysPerYear: 40, flexTokens: 400, dailyTokenRate: 10, seatTokensPerYear: 300, breakEvenDaysPerYear: 30,
      flexTokensPerYear: 400, tokensSavedPerYear: 100,
    },
  ]);
  assert.deepEqual(advice.totals, {
    assignSeat: { users: 1, tokensSavedPerYear: 100 }, moveToFlex: { users: 1, tokensSavedPerYear: 250 }, tokensSavedPerYear: 350,
  });
});

test('users on the right side of the break-even, or exactly on it, get no advice but are counted', () => {
  const advice = adviseSeats({
    ...YEAR,
    products: [REVIT],
    usage: [use('carl', 'RVT', false, 20), use('dora', 'RVT', true, 100), use('eve', 'RVT', false, 30), use('finn', 'RVT', true, 30)],
  });
  assert.deepEqual(advice.recommendations, []);
  assert.deepEqual(advice.products, [{
    productLineCode: 'RVT', productName: 'Revit', dailyTokenRate: 10, seatTokensPerYear: 300, breakEvenDaysPerYear: 30,
    users: 4, seatHolders: 2, flexUsers: 2, assignSeat: { users: 0, tokensSavedPerYear: 0 },
    moveToFlex: { users: 0, tokensSavedPerYear: 0 }, tokensSavedPerYear: 0,
  }]);
});

test('a seat nobody used moves to Flex saving its whole price', () => {
  const advice = adviseSeats({ ...YEAR, products: [REVIT], usage: [use('gus', 'RVT', true, 0)] });
  assert.equal(advice.recommendations[0]!.action, 'move-to-flex');
  assert.equal(advice.recommendations[0]!.tokensSavedPerYear, 300);
  assert.deepEqual(advice.recommendations[0]!.daysByMonth, []);
});

test('products without a seat price or without a daily rate are left out, and listed with their users', () => {
  const advice = adviseSeats({
    ...YEAR,
    products: [REVIT, AUTOCAD, RENDERING],
    usage: [use('ann', 'RVT', false, 40), use('ann', 'ACD', false, 200), use('bob', 'ACD', true, 1), use('ann', 'CLDREND', false, 10)],
  });
  assert.deepEqual(advice.leftOut, [
    { productLineCode: 'ACD', productName: 'AutoCAD', reason: 'no-seat-price', users: 2 },
    { productLineCode: 'CLDREND', productName: 'Cloud Rendering', reason: 'no-daily-rate', users: 1 },
  ]);
  assert.deepEqual(advice.products.map((p) => p.productLineCode), ['RVT']);
  assert.deepEqual(advice.recommendations.map((r) => [r.userId, r.productLineCode]), [['ann', 'RVT']]);
});

test('totals add up per product and overall, and the most saving advice comes first', () => {
  const maya: AdviceProduct = { productLineCode: 'MAYA', productName: 'Maya', dailyTokenRate: 9, seatTokensPerYear: 900 };
  const advice = adviseSeats({
    ...YEAR,
    products: [REVIT, maya],
    usage: [
      use('ann', 'RVT', false, 40), use('bob', 'RVT', true, 5), use('cy', 'RVT', false, 60),
      use('ann', 'MAYA', true, 50), use('dee', 'MAYA', false, 150),
    ],
  });
  // Revit: ann +100, cy +300, bob +250. Maya (break-even 100 days): ann 900 − 450 = 450, dee 1,350 − 900 = 450.
  assert.deepEqual(advice.recommendations.map((r) => [r.productLineCode, r.userId, r.tokensSavedPerYear]), [
    ['MAYA', 'ann', 450], ['MAYA', 'dee', 450], ['RVT', 'cy', 300], ['RVT', 'bob', 250], ['RVT', 'ann', 100],
  ]);
  assert.deepEqual(advice.products.map((p) => [p.productLineCode, p.assignSeat, p.moveToFlex, p.tokensSavedPerYear]), [
    ['MAYA', { users: 1, tokensSavedPerYear: 450 }, { users: 1, tokensSavedPerYear: 450 }, 900],
    ['RVT', { users: 2, tokensSavedPerYear: 400 }, { users: 1, tokensSavedPerYear: 250 }, 650],
  ]);
  assert.deepEqual(advice.totals, {
    assignSeat: { users: 3, tokensSavedPerYear: 850 }, moveToFlex: { users: 2, tokensSavedPerYear: 700 }, tokensSavedPerYear: 1550,
  });
});

test('a period shorter than a year is scaled to a year by its calendar months', () => {
  // January–June is 6 months: 20 use days are 40 a year, as in the hand case.
  const advice = adviseSeats({ from: '2025-01-01', to: '2025-06-30', products: [REVIT], usage: [use('ann', 'RVT', false, 20)] });
  assert.deepEqual(advice.period, { from: '2025-01-01', to: '2025-06-30', months: 6, annualisation: 2 });
  assert.equal(advice.recommendations[0]!.useDaysPerYear, 40);
  assert.equal(advice.recommendations[0]!.tokensSavedPerYear, 100);
});

test('a period longer than a year is scaled down the same way', () => {
  const usage: UserProductUsage = {
    userId: 'ann', userName: 'ann', productLineCode: 'RVT', holdsSeat: true, flexTokens: 0,
    daysByMonth: [{ month: '2024-01', days: 10 }, { month: '2025-06', days: 8 }],
  };
  const advice = adviseSeats({ from: '2024-01-01', to: '2025-06-30', products: [REVIT], usage: [usage] });
  assert.equal(advice.period.months, 18);
  // 18 days in 18 months: 12 a year, 120 tokens on Flex against the seat's 300.
  assert.equal(advice.recommendations[0]!.useDaysPerYear, 12);
  assert.equal(advice.recommendations[0]!.tokensSavedPerYear, 180);
});

test('months are counted by calendar month, a part month by its share of days', () => {
  const months = (from: string, to: string): number => monthsCovered(dayNumber(from), dayNumber(to));
  assert.equal(months('2024-01-01', '2024-12-31'), 12);
  assert.equal(months('2024-03-01', '2025-02-28'), 12);
  assert.equal(months('2025-04-01', '2025-04-15'), 0.5);
  assert.equal(months('2025-04-16', '2025-06-30'), 2.5);
  assert.equal(months('2025-02-01', '2025-02-01'), 1 / 28);
});

test('refuses inconsistent input: unknown products, repeats, months outside the period, impossible day counts', () => {
  const base = { ...YEAR, products: [REVIT] };
  assert.throws(() => adviseSeats({ ...base, usage: [use('ann', 'ACD', false, 1)] }), /not among the products/);
  assert.throws(() => adviseSeats({ ...base, usage: [use('ann', 'RVT', false, 1), use('ann', 'RVT', true, 1)] }), /listed twice/);
  const at = (month: string, days: number): UserProductUsage => ({ ...use('ann', 'RVT', false, 0), daysByMonth: [{ month, days }] });
  assert.throws(() => adviseSeats({ ...base, usage: [at('2026-01', 1)] }), /not in the period/);
  assert.throws(() => adviseSeats({ ...base, usage: [at('2025-02', 29)] }), /29 use days in 2025-02/);
  assert.throws(() => adviseSeats({ ...base, usage: [at('2025-02', 1.5)] }), /1.5 use days/);
  assert.throws(() => adviseSeats({ ...YEAR, products: [{ ...REVIT, seatTokensPerYear: 0 }], usage: [] }), /above 0/);
  assert.throws(() => adviseSeats({ from: '2025-02-01', to: '2025-01-31', products: [], usage: [] }), /before it starts/);
});
