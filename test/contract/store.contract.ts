import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Store } from '../../src/store/index.js';

/** Makes a fresh, empty, unmigrated store; `reopen` opens the same database again. */
export interface StoreFactory {
  create(): Promise<{ store: Store; reopen: () => Promise<Store>; dispose: () => Promise<void> }>;
}

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
      const { store, reopen, dispose } = await factory.create();
      try {
        await store.migrate();
        await store.loadDemoData(DEMO);
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
      const { store, dispose } = await factory.create();
      try {
        await store.migrate();
        assert.equal(await store.isEmpty(), true);
        const summary = await store.loadDemoData(DEMO);
        assert.equal(summary.usageRecords, DEMO.rows);
        assert.equal(await store.isEmpty(), false);
      } finally {
        await dispose();
      }
    });

    test('users are found by e-mail (case-insensitively) and by id', async () => {
      const { store, dispose } = await factory.create();
      try {
        await store.migrate();
        await store.loadDemoData(DEMO);
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
      const { store, dispose } = await factory.create();
      try {
        await store.migrate();
        await store.loadDemoData(DEMO);
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
      const { store, dispose } = await factory.create();
      const dir = await mkdtemp(path.join(tmpdir(), 'copy-csv-'));
      try {
        await store.migrate();
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
      const { store, dispose } = await factory.create();
      try {
        await store.migrate();
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
      const { store, dispose } = await factory.create();
      try {
        await store.migrate();
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

    test('a contract detail has its years, and an unknown contract is undefined', async () => {
      const { store, dispose } = await factory.create();
      try {
        await store.migrate();
        await store.loadDemoData(DEMO);
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
