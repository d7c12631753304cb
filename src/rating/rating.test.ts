import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AppError } from '../errors.js';
import { affectedUserDays, rateRecords } from './index.js';
import type { RatedCharge, RatingContext, RatingContractYear, RatingOptions, RatingProduct, RatingSession } from './index.js';

// ---- Fixtures ------------------------------------------------------------------------------------

const PRODUCTS: readonly RatingProduct[] = [
  { productLineCode: 'ACDLT', version: '2025', dailyTokenRate: 2 },
  { productLineCode: 'ACD', version: '2025', dailyTokenRate: 5 },
  { productLineCode: 'RVT', version: '2025', dailyTokenRate: 10 },
  { productLineCode: 'MAYA', version: '2025', dailyTokenRate: 10 },
];
const RATE: Readonly<Record<string, number>> = { ACDLT: 2, ACD: 5, RVT: 10, MAYA: 10 };

function years(provisioned = 1000, consumedBefore?: number): readonly RatingContractYear[] {
  return [
    { year: 1, startDate: '2024-01-01', endDate: '2024-12-31', provisionedTokens: provisioned, tokensConsumedBefore: consumedBefore },
    { year: 2, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: provisioned },
  ];
}

function context(provisioned = 1000, consumedBefore?: number): RatingContext {
  return { products: PRODUCTS, contractYears: new Map([['C1', years(provisioned, consumedBefore)]]), multiyearTokens: new Map([['C1', 500]]) };
}

const BLANK: RatingSession = {
  id: '', contractNumber: 'C1', userName: 'ann', usageCategory: 'DESKTOP_PRODUCT', source: 'flex',
  productLineCode: null, productVersion: null, sessionStart: null, sessionEnd: null, licenseServerTzOffset: '+00:00',
  usageType: 'Normal', usageTimestamp: null, transactionDate: null, tokens: null, jobStatus: null,
};

/** A desktop session of `minutes` from `start` (ISO UTC). */
function desktop(id: string, product: string, start: string, minutes: number, more: Partial<RatingSession> = {}): RatingSession {
  const end = new Date(Date.parse(start) + minutes * 60_000).toISOString();
  return { ...BLANK, id, productLineCode: product, productVersion: '2025', sessionStart: start, sessionEnd: end, ...more };
}

function cloud(id: string, at: string, tokens: number, more: Partial<RatingSession> = {}): RatingSession {
  return { ...BLANK, id, usageCategory: 'CLOUD_SERVICE', licenseServerTzOffset: null, usageType: null, usageTimestamp: at, tokens, jobStatus: 'Success', ...more };
}

function manual(id: string, at: string, tokens: number, more: Partial<RatingSession> = {}): RatingSession {
  return { ...BLANK, id, usageCategory: 'MANUAL_ADJUSTMENT', userName: '', licenseServerTzOffset: null, usageType: null, transactionDate: at, tokens, ...more };
}

/** The charges as `id → the fields a case names`, so each case states only what it is about. */
function pick(charges: readonly RatedCharge[], fields: readonly (keyof RatedCharge)[]): Record<string, Partial<RatedCharge>> {
  return Object.fromEntries(charges.map((c) => [c.id, Object.fromEntries(fields.map((f) => [f, c[f]]))]));
}

// ---- Table of rating cases ---------------------------------------------------------------------

interface RatingCase {
  readonly name: string;
  readonly records: readonly RatingSession[];
  readonly context?: RatingContext;
  readonly options?: Partial<RatingOptions>;
  readonly expected: Readonly<Record<string, Partial<RatedCharge>>>;
}

const CASES: readonly RatingCase[] = [
  {
    name: 'a session starting at 23:30 on the licence server belongs to that local day, not to the UTC day',
    records: [
      desktop('a', 'ACD', '2024-03-05T04:30:00Z', 60, { licenseServerTzOffset: '-05:00' }),
      desktop('b', 'ACD', '2024-03-04T23:30:00Z', 60, { licenseServerTzOffset: '+01:00', userName: 'bob' }),
    ],
    expected: {
      a: { usageDate: '2024-03-04', chargeCategory: 'CHARGED', tokensConsumed: 5 },
      b: { usageDate: '2024-03-05', chargeCategory: 'CHARGED', tokensConsumed: 5 },
    },
  },
  {
    name: 'two sessions on one UTC day but two local days are both charged',
    records: [
      desktop('a', 'ACD', '2024-03-05T03:00:00Z', 60, { licenseServerTzOffset: '-05:00' }),
      desktop('b', 'ACD', '2024-03-05T15:00:00Z', 60, { licenseServerTzOffset: '-05:00' }),
    ],
    expected: {
      a: { usageDate: '2024-03-04', chargeCategory: 'CHARGED', tokensConsumed: 5 },
      b: { usageDate: '2024-03-05', chargeCategory: 'CHARGED', tokensConsumed: 5 },
    },
  },
  {
    name: 'a session with no licence-server offset is rated on its UTC day',
    records: [desktop('a', 'ACD', '2024-03-05T23:30:00Z', 60, { licenseServerTzOffset: null })],
    expected: { a: { usageDate: '2024-03-05', chargeCategory: 'CHARGED' } },
  },
  {
    name: 'a borrowed licence is charged once, on the day the borrowing starts, for all its minutes',
    records: [
      desktop('a', 'ACD', '2024-03-04T09:00:00Z', 3 * 24 * 60, { usageType: 'Borrowed' }),
      desktop('b', 'ACD', '2024-03-04T15:00:00Z', 60),
      desktop('c', 'ACD', '2024-03-05T09:00:00Z', 60),
    ],
    expected: {
      a: { usageDate: '2024-03-04', chargeCategory: 'CHARGED', tokensConsumed: 5, usageMinutes: 4320 },
      b: { usageDate: '2024-03-04', chargeCategory: 'FREE', tokensConsumed: 0, usageMinutes: 60 },
      c: { usageDate: '2024-03-05', chargeCategory: 'CHARGED', tokensConsumed: 5, usageMinutes: 60 },
    },
  },
  {
    name: 'a casual session followed by a long one the same day: the casual one is free and the long one charged',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 3), desktop('b', 'ACD', '2024-03-04T10:00:00Z', 90)],
    expected: {
      a: { chargeCategory: 'CASUAL', tokensConsumed: 0, isChargedEvent: false, usageMinutes: 3 },
      b: { chargeCategory: 'CHARGED', tokensConsumed: 5, isChargedEvent: true, usageMinutes: 90 },
    },
  },
  {
    name: 'a session of exactly the casual threshold is not casual, and the threshold is an option',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 5), desktop('b', 'RVT', '2024-03-05T09:00:00Z', 20)],
    options: { casualThresholdMinutes: 30 },
    expected: { a: { chargeCategory: 'CASUAL' }, b: { chargeCategory: 'CASUAL' } },
  },
  {
    name: 'a session lasting exactly five minutes is charged under the default threshold',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 5)],
    expected: { a: { chargeCategory: 'CHARGED', tokensConsumed: 5 } },
  },
  {
    name: 'a cheaper product then a dearer one the same day: CHARGED, then INCREMENTAL with the difference',
    records: [
      desktop('a', 'ACDLT', '2024-03-04T09:00:00Z', 60),
      desktop('b', 'ACD', '2024-03-04T11:00:00Z', 60),
      desktop('c', 'RVT', '2024-03-04T13:00:00Z', 60),
    ],
    expected: {
      a: { chargeCategory: 'CHARGED', tokensConsumed: 2, isChargedEvent: true },
      b: { chargeCategory: 'INCREMENTAL', tokensConsumed: 3, isChargedEvent: true },
      c: { chargeCategory: 'INCREMENTAL', tokensConsumed: 5, isChargedEvent: true },
    },
  },
  {
    name: 'a dearer product then a cheaper one the same day: CHARGED, then FREE',
    records: [desktop('a', 'RVT', '2024-03-04T09:00:00Z', 60), desktop('b', 'ACD', '2024-03-04T11:00:00Z', 60)],
    expected: {
      a: { chargeCategory: 'CHARGED', tokensConsumed: 10 },
      b: { chargeCategory: 'FREE', tokensConsumed: 0, isChargedEvent: false },
    },
  },
  {
    name: 'the same product again, or another product of the same rate, the same day is FREE',
    records: [
      desktop('a', 'RVT', '2024-03-04T09:00:00Z', 60),
      desktop('b', 'RVT', '2024-03-04T11:00:00Z', 60),
      desktop('c', 'MAYA', '2024-03-04T13:00:00Z', 60),
    ],
    expected: { a: { chargeCategory: 'CHARGED' }, b: { chargeCategory: 'FREE' }, c: { chargeCategory: 'FREE' } },
  },
  {
    name: 'two sessions starting at the same instant are rated in id order',
    records: [desktop('b', 'ACD', '2024-03-04T09:00:00Z', 60), desktop('a', 'ACD', '2024-03-04T09:00:00Z', 30)],
    expected: { a: { chargeCategory: 'CHARGED' }, b: { chargeCategory: 'FREE' } },
  },
  {
    name: 'two users, or one user on two contracts, are charged separately the same day',
    records: [
      desktop('a', 'ACD', '2024-03-04T09:00:00Z', 60),
      desktop('b', 'ACD', '2024-03-04T09:00:00Z', 60, { userName: 'bob' }),
      desktop('c', 'ACD', '2024-03-04T09:00:00Z', 60, { contractNumber: 'C2' }),
    ],
    context: { products: PRODUCTS, contractYears: new Map([['C1', years()], ['C2', years()]]) },
    expected: { a: { chargeCategory: 'CHARGED' }, b: { chargeCategory: 'CHARGED' }, c: { chargeCategory: 'CHARGED' } },
  },
  {
    name: 'the CY pool running out mid-day: earlier charges draw on CY, the one crossing the limit and later ones on MY',
    records: [
      desktop('a', 'ACD', '2024-03-04T09:00:00Z', 60),
      desktop('b', 'ACD', '2024-03-04T10:00:00Z', 60, { userName: 'bob' }),
      desktop('c', 'RVT', '2024-03-04T11:00:00Z', 60, { userName: 'cy' }),
      desktop('d', 'ACD', '2024-03-04T12:00:00Z', 60),
      desktop('e', 'ACD', '2024-03-04T13:00:00Z', 2, { userName: 'dee' }),
    ],
    context: context(12),
    expected: {
      a: { tokensConsumed: 5, tokenPool: 'CY' },
      b: { tokensConsumed: 5, tokenPool: 'CY' },
      c: { tokensConsumed: 10, tokenPool: 'MY' },
      d: { tokensConsumed: 0, tokenPool: 'MY' },
      e: { chargeCategory: 'CASUAL', tokensConsumed: 0, tokenPool: 'MY' },
    },
  },
  {
    name: 'a charge that uses up the CY pool exactly still draws on CY',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 60), desktop('b', 'ACD', '2024-03-04T10:00:00Z', 60, { userName: 'bob' })],
    context: context(10),
    expected: { a: { tokenPool: 'CY' }, b: { tokenPool: 'CY' } },
  },
  {
    name: 'tokens consumed before the batch count against the CY pool',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 60)],
    context: context(10, 8),
    expected: { a: { tokensConsumed: 5, tokenPool: 'MY' } },
  },
  {
    name: 'the contract year is the one whose range holds the local rating day, and each year has its own pool',
    records: [
      desktop('a', 'RVT', '2024-12-31T20:00:00Z', 60, { licenseServerTzOffset: '-05:00' }),
      desktop('b', 'RVT', '2025-01-01T02:00:00Z', 60, { licenseServerTzOffset: '-05:00', userName: 'bob' }),
      desktop('c', 'RVT', '2025-01-01T06:00:00Z', 60, { licenseServerTzOffset: '-05:00' }),
    ],
    context: context(10),
    expected: {
      a: { usageDate: '2024-12-31', contractYear: 1, tokenPool: 'CY' },
      b: { usageDate: '2024-12-31', contractYear: 1, tokenPool: 'MY' },
      c: { usageDate: '2025-01-01', contractYear: 2, tokenPool: 'CY' },
    },
  },
  {
    name: 'subscription and pay-per-use desktop sessions are N/A with no tokens, and do not count for the day',
    records: [
      desktop('a', 'RVT', '2024-03-04T08:00:00Z', 120, { source: 'sus' }),
      desktop('b', 'RVT', '2024-03-04T10:00:00Z', 2, { source: 'ppu' }),
      desktop('c', 'ACD', '2024-03-04T12:00:00Z', 60),
    ],
    expected: {
      a: { chargeCategory: 'N/A', tokensConsumed: 0, isChargedEvent: false, usageMinutes: 120 },
      b: { chargeCategory: 'N/A', tokensConsumed: 0, isChargedEvent: false },
      c: { chargeCategory: 'CHARGED', tokensConsumed: 5 },
    },
  },
  {
    name: 'cloud events are CHARGED their own tokens per event, a failed job is FREE, and cloud usage from a subscription is N/A',
    records: [
      cloud('a', '2024-03-04T09:00:00Z', 7),
      cloud('b', '2024-03-04T10:00:00Z', 7),
      cloud('c', '2024-03-04T11:00:00Z', 7, { jobStatus: 'Failed' }),
      cloud('d', '2024-03-04T12:00:00Z', 3, { usageCategory: 'CLOUD_PRODUCT', jobStatus: null }),
      cloud('e', '2024-03-04T13:00:00Z', 3, { source: 'sus' }),
    ],
    context: context(14),
    expected: {
      a: { chargeCategory: 'CHARGED', tokensConsumed: 7, isChargedEvent: true, tokenPool: 'CY', usageMinutes: 0 },
      b: { chargeCategory: 'CHARGED', tokensConsumed: 7, isChargedEvent: true, tokenPool: 'CY' },
      c: { chargeCategory: 'FREE', tokensConsumed: 0, isChargedEvent: false, tokenPool: 'CY' },
      d: { chargeCategory: 'CHARGED', tokensConsumed: 3, tokenPool: 'MY' },
      e: { chargeCategory: 'N/A', tokensConsumed: 0, tokenPool: 'MY' },
    },
  },
  {
    name: 'cloud and manual records are dated on their UTC day unless they carry an offset',
    records: [
      cloud('a', '2024-03-04T23:30:00Z', 1),
      cloud('b', '2024-03-04T23:30:00Z', 1, { licenseServerTzOffset: '+01:00' }),
      manual('c', '2024-03-04 23:30:00', 1),
    ],
    expected: { a: { usageDate: '2024-03-04' }, b: { usageDate: '2024-03-05' }, c: { usageDate: '2024-03-04' } },
  },
  {
    name: 'manual records are N/A with their given tokens, and a negative adjustment gives CY tokens back',
    records: [
      desktop('a', 'RVT', '2024-03-04T09:00:00Z', 60),
      manual('b', '2024-03-04T10:00:00Z', 4, { usageCategory: 'MANUAL_CONSUMPTION' }),
      manual('c', '2024-03-04T11:00:00Z', -6),
      desktop('d', 'ACD', '2024-03-04T12:00:00Z', 60, { userName: 'bob' }),
    ],
    context: context(12),
    expected: {
      a: { chargeCategory: 'CHARGED', tokensConsumed: 10, tokenPool: 'CY' },
      b: { chargeCategory: 'N/A', tokensConsumed: 4, isChargedEvent: false, tokenPool: 'MY' },
      c: { chargeCategory: 'N/A', tokensConsumed: -6, isChargedEvent: false, tokenPool: 'CY' },
      d: { chargeCategory: 'CHARGED', tokensConsumed: 5, tokenPool: 'MY' },
    },
  },
];

for (const c of CASES) {
  test(c.name, () => {
    const charges = rateRecords(c.records, c.context ?? context(), c.options);
    // Each record is compared on the fields its expectation names; every record must be named.
    const actual = Object.fromEntries(charges.map((charge) => [
      charge.id,
      Object.fromEntries(Object.keys(c.expected[charge.id] ?? {}).map((f) => [f, charge[f as keyof RatedCharge]])),
    ]));
    assert.deepEqual(actual, c.expected);
  });
}

// ---- Late records and re-rating --------------------------------------------------------------------

test('a late record earlier in an already rated day moves the charges of that day', () => {
  const batch = [desktop('a', 'ACD', '2024-03-04T10:00:00Z', 60), desktop('b', 'RVT', '2024-03-04T14:00:00Z', 60)];
  assert.deepEqual(pick(rateRecords(batch, context()), ['chargeCategory', 'tokensConsumed']), {
    a: { chargeCategory: 'CHARGED', tokensConsumed: 5 },
    b: { chargeCategory: 'INCREMENTAL', tokensConsumed: 5 },
  });
  const late = desktop('z', 'RVT', '2024-03-04T08:00:00Z', 60);
  assert.deepEqual(pick(rateRecords([...batch, late], context()), ['chargeCategory', 'tokensConsumed']), {
    a: { chargeCategory: 'FREE', tokensConsumed: 0 },
    b: { chargeCategory: 'FREE', tokensConsumed: 0 },
    z: { chargeCategory: 'CHARGED', tokensConsumed: 10 },
  });
});

test('a late record moves the CY/MY split of later records of its contract year', () => {
  const batch = [desktop('a', 'ACD', '2024-03-04T10:00:00Z', 60), desktop('b', 'ACD', '2024-03-05T10:00:00Z', 60)];
  assert.deepEqual(pick(rateRecords(batch, context(10)), ['tokenPool']), { a: { tokenPool: 'CY' }, b: { tokenPool: 'CY' } });
  const late = desktop('z', 'ACD', '2024-03-03T10:00:00Z', 60, { userName: 'bob' });
  assert.deepEqual(pick(rateRecords([...batch, late], context(10)), ['tokenPool']), {
    a: { tokenPool: 'CY' }, b: { tokenPool: 'MY' }, z: { tokenPool: 'CY' },
  });
});

test('affectedUserDays names each (contract, user, rating day) a batch touches, once, sorted', () => {
  const days = affectedUserDays([
    desktop('a', 'ACD', '2024-03-05T04:30:00Z', 60, { licenseServerTzOffset: '-05:00' }),
    desktop('b', 'RVT', '2024-03-04T20:00:00Z', 60),
    cloud('c', '2024-03-04T09:00:00Z', 1, { userName: 'bob' }),
    manual('d', '2024-03-06T09:00:00Z', 1),
  ]);
  assert.deepEqual(days, [
    { contractNumber: 'C1', userName: '', usageDate: '2024-03-06' },
    { contractNumber: 'C1', userName: 'ann', usageDate: '2024-03-04' },
    { contractNumber: 'C1', userName: 'bob', usageDate: '2024-03-04' },
  ]);
  assert.ok(Object.isFrozen(days) && Object.isFrozen(days[0]));
});

test('re-rating only the records from the earliest affected user-day on, with the tokens before it, matches a full re-rating', () => {
  const stored = [
    desktop('a', 'RVT', '2024-03-01T10:00:00Z', 60),
    desktop('b', 'ACD', '2024-03-02T10:00:00Z', 60, { userName: 'bob' }),
    desktop('c', 'ACD', '2024-03-04T09:00:00Z', 60),
    desktop('d', 'ACD', '2024-03-04T12:00:00Z', 60, { userName: 'bob' }),
    desktop('e', 'RVT', '2024-03-06T12:00:00Z', 60, { userName: 'bob' }),
  ];
  const late = [desktop('z', 'RVT', '2024-03-04T11:00:00Z', 60)];
  const full = rateRecords([...stored, ...late], context(20));
  // The recipe of affectedUserDays: S = the earliest usage time of the affected user-days.
  const keys = new Set(affectedUserDays(late).map((d) => JSON.stringify([d.contractNumber, d.userName, d.usageDate])));
  const oldCharges = new Map(rateRecords(stored, context(20)).map((c) => [c.id, c]));
  const onAffectedDay = stored.filter((r) => keys.has(JSON.stringify([r.contractNumber, r.userName, oldCharges.get(r.id)?.usageDate])));
  const s = Math.min(...[...onAffectedDay, ...late].map((r) => Date.parse(r.sessionStart ?? '')));
  const before = stored.filter((r) => Date.parse(r.sessionStart ?? '') < s);
  const consumed = before.reduce((sum, r) => sum + (oldCharges.get(r.id)?.tokensConsumed ?? 0), 0);
  const partial = rateRecords([...stored.filter((r) => !before.includes(r)), ...late], context(20, consumed));
  assert.deepEqual(partial, full.filter((c) => !before.some((r) => r.id === c.id)));
  assert.deepEqual(pick(partial, ['chargeCategory', 'tokenPool']), {
    c: { chargeCategory: 'CHARGED', tokenPool: 'CY' },
    d: { chargeCategory: 'CHARGED', tokenPool: 'MY' },
    e: { chargeCategory: 'CHARGED', tokenPool: 'MY' },
    z: { chargeCategory: 'INCREMENTAL', tokenPool: 'MY' },
  });
});

test('re-rating from S needs, as context, the earlier records of the days that began before S', () => {
  // Ann's day began at 09:00 with Revit; bob's late record at 11:00 makes S = 11:00. Passed alone,
  // ann's 12:00 AutoCAD session would look like her first of the day and be CHARGED.
  const stored = [desktop('a', 'RVT', '2024-03-04T09:00:00Z', 60), desktop('b', 'ACD', '2024-03-04T12:00:00Z', 60)];
  const late = [desktop('z', 'ACD', '2024-03-04T11:00:00Z', 60, { userName: 'bob' })];
  const full = new Map(rateRecords([...stored, ...late], context(12)).map((c) => [c.id, c]));
  const before = rateRecords(stored, context(12)).find((c) => c.id === 'a')?.tokensConsumed ?? 0;
  assert.equal(rateRecords([stored[1] as RatingSession, ...late], context(12, before)).find((c) => c.id === 'b')?.chargeCategory, 'CHARGED');
  // With the context (and its tokens taken out of the tokens before S), every record from S on is exact.
  const withContext = rateRecords([...stored, ...late], context(12, before - before));
  for (const id of ['b', 'z']) assert.deepEqual(withContext.find((c) => c.id === id), full.get(id));
  assert.equal(full.get('b')?.chargeCategory, 'FREE');
});

// ---- Output shape --------------------------------------------------------------------------------

test('charges come back sorted by id and frozen, one per record', () => {
  const charges = rateRecords([
    desktop('r10', 'ACD', '2024-03-04T09:00:00Z', 60),
    desktop('r2', 'ACD', '2024-03-04T08:00:00Z', 60),
    cloud('r1', '2024-03-04T07:00:00Z', 1),
  ], context());
  assert.deepEqual(charges.map((c) => c.id), ['r1', 'r10', 'r2']);
  assert.ok(Object.isFrozen(charges) && charges.every((c) => Object.isFrozen(c)));
  assert.deepEqual(rateRecords([], context()), []);
});

test('usage minutes are the session length rounded to two decimals', () => {
  const [charge] = rateRecords([{ ...desktop('a', 'ACD', '2024-03-04T09:00:00Z', 0), sessionEnd: '2024-03-04T10:00:10.123Z' }], context());
  assert.equal(charge?.usageMinutes, 60.17);
});

// ---- Validation ------------------------------------------------------------------------------------

interface InvalidCase {
  readonly name: string;
  readonly records: readonly RatingSession[];
  readonly context?: RatingContext;
  readonly options?: Partial<RatingOptions>;
  readonly message: RegExp;
}

const INVALID: readonly InvalidCase[] = [
  {
    name: 'an unknown product version is refused, naming the record',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 60, { productVersion: '1999' })],
    message: /record 'a': unknown product ACD version 1999/,
  },
  {
    name: 'a Flex desktop session without a product is refused',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 60, { productLineCode: null })],
    message: /record 'a': a Flex desktop session needs its product/,
  },
  {
    name: 'a session that ends before it starts is refused',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', -1)],
    message: /record 'a': the session ends .* before it starts/,
  },
  {
    name: 'a desktop session without an end is refused',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 60, { sessionEnd: null })],
    message: /record 'a': sessionEnd is missing/,
  },
  {
    name: 'a date-time that is not ISO, or not a real day, is refused',
    records: [desktop('a', 'ACD', '2024-02-30T09:00:00Z', 60)],
    message: /record 'a': sessionStart '2024-02-30T09:00:00Z' is not an ISO date-time/,
  },
  {
    name: 'a malformed licence-server offset is refused',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 60, { licenseServerTzOffset: 'CET' })],
    message: /record 'a': licenseServerTzOffset 'CET' is not an offset/,
  },
  {
    name: 'a record of an unknown contract is refused',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 60, { contractNumber: 'C9' })],
    message: /record 'a': unknown contract C9/,
  },
  {
    name: 'a record dated outside every contract year is refused',
    records: [desktop('a', 'ACD', '2026-03-04T09:00:00Z', 60)],
    message: /record 'a': no year of contract C1 covers its usage date 2026-03-04/,
  },
  {
    name: 'two records with the same id are refused',
    records: [desktop('a', 'ACD', '2024-03-04T09:00:00Z', 60), desktop('a', 'ACD', '2024-03-05T09:00:00Z', 60)],
    message: /record 'a': the id appears more than once/,
  },
  {
    name: 'a charged cloud event without tokens is refused',
    records: [cloud('a', '2024-03-04T09:00:00Z', 1, { tokens: null })],
    message: /record 'a': a charged cloud event needs its tokens/,
  },
  {
    name: 'a manual record without a transaction date is refused',
    records: [manual('a', '2024-03-04T09:00:00Z', 1, { transactionDate: null })],
    message: /record 'a': transactionDate is missing/,
  },
  {
    name: 'a negative casual threshold is refused',
    records: [],
    options: { casualThresholdMinutes: -1 },
    message: /casual threshold must be a number of minutes >= 0/,
  },
  {
    name: 'overlapping contract years are refused',
    records: [],
    context: { products: PRODUCTS, contractYears: new Map([['C1', [...years(), { year: 3, startDate: '2025-06-01', endDate: '2026-05-31', provisionedTokens: 1 }]]]) },
    message: /contract C1 year 2 overlaps year 3/,
  },
  {
    name: 'a negative daily token rate is refused',
    records: [],
    context: { products: [{ productLineCode: 'X', version: '1', dailyTokenRate: -1 }], contractYears: new Map() },
    message: /product X 1 has daily token rate -1/,
  },
];

for (const c of INVALID) {
  test(c.name, () => {
    assert.throws(() => rateRecords(c.records, c.context ?? context(), c.options), (error: unknown) => {
      assert.ok(AppError.is(error));
      assert.equal(error.code, 'REQUEST_INVALID');
      assert.match(error.message, c.message);
      return true;
    });
  });
}

test('every bad record is listed, in an order that does not depend on arrival order', () => {
  const records = [
    desktop('b', 'ACD', '2024-03-04T09:00:00Z', -5),
    desktop('a', 'NOPE', '2024-03-04T09:00:00Z', 60),
    desktop('c', 'ACD', '2024-03-04T09:00:00Z', 60),
  ];
  const errorOf = (batch: readonly RatingSession[]): AppError => {
    try {
      rateRecords(batch, context());
    } catch (error) {
      if (AppError.is(error)) return error;
    }
    assert.fail('expected an AppError');
  };
  const first = errorOf(records);
  const reversed = errorOf([...records].reverse());
  assert.match(first.message, /^Cannot rate these records: record 'a': unknown product NOPE version 2025 \(and 1 more problem\)\.$/);
  assert.equal(first.message, reversed.message);
  assert.deepEqual(first.extra, { recordIds: ['a', 'b'] });
  assert.deepEqual(first.errors?.map((e) => e.path), ['/records/1/productVersion', '/records/0/sessionEnd']);
});

test('several entries of one product version are told apart by their effective dates', () => {
  const products: RatingProduct[] = [
    { productLineCode: 'X', version: '1', dailyTokenRate: 3, effectiveTo: '2024-06-30' },
    { productLineCode: 'X', version: '1', dailyTokenRate: 4, effectiveFrom: '2024-07-01' },
  ];
  const ctx: RatingContext = { products, contractYears: new Map([['C1', years()]]) };
  const charges = rateRecords([
    desktop('a', 'X', '2024-06-30T09:00:00Z', 60, { productVersion: '1' }),
    desktop('b', 'X', '2024-07-01T09:00:00Z', 60, { productVersion: '1' }),
  ], ctx);
  assert.deepEqual(charges.map((c) => c.tokensConsumed), [3, 4]);
});

// ---- Properties ----------------------------------------------------------------------------------

const OFFSETS = ['-05:00', '+00:00', '+01:00', '+05:30', null] as const;
const BASE_MS = Date.parse('2024-12-30T00:00:00Z');

/**
 * Random records over four days around a contract-year boundary, on a 15-minute grid so that
 * equal start times (and so the id tie-break) are common.
 */
const recordsArbitrary = fc.array(
  fc.record({
    kind: fc.constantFrom('desktop', 'desktop', 'desktop', 'desktop', 'cloud', 'manual'),
    user: fc.constantFrom('ann', 'bob', 'cy'),
    contract: fc.constantFrom('C1', 'C2'),
    product: fc.constantFrom('ACDLT', 'ACD', 'RVT', 'MAYA'),
    slot: fc.integer({ min: 0, max: 4 * 24 * 4 - 1 }),
    minutes: fc.constantFrom(0, 2, 4, 5, 30, 240, 3000),
    offset: fc.constantFrom(...OFFSETS),
    source: fc.constantFrom('flex', 'flex', 'flex', 'sus', 'ppu'),
    borrowed: fc.boolean(),
    failed: fc.boolean(),
    tokens: fc.integer({ min: -20, max: 20 }),
  }),
  { maxLength: 40 },
).map((draws) => draws.map((d, i): RatingSession => {
  const id = `r${(i * 7919) % 1000}-${i}`;
  const start = new Date(BASE_MS + d.slot * 15 * 60_000).toISOString();
  const common = { contractNumber: d.contract, userName: d.user, source: d.source as RatingSession['source'], licenseServerTzOffset: d.offset };
  if (d.kind === 'cloud') return cloud(id, start, Math.abs(d.tokens), { ...common, jobStatus: d.failed ? 'Failed' : 'Success' });
  if (d.kind === 'manual') return manual(id, start, d.tokens, common);
  return desktop(id, d.product, start, d.minutes, { ...common, usageType: d.borrowed ? 'Borrowed' : 'Normal' });
}));

function propertyContext(provisioned: number): RatingContext {
  const span = (year: number): readonly RatingContractYear[] => [
    { year, startDate: '2024-01-01', endDate: '2024-12-31', provisionedTokens: provisioned },
    { year: year + 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: provisioned },
  ];
  return { products: PRODUCTS, contractYears: new Map([['C1', span(1)], ['C2', span(4)]]) };
}

test('shuffling the arrival order of the records gives identical charges', () => {
  fc.assert(
    fc.property(
      recordsArbitrary.chain((records) => fc.tuple(
        fc.constant(records),
        fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }),
        fc.integer({ min: 0, max: 60 }),
      )),
      ([records, shuffled, provisioned]) => {
        assert.deepEqual(rateRecords(shuffled, propertyContext(provisioned)), rateRecords(records, propertyContext(provisioned)));
      },
    ),
    { numRuns: 300 },
  );
});

test('the tokens of a user-day are the dearest daily rate among its non-casual Flex desktop sessions', () => {
  fc.assert(
    fc.property(recordsArbitrary, fc.integer({ min: 0, max: 60 }), (records, provisioned) => {
      const charges = new Map(rateRecords(records, propertyContext(provisioned)).map((c) => [c.id, c]));
      const days = new Map<string, { tokens: number; dearest: number }>();
      for (const record of records) {
        if (record.usageCategory !== 'DESKTOP_PRODUCT' || record.source !== 'flex') continue;
        const charge = charges.get(record.id);
        assert.ok(charge);
        const key = JSON.stringify([record.contractNumber, record.userName, charge.usageDate]);
        const day = days.get(key) ?? { tokens: 0, dearest: 0 };
        const casual = charge.usageMinutes < 5;
        assert.equal(charge.chargeCategory === 'CASUAL', casual);
        days.set(key, {
          tokens: day.tokens + charge.tokensConsumed,
          dearest: casual ? day.dearest : Math.max(day.dearest, RATE[record.productLineCode ?? ''] ?? NaN),
        });
      }
      for (const day of days.values()) assert.equal(day.tokens, day.dearest);
    }),
    { numRuns: 300 },
  );
});

test('within a contract year without negative adjustments, once a record draws on MY every later one does', () => {
  fc.assert(
    fc.property(recordsArbitrary, fc.integer({ min: 0, max: 60 }), (records, provisioned) => {
      const positive = records.filter((r) => r.tokens === null || r.tokens >= 0);
      const charges = new Map(rateRecords(positive, propertyContext(provisioned)).map((c) => [c.id, c]));
      const at = (r: RatingSession): number => Date.parse(r.sessionStart ?? r.usageTimestamp ?? r.transactionDate ?? '');
      const ordered = [...positive].sort((a, b) => at(a) - at(b) || (a.id < b.id ? -1 : 1));
      const inMy = new Set<string>();
      for (const record of ordered) {
        const charge = charges.get(record.id);
        assert.ok(charge);
        const year = `${record.contractNumber}/${charge.contractYear}`;
        if (inMy.has(year)) assert.equal(charge.tokenPool, 'MY');
        if (charge.tokenPool === 'MY') inMy.add(year);
      }
    }),
    { numRuns: 200 },
  );
});
