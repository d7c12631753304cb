import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sweepConcurrency, type DesktopSession } from '../../src/analytics/index.js';
import type { Store } from '../../src/store/index.js';

/** Opens a fresh, migrated store filled with the demo data; `dispose` closes and removes it. */
export type AnalyticsStoreFactory = (demo: typeof DEMO) => Promise<{ store: Store; dispose: () => Promise<void> }>;

const DEMO = { rows: 3_000, seed: 11, from: '2025-01-01', to: '2025-06-30' } as const;

/**
 * The AnalyticsStore reads (issue 17) on each backend, held to answers computed independently in
 * JavaScript from the raw rows: the concurrency SQL to the plain sweep of src/analytics/concurrency.ts,
 * the sums and counts to the records they come from. Both backends meeting them give the same answers.
 */
export function describeAnalyticsStoreContract(name: string, factory: AnalyticsStoreFactory): void {
  describe(`${name} analytics store contract`, () => {
    let store: Store;
    let dispose: () => Promise<void> = async () => undefined;
    let contract: string;
    let team: string;
    before(async () => {
      ({ store, dispose } = await factory(DEMO));
      const admin = (await store.findUserByEmail('admin@example.com'))!;
      contract = (await store.listManagedContracts(admin.id))[0]!.contractNumber;
      team = (await store.findContract(contract))!.teamId;
    });
    after(() => dispose());

    const rows = async (sql: string, parameters: (string | number)[]) => {
      const out: unknown[][] = [];
      for await (const row of store.streamRows({ sql, parameters }, new AbortController().signal)) out.push(row);
      return out;
    };

    test('the concurrency sweep in SQL gives what the plain sweep gives, by hour and by day, for one product or all', async () => {
      const sessions: DesktopSession[] = (await rows(
        `select product_line_code, user_id, cast(extract(epoch from session_start) as bigint), cast(extract(epoch from session_end) as bigint)
           from usage_records where contract_number = $1 and usage_category = 'DESKTOP_PRODUCT' and product_line_code is not null
            and session_start is not null and session_end is not null`, [contract]))
        .map(([product, user, start, end]) => ({
          productLineCode: String(product), userId: String(user),
          start: new Date(Number(start) * 1000).toISOString(), end: new Date(Number(end) * 1000).toISOString(),
        }));
      assert.ok(sessions.length > 100);
      const from = Date.parse('2025-03-01T00:00:00Z');
      const to = Date.parse('2025-04-01T00:00:00Z');
      for (const unit of ['hour', 'day'] as const) {
        const expected = sweepConcurrency(sessions, unit).filter((p) => Date.parse(p.periodStart) >= from && Date.parse(p.periodStart) < to);
        const actual = (await store.listConcurrency(contract, { from, to, unit, productLineCode: null })).map((r) => ({
          productLineCode: r.productLineCode, periodStart: new Date(r.periodStart).toISOString(), peakSessions: r.peakSessions,
          peakAt: new Date(r.peakAt).toISOString(), distinctUsers: r.distinctUsers,
        }));
        assert.ok(expected.length > 10);
        assert.deepEqual(actual, expected, unit);
        assert.ok(expected.some((p) => p.peakSessions > 1), 'some periods overlap');
        const one = expected[0]!.productLineCode;
        assert.deepEqual((await store.listConcurrency(contract, { from, to, unit, productLineCode: one })).length,
          expected.filter((p) => p.productLineCode === one).length);
      }
    });

    test('daily tokens, adjustments and the multi-year draw are the sums of the records', async () => {
      const days = await store.listDailyTokens(contract, '2025-01-01', '2025-03-31');
      const raw = await rows(
        `select cast(usage_date as varchar), usage_category, tokens_consumed, token_pool from usage_records
          where contract_number = $1 and usage_date <= cast('2025-03-31' as date)`, [contract]);
      const byDay = new Map<string, { usage: number; adjustment: number }>();
      let multiyear = 0;
      for (const [day, category, tokens, pool] of raw) {
        if (pool === 'MY') multiyear += Number(tokens);
        const entry = byDay.get(String(day)) ?? { usage: 0, adjustment: 0 };
        if (category === 'MANUAL_ADJUSTMENT') entry.adjustment += Number(tokens); else entry.usage += Number(tokens);
        byDay.set(String(day), entry);
      }
      assert.deepEqual(days.map((d) => d.date), [...byDay.keys()].sort());
      for (const d of days) {
        assert.ok(Math.abs(d.usageTokens - byDay.get(d.date)!.usage) < 1e-6, d.date);
        assert.ok(Math.abs(d.adjustmentTokens - byDay.get(d.date)!.adjustment) < 1e-6, d.date);
      }
      assert.ok(Math.abs(days.reduce((sum, d) => sum + d.multiyearTokens, 0) - multiyear) < 1e-6);
    });

    test('use days per user, product and month count distinct days; Flex tokens are the flex records\'', async () => {
      const months = await store.listUserProductMonths(contract, '2025-02-01', '2025-04-30');
      const raw = await rows(
        `select user_id, product_line_code, cast(usage_date as varchar), source, tokens_consumed from usage_records
          where contract_number = $1 and usage_date between cast('2025-02-01' as date) and cast('2025-04-30' as date)
            and usage_category in ('DESKTOP_PRODUCT', 'CLOUD_PRODUCT') and user_id is not null and product_line_code is not null`, [contract]);
      const expected = new Map<string, { days: Set<string>; flex: number }>();
      for (const [user, product, day, source, tokens] of raw) {
        const key = `${String(user)} ${String(product)} ${String(day).slice(0, 7)}`;
        const entry = expected.get(key) ?? { days: new Set(), flex: 0 };
        entry.days.add(String(day));
        if (source === 'flex') entry.flex += Number(tokens);
        expected.set(key, entry);
      }
      assert.equal(months.length, expected.size);
      for (const m of months) {
        const entry = expected.get(`${m.userId} ${m.productLineCode} ${m.month}`)!;
        assert.equal(m.days, entry.days.size);
        assert.ok(Math.abs(m.flexTokens - entry.flex) < 1e-6);
      }
    });

    test('seat holders of a team carry their last use of the line (or of a product used through the collection the seat is of), or none', async () => {
      const seats = await store.listSeatHolders({ teamId: team }, '2025-06-30');
      const raw = await rows(
        `select a.user_id, s.product_line_code, s.id from seat_assignments a join subscriptions s on s.id = a.subscription_id
          where s.team_id = $1 and s.status = 'Active' order by s.product_line_code, a.user_id, s.id`, [team]);
      assert.deepEqual(seats.map((s) => [s.userId, s.productLineCode, s.subscriptionId]), raw.map((r) => r.map(String)));
      for (const seat of seats) {
        const [[last]] = await rows(
          `select cast(max(usage_date) as varchar) from usage_records where team_id = $1 and user_id = $2
              and (product_line_code = $3 or parent_product_name = $4) and usage_date <= cast('2025-06-30' as date)`,
          [team, seat.userId, seat.productLineCode, seat.productName]) as unknown[][] as [[unknown]];
        assert.equal(seat.lastUseDate, last === null ? null : String(last));
      }
    });

    test('a line\'s rate is its latest version\'s; its seat price is the line\'s', async () => {
      const products = (await store.listProducts({ offset: 0, limit: 1000 })).items;
      const code = products[0]!.productLineCode;
      await store.updateProduct(code, products[0]!.version, { seatTokensPerYear: 1234 });
      const [rate] = await store.listProductLineRates([code, 'NO-SUCH-LINE']);
      const versions = products.filter((p) => p.productLineCode === code)
        .sort((a, b) => (b.effectiveFrom ?? '0001-01-01').localeCompare(a.effectiveFrom ?? '0001-01-01') || b.version.localeCompare(a.version));
      assert.deepEqual(rate, { productLineCode: code, productName: versions[0]!.productName, dailyTokenRate: versions[0]!.dailyTokenRate, seatTokensPerYear: 1234 });
      assert.deepEqual(await store.listProductLineRates([]), []);
    });
  });
}
