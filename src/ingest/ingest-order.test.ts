import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { rateRecords, type RatingContext, type RatingSession } from '../rating/index.js';
import type { Store } from '../store/index.js';
import { requirePostgres } from '../../test/helpers/databases.js';
import { rounds } from '../../test/helpers/rounds.js';
import { openFixtureStore } from '../../test/helpers/usage-fixture.js';
import { ingestUsage } from './index.js';

// Issue 7: "Rating is a pure, deterministic function of the records, re-run for the affected
// user-days when late or corrected records arrive, so results never depend on arrival order."
// The engine's own property test shuffles records in memory; this one goes through ingestion and
// the store: two batches applied in either order (overlapping or not) leave identical charges,
// and the charges are those of rating every record at once. (It found that re-rating from S must
// take the earlier records of a day that began before S as context: src/rating affectedUserDays.)

const FIXTURE_CONTEXT: RatingContext = {
  products: [
    { productLineCode: 'ACD', version: '2025', dailyTokenRate: 4 },
    { productLineCode: 'RVT', version: '2025', dailyTokenRate: 10 },
    { productLineCode: 'ACDLT', version: '2025', dailyTokenRate: 1 },
  ],
  contractYears: new Map([['FX1', [
    { year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 20 },
    { year: 2, startDate: '2026-01-01', endDate: '2026-12-31', provisionedTokens: 20 },
  ]]]),
};

/** A record as sent (NDJSON object) and as the engine sees it. */
interface Generated {
  readonly line: Record<string, unknown>;
  readonly session: RatingSession;
}

const BASE_MS = Date.parse('2025-12-30T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** Records over four days around the year boundary, on a 30-minute grid so equal start times occur. */
const recordsArbitrary = fc.uniqueArray(
  fc.record({
    n: fc.integer({ min: 0, max: 999 }),
    kind: fc.constantFrom('desktop', 'desktop', 'desktop', 'desktop', 'cloud', 'manual'),
    user: fc.constantFrom('ann', 'bob', 'cy'),
    product: fc.constantFrom('ACD', 'RVT', 'ACDLT'),
    slot: fc.integer({ min: 0, max: 4 * 48 - 1 }),
    minutes: fc.constantFrom(2, 5, 45, 300),
    offset: fc.constantFrom('-05:00', '+00:00', '+09:00'),
    source: fc.constantFrom('flex', 'flex', 'flex', 'sus'),
    tokens: fc.integer({ min: -8, max: 8 }),
    jobStatus: fc.constantFrom('Success', 'Success', 'Failed'),
  }),
  { selector: (d) => d.n, minLength: 1, maxLength: 25 },
).map((draws) => draws.map((d): Generated => {
  const id = `r${String(d.n).padStart(3, '0')}`;
  const start = BASE_MS + d.slot * 30 * 60_000;
  const blank = {
    id, contractNumber: 'FX1', userName: d.user, source: d.source as RatingSession['source'], productLineCode: null, productVersion: null,
    sessionStart: null, sessionEnd: null, licenseServerTzOffset: d.offset, usageType: null, usageTimestamp: null, transactionDate: null,
    tokens: null, jobStatus: null,
  } as const;
  if (d.kind === 'cloud') {
    return {
      line: { id, usageCategory: 'CLOUD_SERVICE', contractNumber: 'FX1', userName: d.user, source: d.source, productLineCode: 'CLD', usageTimestamp: iso(start), licenseServerTimeZoneOffset: d.offset, tokens: Math.abs(d.tokens), jobStatus: d.jobStatus },
      session: { ...blank, usageCategory: 'CLOUD_SERVICE', usageTimestamp: iso(start), tokens: Math.abs(d.tokens), jobStatus: d.jobStatus },
    };
  }
  if (d.kind === 'manual') {
    return {
      line: { id, usageCategory: 'MANUAL_ADJUSTMENT', contractNumber: 'FX1', transactionDate: iso(start), licenseServerTimeZoneOffset: d.offset, tokens: d.tokens },
      session: { ...blank, userName: '', source: 'flex', usageCategory: 'MANUAL_ADJUSTMENT', transactionDate: iso(start), tokens: d.tokens },
    };
  }
  const end = iso(start + d.minutes * 60_000);
  return {
    line: { id, contractNumber: 'FX1', userName: d.user, source: d.source, productLineCode: d.product, productVersion: '2025', sessionStartDate: iso(start), sessionEndDate: end, licenseServerTimeZoneOffset: d.offset },
    session: { ...blank, usageCategory: 'DESKTOP_PRODUCT', productLineCode: d.product, productVersion: '2025', sessionStart: iso(start), sessionEnd: end, usageType: 'Normal' },
  };
}));

async function ingest(store: Store, records: readonly Generated[]): Promise<void> {
  if (records.length === 0) return;
  await ingestUsage(store, [records.map((r) => JSON.stringify(r.line)).join('\n')], { format: 'ndjson', dryRun: false });
}

async function chargesOf(store: Store): Promise<Record<string, unknown>> {
  const day = store.backend === 'postgres' ? "to_char(usage_date, 'YYYY-MM-DD')" : "strftime(usage_date, '%Y-%m-%d')";
  const charges: Record<string, unknown> = {};
  for await (const row of store.streamRows({
    sql: `select id, ${day}, contract_year, charge_category, token_pool, tokens_consumed, is_charged_event, usage_minutes
      from usage_records`,
    parameters: [],
  }, new AbortController().signal)) {
    const [id, usageDate, contractYear, chargeCategory, tokenPool, tokensConsumed, isChargedEvent, usageMinutes] = row;
    charges[String(id)] = {
      usageDate, contractYear: Number(contractYear), chargeCategory, tokenPool, tokensConsumed: Number(tokensConsumed),
      isChargedEvent: Boolean(isChargedEvent), usageMinutes: Number(usageMinutes),
    };
  }
  return charges;
}

/** The property, on fresh fixture stores of one backend. */
function arrivalOrderProperty(backend: Store['backend'], numRuns: number): Promise<void> {
  return fc.assert(
    fc.asyncProperty(
      recordsArbitrary.chain((records) => fc.tuple(
        fc.constant(records),
        fc.array(fc.constantFrom('a', 'b', 'both'), { minLength: records.length, maxLength: records.length }),
      )),
      async ([records, sides]) => {
        const a = records.filter((_, i) => sides[i] !== 'b');
        const b = records.filter((_, i) => sides[i] !== 'a');
        // Each run opens two fresh stores and closes them before the next run.
        const closers: (() => Promise<void>)[] = [];
        const scope = { after: (fn: () => Promise<void>) => { closers.push(fn); } };
        try {
          const first = await openFixtureStore(scope, backend);
          await ingest(first, a);
          await ingest(first, b);
          const second = await openFixtureStore(scope, backend);
          await ingest(second, b);
          await ingest(second, a);
          const expected = Object.fromEntries(rateRecords(records.map((r) => r.session), FIXTURE_CONTEXT).map(({ id, ...charge }) => [id, charge]));
          const [one, other] = [await chargesOf(first), await chargesOf(second)];
          assert.deepEqual(one, other);
          assert.deepEqual(one, expected);
        } finally {
          for (const close of closers) await close();
        }
      },
    ),
    { numRuns },
  );
}

test('two batches applied in either order, overlapping or not, leave the charges of rating every record at once', () => arrivalOrderProperty('duckdb', rounds(20)));

const postgres = await requirePostgres();
describe('on PostgreSQL', postgres.describeOptions, () => {
  test('two batches applied in either order, overlapping or not, leave the charges of rating every record at once', () => arrivalOrderProperty('postgres', rounds(20)));
});
