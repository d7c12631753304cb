import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { catalogFor } from '../../src/catalog/index.js';
import { ingestUsage } from '../../src/ingest/index.js';
import { buildResultQuery } from '../../src/jobs/index.js';
import { planUsageQuery } from '../../src/query/index.js';
import {
  openDuckDbStore, QueryInterruptedError, type InsightsReportName, type Store,
} from '../../src/store/index.js';
import { openTestPostgresStore, requirePostgres } from '../helpers/databases.js';
import { postgresStoreFactory, type StoreStart } from './store-factories.js';
import { describeStoreContract } from './store.contract.js';
import { loadDemoData } from '../../src/seed/index.js';

// The shared contract on PostgreSQL (issue 6), then what only several processes on one database
// can show. Schemas are named after this run, so parallel runs on one server never see each
// other's rows; each test starts from its own empty, migrated or filled database (store-factories.ts).
const postgres = await requirePostgres();

describe('PostgreSQL', postgres.describeOptions, () => {
  describeStoreContract('PostgreSQL', postgresStoreFactory());

  describe('PostgreSQL shared by several processes', () => {
    const factory = postgresStoreFactory(4);
    const openProcesses = (count: number, start?: StoreStart) => factory.createShared(count, start);

    test('three processes migrating a fresh schema at once apply each migration exactly once', async () => {
      const { stores, dispose } = await openProcesses(3);
      try {
        const reports = await Promise.all(stores.map((store) => store.migrate()));
        const applied = reports.flatMap((r) => r.applied).sort();
        assert.deepEqual(applied, [...reports[0]!.current].sort(), 'every migration applied once, by one of them');
        assert.ok(applied.includes('0001_init'));
        for (const report of reports) assert.deepEqual(report.current, reports[0]!.current);
      } finally {
        await dispose();
      }
    });

    test('workers of three processes claiming at once never get the same job', async () => {
      const { stores, dispose } = await openProcesses(3, { migrated: true });
      try {
        const base = { kind: 'usage-query', api: 'insights', ownerUserId: 'u', tenantKey: 't', request: {}, requestHash: 'h', maxAttempts: 1 } as const;
        for (let i = 0; i < 60; i++) await stores[i % 3]!.createJob({ ...base, id: `job-${String(i).padStart(2, '0')}` });
        const claimed: string[] = [];
        await Promise.all(Array.from({ length: 12 }, async (_, w) => {
          const store = stores[w % 3]!;
          for (;;) {
            const job = await store.claimNextJob(`w-${w}`, ['usage-query']);
            if (!job) return;
            assert.equal(job.workerId, `w-${w}`);
            claimed.push(job.id);
          }
        }));
        assert.equal(claimed.length, 60);
        assert.equal(new Set(claimed).size, 60, 'no job claimed twice');
      } finally {
        await dispose();
      }
    });

    test('a state change by a worker that lost its job fails with JobLeaseLostError', async () => {
      const { stores, dispose } = await openProcesses(2, { migrated: true });
      try {
        const [a, b] = stores as [Store, Store];
        const base = { kind: 'usage-query', api: 'insights', ownerUserId: 'u', tenantKey: 't', request: {}, requestHash: 'h', maxAttempts: 3 } as const;
        await a.createJob({ ...base, id: 'lease' });
        assert.equal((await a.claimNextJob('w-a', ['usage-query']))?.id, 'lease');
        // w-a stops beating; the sweeper of the other process hands the job to w-b.
        assert.deepEqual(await b.sweepStaleJobs(new Date(Date.now() + 1000)), { requeued: 1, failed: 0 });
        assert.equal((await b.claimNextJob('w-b', ['usage-query']))?.id, 'lease');
        await assert.rejects(a.heartbeatJob('lease', 'w-a'), { name: 'JobLeaseLostError' });
        await assert.rejects(a.failJob('lease', 'w-a', { title: 'X', detail: 'x', retry: true }), { name: 'JobLeaseLostError' });
        await assert.rejects(a.markCanceled('lease', 'w-a', 'x'), { name: 'JobLeaseLostError' });
        await assert.rejects(a.completeExportJob('lease', 'w-a', [], 60_000), { name: 'JobLeaseLostError' });
        assert.equal((await b.getJob('lease'))?.workerId, 'w-b');
      } finally {
        await dispose();
      }
    });

    test('a schedule firing is claimed by exactly one of several processes', async () => {
      const { stores, dispose } = await openProcesses(3, { migrated: true });
      try {
        const due = '2025-03-01T06:00:00Z';
        await stores[0]!.saveSchedule({
          id: 's-1', contractNumber: 'c', ownerUserId: 'u', dateRangeExpression: 'Previous-1-Month', enabled: true,
          frequencyExpression: '0 0 6 1 * *', scheduleObjects: [], lastRanAt: null, nextRunAt: due,
        });
        assert.deepEqual((await stores[1]!.listDueSchedules(new Date('2025-03-01T06:00:01Z'))).map((s) => s.id), ['s-1']);
        const next = new Date('2025-04-01T06:00:00Z');
        const wins = await Promise.all(stores.flatMap((store) => [1, 2].map(() => store.claimScheduleFiring('s-1', due, next, new Date()))));
        assert.equal(wins.filter(Boolean).length, 1);
        assert.equal((await stores[2]!.getSchedule('s-1'))?.nextRunAt, '2025-04-01T06:00:00Z');
      } finally {
        await dispose();
      }
    });
  });

  describe('PostgreSQL holds and answers what DuckDB does', () => {
    const DEMO = { rows: 3_000, seed: 11, from: '2025-01-01', to: '2025-06-30' } as const;
    let pgStore: Store;
    let duck: Store;
    let disposePg: () => Promise<void> = async () => undefined;
    before(async () => {
      const opened = await openTestPostgresStore();
      pgStore = opened.store;
      disposePg = opened.dispose;
      duck = await openDuckDbStore({ dataDir: ':memory:' });
      await Promise.all([pgStore.migrate(), duck.migrate()]);
      const [a, b] = await Promise.all([loadDemoData(pgStore, DEMO), loadDemoData(duck, DEMO)]);
      assert.deepEqual({ ...a, millis: 0 }, { ...b, millis: 0 });
    });
    after(async () => {
      await duck?.close();
      await disposePg();
    });

    const rows = async (store: Store, sql: string, parameters: (string | number | boolean)[] = []) => {
      const out: unknown[][] = [];
      for await (const row of store.streamRows({ sql, parameters }, new AbortController().signal)) out.push(row);
      return out;
    };

    test('the demo data is identical, row for row, in every table', async () => {
      const keys: Record<string, string> = {
        users: 'id', teams: 'id', team_members: 'team_id, user_id', contracts: 'contract_number',
        contract_years: 'contract_number, year', contract_managers: 'contract_number, user_id',
        user_enrichment: 'contract_number, user_id, field_index', products: 'product_line_code, version',
        subscriptions: 'id', seat_assignments: 'subscription_id, user_id', usage_records: 'id', product_lines: 'product_line_code',
      };
      for (const [table, key] of Object.entries(keys)) {
        const [expected, actual] = await Promise.all([rows(duck, `select * from ${table} order by ${key}`), rows(pgStore, `select * from ${table} order by ${key}`)]);
        assert.ok(expected.length > 0, `${table} has rows`);
        assert.equal(actual.length, expected.length, `${table}: row count`);
        for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], `${table}: row ${i}`);
      }
    });

    test('every Insights report streams the same rows', async () => {
      const admin = (await pgStore.findUserByEmail('admin@example.com'))!;
      const teamIds = (await pgStore.listAdministeredTeams(admin.id)).map((t) => t.teamId);
      const reports: InsightsReportName[] = ['SUBSCRIPTIONS', 'USERS', 'USAGE', 'USAGE_REPORT_SUMMARY', 'USAGE_REPORT_DETAIL'];
      for (const report of reports) {
        const query = { report, teamIds, startDate: '2025-02-01', endDate: '2025-04-30', filters: { source: ['flex', 'sus'] } };
        const [expected, actual] = await Promise.all([duck, pgStore].map((store) => {
          const built = store.buildReportQuery(query);
          return rows(store, built.sql, [...built.parameters]);
        }));
        assert.ok(expected!.length > 0, `${report} has rows`);
        // Sums of doubles may differ in the last bit with the order they are added in.
        const round = (all: unknown[][]) => all.map((row) => row.map((v) => (typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v)));
        assert.deepEqual(round(actual!), round(expected!), report);
      }
    });

    test('a usage query stored as a result pages the same rows as on DuckDB', async () => {
      const contract = (await pgStore.listManagedContracts((await pgStore.findUserByEmail('admin@example.com'))!.id))[0]!.contractNumber;
      const plan = planUsageQuery({
        fields: ['usageMonth', 'productName', 'userName'], metrics: ['tokensConsumed', 'useCount', 'uniqueUsers'],
        where: "usageCategory = 'DESKTOP_PRODUCT' and productName like 'Auto%'", orderBy: 'tokensConsumed desc',
        scope: { kind: 'contract', contractNumber: contract }, purpose: 'query',
      }, catalogFor('tokenflex'));
      const pages: unknown[][][] = [];
      for (const store of [duck, pgStore]) {
        const base = { kind: 'usage-query', api: 'tokenflex', ownerUserId: 'u', tenantKey: contract, request: {}, requestHash: 'h', maxAttempts: 1 } as const;
        await store.createJob({ ...base, id: 'paged', claimedBy: 'w' });
        const done = await store.completeQueryJob('paged', 'w', buildResultQuery(plan, store.backend), 60_000, new AbortController().signal);
        assert.ok(done.rowCount > 40);
        const first = await store.readResultPage('paged', 0, 25);
        const rest = await store.readResultPage('paged', 25, 10_000);
        assert.equal(first.length + rest.length, done.rowCount);
        assert.equal((await store.getJob('paged'))?.state, 'succeeded');
        pages.push([...first, ...rest]);
      }
      assert.deepEqual(pages[1], pages[0]);
    });

    test('a late usage batch is stored and re-rated the same way on both, and sending it again changes nothing', async () => {
      const admin = (await pgStore.findUserByEmail('admin@example.com'))!;
      const contract = (await pgStore.findContract((await pgStore.listManagedContracts(admin.id))[0]!.contractNumber))!;
      const team = (await pgStore.findTeam(contract.teamId))!;
      const users = await Promise.all([...team.administrators, ...team.members].slice(0, 4).map((id) => pgStore.findUserById(id)));
      const products = (await pgStore.listProducts({ offset: 0, limit: 1000 })).items.filter((p) => p.effectiveFrom === null || p.effectiveFrom <= '2025-03-01');
      const lines: string[] = [];
      for (let i = 0; i < 40; i++) {
        const product = products[(i * 7) % products.length]!;
        const start = Date.parse('2025-03-03T08:00:00Z') + i * 5 * 3_600_000;
        lines.push(JSON.stringify({
          id: `late-${i}`, contractNumber: contract.contractNumber, userName: users[i % users.length]!.userName, source: 'flex',
          productLineCode: product.productLineCode, productVersion: product.version,
          sessionStartDate: new Date(start).toISOString(), sessionEndDate: new Date(start + (i % 5) * 47 * 60_000).toISOString(),
          licenseServerTimeZoneOffset: '+01:00',
        }));
      }
      lines.push(lines[3]!); // a repeat within the batch
      const ingest = (store: Store) => ingestUsage(store, (async function* () { yield lines.join('\n'); })(), { format: 'ndjson', dryRun: false });
      const [onDuck, onPg] = await Promise.all([ingest(duck), ingest(pgStore)]);
      assert.equal(onPg!.inserted, 40);
      assert.deepEqual(onPg, onDuck);
      const again = await ingest(pgStore);
      assert.deepEqual({ inserted: again.inserted, duplicates: again.duplicates }, { inserted: 0, duplicates: 41 });
      // Every column but when each store processed the record, which differs by a few milliseconds;
      // which records were processed (the new ones, and those whose charge the batch changed) may not.
      const columns = (await rows(pgStore, `select column_name from information_schema.columns
        where table_schema = current_schema() and table_name = 'usage_records' and column_name <> 'processed_at' order by ordinal_position`)).map(([c]) => String(c));
      const sql = `select ${columns.join(', ')}, processed_at is not null from usage_records where contract_number = $1 order by id`;
      const [expected, actual] = await Promise.all([rows(duck, sql, [contract.contractNumber]), rows(pgStore, sql, [contract.contractNumber])]);
      assert.equal(actual.length, expected.length);
      for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], `row ${i}`);
      assert.ok(actual.filter((row) => row.at(-1) === true).length >= 40, 'the new records are marked processed');
    });

    test('aborting a running query interrupts the statement and leaves the job running', async () => {
      const base = { kind: 'usage-query', api: 'insights', ownerUserId: 'u', tenantKey: 't', request: {}, requestHash: 'h', maxAttempts: 1 } as const;
      await pgStore.createJob({ ...base, id: 'slow', claimedBy: 'w' });
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(new Error('timeout')), 200);
      await assert.rejects(
        pgStore.completeQueryJob('slow', 'w', { sql: 'select pg_sleep(30)::text as "x"', parameters: [], columns: ['x'], order: [] }, 60_000, controller.signal),
        (error) => error instanceof QueryInterruptedError);
      assert.ok(Date.now() - started < 10_000, 'the statement stopped');
      assert.equal((await pgStore.getJob('slow'))?.state, 'running');
      assert.deepEqual(await pgStore.readResultPage('slow', 0, 10), []);
    });
  });
});
