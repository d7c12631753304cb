import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { findIdleSeats, sweepConcurrency, topPeriods } from './index.js';
import type { DesktopSession, SeatAssignment } from './index.js';

const SUBSCRIPTION = { id: 'S1', offeringType: 'Subscription', term: 'Annual', status: 'Active', endDate: '2025-12-31', renewalDate: '2026-01-01' };

function seat(userId: string, productLineCode: string, lastUseDate: string | null): SeatAssignment {
  return { productLineCode, productName: productLineCode, userId, userName: userId, subscription: SUBSCRIPTION, lastUseDate };
}

test('a seat never used is idle, last use never; one used within the window is not', () => {
  const answer = findIdleSeats({
    asOf: '2025-06-30', days: 30,
    seats: [seat('ann', 'RVT', null), seat('bob', 'RVT', '2025-06-01'), seat('cy', 'RVT', '2025-05-31'), seat('dee', 'ACD', '2025-01-15')],
  });
  assert.equal(answer.since, '2025-06-01');
  assert.deepEqual(answer.seats.map((s) => [s.userId, s.lastUseDate, s.daysSinceLastUse]), [
    ['ann', null, null], ['dee', '2025-01-15', 166], ['cy', '2025-05-31', 30],
  ]);
  assert.deepEqual(answer.seats[0]!.subscription, SUBSCRIPTION);
  assert.deepEqual(answer.products, [
    { productLineCode: 'ACD', productName: 'ACD', assignedSeats: 1, idleSeats: 1 },
    { productLineCode: 'RVT', productName: 'RVT', assignedSeats: 3, idleSeats: 2 },
  ]);
  assert.deepEqual(answer.totals, { assignedSeats: 4, idleSeats: 3 });
});

test('idle seats refuse a window under a day and a last use after asOf', () => {
  assert.throws(() => findIdleSeats({ asOf: '2025-06-30', days: 0, seats: [] }), /at least 1/);
  assert.throws(() => findIdleSeats({ asOf: '2025-06-30', days: 30, seats: [seat('ann', 'RVT', '2025-07-01')] }), /after asOf/);
});

const session = (userId: string, start: string, end: string, productLineCode = 'RVT'): DesktopSession =>
  ({ productLineCode, userId, start: `2025-03-04T${start}:00Z`, end: `2025-03-04T${end}:00Z` });

test('three overlapping sessions 10:00–12:00, 11:00–13:00 and 11:30–11:45 peak at 3 at 11:30', () => {
  const sessions = [session('ann', '10:00', '12:00'), session('bob', '11:00', '13:00'), session('cy', '11:30', '11:45')];
  assert.deepEqual(sweepConcurrency(sessions, 'day'), [
    { productLineCode: 'RVT', periodStart: '2025-03-04T00:00:00.000Z', peakSessions: 3, peakAt: '2025-03-04T11:30:00.000Z', distinctUsers: 3 },
  ]);
  assert.deepEqual(sweepConcurrency(sessions, 'hour').map((p) => [p.periodStart.slice(11, 16), p.peakSessions, p.peakAt.slice(11, 16), p.distinctUsers]), [
    ['10:00', 1, '10:00', 1], ['11:00', 3, '11:30', 3], ['12:00', 1, '12:00', 1],
  ]);
});

test('sessions that touch do not overlap, an empty one never runs, and products are counted apart', () => {
  const sessions = [
    session('ann', '09:00', '10:00'), session('bob', '10:00', '11:00'), session('cy', '10:30', '10:30'),
    session('dee', '09:30', '10:15', 'ACD'),
  ];
  assert.deepEqual(sweepConcurrency(sessions, 'day').map((p) => [p.productLineCode, p.peakSessions, p.peakAt.slice(11, 16), p.distinctUsers]), [
    ['ACD', 1, '09:30', 1], ['RVT', 1, '09:00', 2],
  ]);
});

test('a session running over midnight counts in both days, running from the second day\'s start', () => {
  const sessions = [{ productLineCode: 'RVT', userId: 'ann', start: '2025-03-04T22:00:00Z', end: '2025-03-05T02:00:00Z' }];
  assert.deepEqual(sweepConcurrency(sessions, 'day').map((p) => [p.periodStart.slice(0, 10), p.peakAt]), [
    ['2025-03-04', '2025-03-04T22:00:00.000Z'], ['2025-03-05', '2025-03-05T00:00:00.000Z'],
  ]);
});

test('the peak minute is the first minute the peak is reached, seconds cut off', () => {
  const sessions = [
    { productLineCode: 'RVT', userId: 'ann', start: '2025-03-04T10:00:00Z', end: '2025-03-04T12:00:00Z' },
    { productLineCode: 'RVT', userId: 'bob', start: '2025-03-04T10:20:42Z', end: '2025-03-04T10:21:00Z' },
    { productLineCode: 'RVT', userId: 'cy', start: '2025-03-04T11:00:00Z', end: '2025-03-04T11:30:00Z' },
  ];
  assert.equal(sweepConcurrency(sessions, 'day')[0]!.peakAt, '2025-03-04T10:20:00.000Z');
});

test('the busiest periods come first, the earlier one on a tie', () => {
  const sessions = [
    session('ann', '09:00', '09:30'), session('bob', '09:10', '09:20'),
    session('ann', '14:00', '14:30'), session('bob', '14:10', '14:20'), session('cy', '14:15', '14:16'),
    session('dee', '16:00', '16:30'), session('eve', '16:00', '16:30'),
  ];
  assert.deepEqual(topPeriods(sweepConcurrency(sessions, 'hour'), 2).map((p) => [p.periodStart.slice(11, 16), p.peakSessions]), [
    ['14:00', 3], ['09:00', 2],
  ]);
});

test('refuses a session that ends before it starts', () => {
  assert.throws(() => sweepConcurrency([session('ann', '10:00', '09:00')], 'hour'), /is not a session/);
});

test('the sweep agrees with counting running sessions minute by minute (sessions on whole minutes)', () => {
  const day = Date.parse('2025-03-04T00:00:00Z');
  const arbitrarySession = fc.record({
    user: fc.constantFrom('ann', 'bob', 'cy', 'dee'), product: fc.constantFrom('RVT', 'ACD'),
    start: fc.integer({ min: 0, max: 2 * 1440 }), minutes: fc.integer({ min: 0, max: 300 }),
  });
  fc.assert(fc.property(fc.array(arbitrarySession, { maxLength: 25 }), fc.constantFrom('hour' as const, 'day' as const), (drawn, granularity) => {
    const sessions = drawn.map((s) => ({
      productLineCode: s.product, userId: s.user,
      start: new Date(day + s.start * 60_000).toISOString(), end: new Date(day + (s.start + s.minutes) * 60_000).toISOString(),
    }));
    const length = granularity === 'hour' ? 60 : 1440;
    const expected = new Map<string, { peak: number; at: number; users: Set<string> }>();
    for (let minute = 0; minute < 3 * 1440 + 300; minute++) {
      for (const product of ['ACD', 'RVT']) {
        const running = drawn.filter((s) => s.product === product && s.start <= minute && minute < s.start + s.minutes);
        if (running.length === 0) continue;
        const key = `${product} ${Math.floor(minute / length)}`;
        const entry = expected.get(key) ?? { peak: 0, at: 0, users: new Set<string>() };
        if (running.length > entry.peak) Object.assign(entry, { peak: running.length, at: minute });
        for (const s of running) entry.users.add(s.user);
        expected.set(key, entry);
      }
    }
    const actual = sweepConcurrency(sessions, granularity);
    assert.deepEqual(
      new Map(actual.map((p) => [`${p.productLineCode} ${Math.floor((Date.parse(p.periodStart) - day) / 60_000 / length)}`,
        [p.peakSessions, (Date.parse(p.peakAt) - day) / 60_000, p.distinctUsers]])),
      new Map([...expected].map(([key, e]) => [key, [e.peak, e.at, e.users.size]])),
    );
  }), { numRuns: 200 });
});
