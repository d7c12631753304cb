import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ingestUsage } from '../../src/ingest/index.js';
import type { StoreFactory } from './store-factories.js';
import { loadDemoData } from '../../src/seed/index.js';

const DEMO = { rows: 2_000, seed: 11, from: '2025-01-01', to: '2025-06-30' } as const;

/** The behaviour every Store backend must show; each backend's test file calls this once. */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} store contract`, () => {
    test('migrations apply on an empty database and then report the schema current', async () => {
      const { store, dispose } = await factory.create();
      try {
        const first = await store.migrate();
        assert.ok(first.applied.includes('0001_init'));
        const second = await store.migrate();
        assert.deepEqual(second.applied, []);
        assert.deepEqual(second.current, first.current);
      } finally {
        await dispose();
      }
    });

    test('migrating an existing database keeps its data', async () => {
      const { store, reopen, dispose } = await factory.create({ demo: DEMO });
      try {
        await store.close();
        const again = await reopen();
        const report = await again.migrate();
        assert.deepEqual(report.applied, []);
        assert.equal(await again.isEmpty(), false);
        assert.ok(await again.findUserByEmail('admin@example.com'));
      } finally {
        await dispose();
      }
    });

    test('concurrent migrate calls apply each migration once', async () => {
      const { store, dispose } = await factory.create();
      try {
        const reports = await Promise.all([store.migrate(), store.migrate(), store.migrate()]);
        const applied = reports.flatMap((r) => r.applied);
        assert.equal(applied.filter((id) => id === '0001_init').length, 1);
      } finally {
        await dispose();
      }
    });

    test('a new database is empty and the demo data fills it', async () => {
      const { store, dispose } = await factory.create({ migrated: true });
      try {
        assert.equal(await store.isEmpty(), true);
        const summary = await loadDemoData(store, DEMO);
        assert.equal(summary.usageRecords, DEMO.rows);
        assert.equal(await store.isEmpty(), false);
      } finally {
        await dispose();
      }
    });

    test('users are found by e-mail (case-insensitively) and by id', async () => {
      const { store, dispose } = await factory.create({ demo: DEMO });
      try {
        const admin = await store.findUserByEmail('Admin@Example.com');
        assert.ok(admin);
        assert.equal(admin.email, 'admin@example.com');
        assert.ok(admin.roles.includes('admin'));
        assert.deepEqual(await store.findUserById(admin.id), admin);
        assert.equal(await store.findUserByEmail('nobody@example.com'), undefined);
      } finally {
        await dispose();
      }
    });

    test('alice administers one team and manages one contract of that team; admin has them all', async () => {
      const { store, dispose } = await factory.create({ demo: DEMO });
      try {
        const admin = (await store.findUserByEmail('admin@example.com'))!;
        const alice = (await store.findUserByEmail('alice@example.com'))!;
        const adminTeams = await store.listAdministeredTeams(admin.id);
        const aliceTeams = await store.listAdministeredTeams(alice.id);
        assert.equal(aliceTeams.length, 1);
        assert.ok(adminTeams.length > 1);
        assert.ok(adminTeams.some((t) => t.teamId === aliceTeams[0]!.teamId));
        const aliceContracts = await store.listManagedContracts(alice.id);
        assert.equal(aliceContracts.length, 1);
        assert.ok((await store.listManagedContracts(admin.id)).length > 1);
      } finally {
        await dispose();
      }
    });

    test('copyCsv writes RFC 4180 with CRLF and neutralises formula cells in text columns only', async () => {
      const { store, dispose } = await factory.create({ migrated: true });
      const dir = await mkdtemp(path.join(tmpdir(), 'copy-csv-'));
      try {
        const file = path.join(dir, 'x.csv');
        const count = await store.copyCsv(
          { sql: `select '=cmd|calc' as a, -3 as b, '@x' as c, 'a,"b"' as d`, parameters: [] },
          ['a', 'b', 'c', 'd'], ['a', 'c', 'd'], file, new AbortController().signal);
        assert.equal(count, 1);
        assert.equal(await readFile(file, 'utf8'), `a,b,c,d\r\n'=cmd|calc,-3,'@x,"a,""b"""\r\n`);
      } finally {
        await rm(dir, { recursive: true, force: true });
        await dispose();
      }
    });

    test('ended jobs are purged after the keep time, live and recent ones stay', async () => {
      const { store, dispose } = await factory.create({ migrated: true });
      try {
        const base = { kind: 'usage-query', api: 'insights', ownerUserId: 'u', tenantKey: 't', request: {}, requestHash: 'h', maxAttempts: 1 } as const;
        await store.createJob({ ...base, id: 'queued-one' });
        await store.createJob({ ...base, id: 'canceled-one' });
        await store.requestCancel('canceled-one');
        assert.equal(await store.purgeFinishedJobs(new Date(Date.now() - 60_000)), 0, 'recent ones stay');
        assert.equal(await store.purgeFinishedJobs(new Date(Date.now() + 60_000)), 1);
        assert.equal(await store.getJob('canceled-one'), undefined);
        assert.ok(await store.getJob('queued-one'), 'a live job is never purged');
      } finally {
        await dispose();
      }
    });

    test('a job created already claimed runs under its worker, is fenced, and is requeued when that worker dies', async () => {
      const { store, dispose } = await factory.create({ migrated: true });
      try {
        const base = { kind: 'usage-query', api: 'insights', ownerUserId: 'u', tenantKey: 't', request: {}, requestHash: 'h', maxAttempts: 3 } as const;
        const created = await store.createJob({ ...base, id: 'claimed-one', claimedBy: 'w-1' });
        assert.equal(created.state, 'running');
        assert.equal(created.workerId, 'w-1');
        assert.equal(created.attempts, 1);
        assert.deepEqual(await store.getJob('claimed-one'), created, 'what createJob returns is what a read returns');
        assert.equal(await store.claimNextJob('w-2', ['usage-query']), undefined, 'a claimed job is not in the queue');
        await assert.rejects(store.heartbeatJob('claimed-one', 'w-2'), { name: 'JobLeaseLostError' });
        assert.deepEqual(await store.heartbeatJob('claimed-one', 'w-1'), { cancelRequested: false });
        assert.deepEqual(await store.sweepStaleJobs(new Date(Date.now() + 60_000)), { requeued: 1, failed: 0 });
        const requeued = await store.claimNextJob('w-2', ['usage-query']);
        assert.equal(requeued?.id, 'claimed-one');
        assert.equal(requeued?.attempts, 2);
      } finally {
        await dispose();
      }
    });

    test('workers claiming at once never get the same job', async () => {
      const { store, dispose } = await factory.create({ migrated: true });
      try {
        const base = { kind: 'usage-query', api: 'insights', ownerUserId: 'u', tenantKey: 't', request: {}, requestHash: 'h', maxAttempts: 1 } as const;
        for (let i = 0; i < 40; i++) await store.createJob({ ...base, id: `job-${String(i).padStart(2, '0')}` });
        const claimed: string[] = [];
        await Promise.all(Array.from({ length: 8 }, async (_, w) => {
          // A claim that lost a race (DuckDB: a conflict) returns none; the queue is empty only
          // when every job is claimed.
          for (let misses = 0; claimed.length < 40 && misses < 500;) {
            const job = await store.claimNextJob(`w-${w}`, ['usage-query']);
            if (!job) {
              misses++;
              await new Promise((resolve) => setImmediate(resolve));
              continue;
            }
            assert.equal(job.workerId, `w-${w}`);
            assert.equal(job.state, 'running');
            claimed.push(job.id);
          }
        }));
        assert.equal(claimed.length, 40);
        assert.equal(new Set(claimed).size, 40, 'no job claimed twice');
        assert.equal(await store.claimNextJob('w-late', ['usage-query']), undefined);
      } finally {
        await dispose();
      }
    });

    test('the claim is fair: the oldest job of the owners with the fewest running goes first, so a burst does not starve others', async () => {
      const { store, dispose } = await factory.create({ migrated: true });
      try {
        const base = { kind: 'usage-query', api: 'insights', tenantKey: 't', request: {}, requestHash: 'h', maxAttempts: 1 } as const;
        const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));
        // Alice's burst of five first, then one job each from Bob and Carol.
        for (let i = 0; i < 5; i++) await store.createJob({ ...base, ownerUserId: 'alice', id: `alice-${i}`, createdAt: at(i) });
        await store.createJob({ ...base, ownerUserId: 'bob', id: 'bob-0', createdAt: at(10) });
        await store.createJob({ ...base, ownerUserId: 'carol', id: 'carol-0', createdAt: at(11) });
        const order: string[] = [];
        for (let w = 0; w < 4; w++) order.push((await store.claimNextJob(`w-${w}`, ['usage-query']))!.id);
        // alice-0 is the oldest; then bob and carol (none running) before alice's second; then alice
        // (one running) before nobody else is left.
        assert.deepEqual(order, ['alice-0', 'bob-0', 'carol-0', 'alice-1']);
        // Bob's newer job (one running) goes before alice's older ones (two running).
        await store.createJob({ ...base, ownerUserId: 'bob', id: 'bob-1', createdAt: at(20) });
        assert.equal((await store.claimNextJob('w-4', ['usage-query']))?.id, 'bob-1');
        // Only running jobs count: once alice's have ended, her oldest goes before a newcomer's.
        for (const id of ['alice-0', 'alice-1']) await store.failJob(id, id === 'alice-0' ? 'w-0' : 'w-3', { title: 'X', detail: 'x', retry: false });
        await store.createJob({ ...base, ownerUserId: 'dave', id: 'dave-0', createdAt: at(30) });
        assert.equal((await store.claimNextJob('w-5', ['usage-query']))?.id, 'alice-2');
      } finally {
        await dispose();
      }
    });

    test('a worker that lost its job is refused every state change with JobLeaseLostError', async () => {
      const { store, dispose } = await factory.create({ migrated: true });
      try {
        const base = { kind: 'usage-query', api: 'insights', ownerUserId: 'u', tenantKey: 't', request: {}, requestHash: 'h', maxAttempts: 3 } as const;
        await store.createJob({ ...base, id: 'lease' });
        assert.equal((await store.claimNextJob('w-a', ['usage-query']))?.id, 'lease');
        // w-a stops beating; the sweeper hands the job to w-b.
        assert.deepEqual(await store.sweepStaleJobs(new Date(Date.now() + 1000)), { requeued: 1, failed: 0 });
        assert.equal((await store.claimNextJob('w-b', ['usage-query']))?.id, 'lease');
        const lost = { name: 'JobLeaseLostError' };
        await assert.rejects(store.heartbeatJob('lease', 'w-a'), lost);
        await assert.rejects(store.failJob('lease', 'w-a', { title: 'X', detail: 'x', retry: true }), lost);
        await assert.rejects(store.markCanceled('lease', 'w-a', 'x'), lost);
        await assert.rejects(store.completeExportJob('lease', 'w-a', [], 60_000), lost);
        await assert.rejects(store.completeQueryJob('lease', 'w-a', { sql: `select 'a' as "x"`, parameters: [], columns: ['x'], order: [] },
          60_000, new AbortController().signal), lost);
        const job = await store.getJob('lease');
        assert.equal(job?.state, 'running');
        assert.equal(job?.workerId, 'w-b');
        assert.deepEqual(await store.readResultPage('lease', 0, 10), [], 'the lost completion left no rows');
      } finally {
        await dispose();
      }
    });

    test('a claim clears the error of an earlier attempt, and success keeps who ran the job (issue 21 drift)', async () => {
      const { store, dispose } = await factory.create({ migrated: true });
      try {
        const base = { api: 'insights', ownerUserId: 'u', tenantKey: 't', request: {}, requestHash: 'h', maxAttempts: 3 } as const;
        await store.createJob({ ...base, id: 'q', kind: 'usage-query', claimedBy: 'w-1' });
        await store.createJob({ ...base, id: 'e', kind: 'export', claimedBy: 'w-1' });
        for (const id of ['q', 'e']) {
          const failed = await store.failJob(id, 'w-1', { title: 'TRANSIENT', detail: 'try again', retry: true });
          assert.equal(failed.state, 'queued');
          assert.equal(failed.workerId, null, 'a job back in the queue belongs to no worker');
          assert.equal(failed.errorTitle, 'TRANSIENT');
        }
        assert.equal(await store.claimJob('q', 'w-2'), undefined, 'not due before its backoff (2 s)');
        await new Promise((resolve) => setTimeout(resolve, 2_100));
        const q = await store.claimNextJob('w-2', ['usage-query']);
        const e = await store.claimJob('e', 'w-2');
        for (const claimed of [q, e]) {
          assert.equal(claimed?.attempts, 2);
          assert.equal(claimed?.errorTitle, null, 'the claim cleared the earlier error');
          assert.equal(claimed?.errorDetail, null);
        }
        await store.completeQueryJob('q', 'w-2', { sql: `select 'a' as "x"`, parameters: [], columns: ['x'], order: [] },
          60_000, new AbortController().signal);
        await store.completeExportJob('e', 'w-2', [], 60_000);
        for (const id of ['q', 'e']) {
          const done = await store.getJob(id);
          assert.equal(done?.state, 'succeeded');
          assert.equal(done?.workerId, 'w-2', 'success keeps who ran it');
          assert.equal(done?.errorTitle, null);
          assert.equal(done?.errorDetail, null);
        }
        assert.deepEqual(await store.readResultPage('q', 0, 10), [['a']]);
      } finally {
        await dispose();
      }
    });

    test('only the moves job-state allows happen: a finished job is not canceled, retried or claimed', async () => {
      const { store, dispose } = await factory.create({ migrated: true });
      try {
        const base = { kind: 'export', api: 'insights', ownerUserId: 'u', tenantKey: 't', request: {}, requestHash: 'h', maxAttempts: 1 } as const;
        await store.createJob({ ...base, id: 'done', claimedBy: 'w' });
        await store.completeExportJob('done', 'w', [], 60_000);
        assert.equal((await store.requestCancel('done'))?.state, 'succeeded');
        assert.equal(await store.retryFailedJob('done'), false);
        assert.equal(await store.claimJob('done', 'w2'), undefined);
        await store.createJob({ ...base, id: 'bad', claimedBy: 'w' });
        assert.equal((await store.failJob('bad', 'w', { title: 'BROKEN', detail: 'x', retry: false })).state, 'failed');
        assert.equal(await store.retryFailedJob('bad'), true);
        const again = await store.getJob('bad');
        assert.equal(again?.state, 'queued');
        assert.equal(again?.attempts, 0);
        assert.equal(again?.errorTitle, null);
        assert.deepEqual(await store.expireJobs(new Date(Date.now() + 120_000)), []);
        assert.equal((await store.getJob('done'))?.state, 'expired');
        assert.equal((await store.requestCancel('bad'))?.state, 'canceled');
      } finally {
        await dispose();
      }
    });

    test('the Insights USAGE report breaks ties by e-mail and product line, the same on every backend (issue 21 drift)', async () => {
      const { store, dispose } = await factory.create({ demo: DEMO });
      try {
        const admin = (await store.findUserByEmail('admin@example.com'))!;
        const contract = (await store.findContract((await store.listManagedContracts(admin.id))[0]!.contractNumber))!;
        const team = (await store.findTeam(contract.teamId))!;
        const user = (await store.findUserById([...team.administrators, ...team.members][0]!))!;
        // Two product lines of one product name and version: rows that tie on everything the
        // report showed first (day, team, user, product, version, source).
        for (const productLineCode of ['ZZB', 'ZZA']) {
          await store.createProduct({ productLineCode, version: '2025', productName: 'Tie Product', featureCode: `F${productLineCode}`,
            dailyTokenRate: 1, effectiveFrom: null, effectiveTo: null });
        }
        const lines = ['ZZB', 'ZZA'].map((productLineCode, i) => JSON.stringify({
          id: `tie-${i}`, contractNumber: contract.contractNumber, userName: user.userName, source: 'flex', productLineCode,
          productVersion: '2025', sessionStartDate: '2025-03-03T09:00:00Z', sessionEndDate: '2025-03-03T10:30:00Z',
          licenseServerTimeZoneOffset: '+00:00',
        }));
        const summary = await ingestUsage(store, (async function* () { yield lines.join('\n'); })(), { format: 'ndjson', dryRun: false });
        assert.equal(summary.inserted, 2);
        const built = store.buildReportQuery({ report: 'USAGE', teamIds: [team.teamId], startDate: '2025-03-03', endDate: '2025-03-03' });
        const rows: unknown[][] = [];
        for await (const row of store.streamRows(built, new AbortController().signal)) rows.push(row);
        const tied = rows.filter((row) => row[5] === 'Tie Product');
        assert.deepEqual(tied.map((row) => row[6]), ['ZZA', 'ZZB']);
      } finally {
        await dispose();
      }
    });

    test('a contract detail has its years, and an unknown contract is undefined', async () => {
      const { store, dispose } = await factory.create({ demo: DEMO });
      try {
        const admin = (await store.findUserByEmail('admin@example.com'))!;
        const [contract] = await store.listManagedContracts(admin.id);
        const detail = await store.getContractDetail(contract!.contractNumber);
        assert.ok(detail);
        assert.ok(detail.contractYears.length > 0);
        assert.deepEqual(detail.contractYears.map((y) => y.year), [...detail.contractYears.map((y) => y.year)].sort((a, b) => a - b));
        assert.equal(await store.getContractDetail('000000000000'), undefined);
      } finally {
        await dispose();
      }
    });
  });
}
