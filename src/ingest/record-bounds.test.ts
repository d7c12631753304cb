import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Store, UsageReferences } from '../store/index.js';
import { requirePostgres } from '../../test/helpers/databases.js';
import { rounds } from '../../test/helpers/rounds.js';
import { FIXTURE_CONTRACT, openFixtureStore } from '../../test/helpers/usage-fixture.js';
import { AppError } from '../errors.js';
import { decimalsOf } from '../limits.js';
import { ingestUsage } from './index.js';
import { RecordValidator } from './validate-record.js';

// Issue 19 item 3: a record's numbers are bounded to what the store and the rating hold exactly
// (|tokens| and |quantity| ≤ 10^9, at most 6 decimals; a session of at most 366 days), refused
// with line and field; and no accepted batch, however extreme, can make the rating's sums overflow.

const REFERENCES: UsageReferences = {
  contracts: [{ contractNumber: 'C1', teamId: 'T1', years: [{ year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 100 }] }],
  teamIds: ['T1'],
  products: [{ productLineCode: 'ACD', version: '2025', productName: 'AutoCAD', featureCode: 'F', dailyTokenRate: 4, effectiveFrom: null, effectiveTo: null }],
};
const validator = new RecordValidator(REFERENCES);
const MANUAL = { usageCategory: 'MANUAL_ADJUSTMENT', contractNumber: 'C1', transactionDate: '2025-03-04T10:00:00Z' };

function problems(values: Record<string, unknown>, fromCsv = false): string[] {
  const result = validator.validate({ line: 3, values, fromCsv });
  return result.ok ? [] : result.problems.map((p) => `${p.line} ${p.field}: ${p.message}`);
}

test('tokens and quantity beyond 10^9, or with more than 6 decimals, are refused with line and field', () => {
  for (const tokens of [1e308, -1e308, 1e9 + 1, -1_000_000_000.5, 0.1234567, 1e-7]) {
    const found = problems({ ...MANUAL, tokens });
    assert.equal(found.length, 1, `tokens ${tokens}: ${found.join('; ')}`);
    assert.match(found[0] as string, /^3 tokens: /);
  }
  assert.match(problems({ ...MANUAL, tokens: '1e308' }, true)[0] as string, /^3 tokens: must be between/);
  assert.match(problems({ ...MANUAL, tokens: 1, quantity: 2e9 })[0] as string, /^3 quantity: /);
  for (const tokens of [1e9, -1e9, 999_999_999.999999, 0.000001, 123.456789, 0]) assert.deepEqual(problems({ ...MANUAL, tokens }), [], `tokens ${tokens}`);
  assert.deepEqual(problems({ ...MANUAL, tokens: '-999999999.999999', quantity: '1000000000' }, true), []);
});

test('a desktop session longer than 366 days is refused', () => {
  const session = { contractNumber: 'C1', userName: 'ann', productLineCode: 'ACD', productVersion: '2025', licenseServerTimeZoneOffset: '+00:00', sessionStartDate: '2025-01-01T00:00:00Z' };
  assert.match(problems({ ...session, sessionEndDate: '2026-01-03T00:00:00Z' })[0] as string, /^3 sessionEndDate: the session lasts more than 366 days/);
  assert.deepEqual(problems({ ...session, sessionEndDate: '2025-12-31T00:00:00Z' }), []);
});

test('decimalsOf counts the decimals of the shortest form', () => {
  assert.deepEqual([1, 0.1, 1e-7, 123.456789, 1e21, -2.5e-3].map(decimalsOf), [0, 1, 7, 6, 0, 4]);
});

/** A number of at most 6 decimals and magnitude 10^9, biased to the extremes. */
const extremeTokens = fc.oneof(
  fc.constantFrom(1e9, -1e9, 999_999_999.999999, -999_999_999.999999, 0.000001),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.tuple(fc.integer({ min: -999_999_999, max: 999_999_999 }), fc.integer({ min: 0, max: 999_999 })).map(([whole, micro]) => Number(`${whole}.${String(micro).padStart(6, '0')}`)),
);

const batchArbitrary = fc.array(fc.record({
  kind: fc.constantFrom('MANUAL_ADJUSTMENT', 'MANUAL_CONSUMPTION', 'CLOUD_SERVICE'),
  tokens: extremeTokens,
  quantity: extremeTokens,
  day: fc.integer({ min: 0, max: 700 }),
}), { minLength: 1, maxLength: 30 });

function lineOf(draw: { kind: string; tokens: number; quantity: number; day: number }, n: number): string {
  const at = new Date(Date.parse('2025-01-01T12:00:00Z') + draw.day * 86_400_000).toISOString();
  if (draw.kind === 'CLOUD_SERVICE') {
    return JSON.stringify({ id: `c${n}`, usageCategory: 'CLOUD_SERVICE', contractNumber: FIXTURE_CONTRACT, userName: 'ann', productLineCode: 'CLD', usageTimestamp: at, tokens: Math.abs(draw.tokens), jobStatus: 'Success' });
  }
  return JSON.stringify({ id: `m${n}`, usageCategory: draw.kind, contractNumber: FIXTURE_CONTRACT, transactionDate: at, tokens: draw.tokens, quantity: draw.quantity });
}

async function figuresOf(store: Store): Promise<number[]> {
  const detail = await store.getContractDetail(FIXTURE_CONTRACT);
  const numbers: number[] = [];
  JSON.stringify(detail, (_key, value: unknown) => {
    if (typeof value === 'number') numbers.push(value);
    return value;
  });
  for await (const row of store.streamRows({ sql: 'select tokens_consumed, usage_minutes, quantity from usage_records', parameters: [] }, new AbortController().signal)) {
    numbers.push(...row.map(Number));
  }
  return numbers;
}

/** The property, on fresh fixture stores of one backend: two extreme batches, then an ordinary one, all accepted; every figure finite. */
function noOverflowProperty(backend: Store['backend'], numRuns: number): Promise<void> {
  return fc.assert(fc.asyncProperty(batchArbitrary, batchArbitrary, async (first, second) => {
    const closers: (() => Promise<void>)[] = [];
    try {
      const store = await openFixtureStore({ after: (fn) => { closers.push(fn); } }, backend);
      await ingestUsage(store, [first.map(lineOf).join('\n')], { format: 'ndjson', dryRun: false, validationWorkers: 0 });
      await ingestUsage(store, [second.map((d, n) => lineOf(d, n + 100)).join('\n')], { format: 'ndjson', dryRun: false, validationWorkers: 0 });
      const ordinary = { id: 'ordinary', usageCategory: 'MANUAL_ADJUSTMENT', contractNumber: FIXTURE_CONTRACT, transactionDate: '2025-06-01T00:00:00Z', tokens: 1 };
      const summary = await ingestUsage(store, [JSON.stringify(ordinary)], { format: 'ndjson', dryRun: false, validationWorkers: 0 });
      assert.equal(summary.inserted, 1);
      for (const figure of await figuresOf(store)) assert.ok(Number.isFinite(figure), `a figure is ${figure}`);
    } finally {
      for (const close of closers) await close();
    }
  }), { numRuns });
}

test('extreme accepted batches never overflow the rating or the contract figures (DuckDB)', () => noOverflowProperty('duckdb', rounds(12)));

test('a record with tokens 1e308 is refused by the batch, naming line and field, and nothing is written', async (t) => {
  const store = await openFixtureStore(t, 'duckdb');
  const line = JSON.stringify({ usageCategory: 'MANUAL_ADJUSTMENT', contractNumber: FIXTURE_CONTRACT, transactionDate: '2025-03-04T10:00:00Z', tokens: 1e308 });
  await assert.rejects(ingestUsage(store, [`${lineOf({ kind: 'MANUAL_ADJUSTMENT', tokens: 1, quantity: 0, day: 1 }, 1)}\n${line}`], { format: 'ndjson', dryRun: false }),
    (error: unknown) => AppError.is(error) && error.code === 'USAGE_BATCH_INVALID' && /line 2, tokens: must be between/.test(error.message));
  let stored = 0;
  for await (const row of store.streamRows({ sql: 'select count(*) from usage_records', parameters: [] }, new AbortController().signal)) stored = Number(row[0]);
  assert.equal(stored, 0);
});

const postgres = await requirePostgres();
describe('on PostgreSQL', postgres.describeOptions, () => {
  test('extreme accepted batches never overflow the rating or the contract figures', () => noOverflowProperty('postgres', rounds(8)));
});
