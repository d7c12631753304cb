import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openDuckDbStore, type Store } from '../store/index.js';
import { openTestPostgresStore, requirePostgres } from '../../test/helpers/databases.js';
import { UsageQueryService } from './usage-queries.js';

// Issue 19: the per-user cap on unfinished queries, on both backends, without HTTP. No worker runs
// the queries (the service is given none), so what is submitted stays queued.

const postgres = await requirePostgres();

const backends: { readonly name: string; readonly options: { skip?: string }; open(): Promise<{ store: Store; dispose(): Promise<void> }> }[] = [
  {
    name: 'DuckDB', options: {},
    async open() {
      const store = await openDuckDbStore({ dataDir: ':memory:' });
      return { store, dispose: () => store.close() };
    },
  },
  { name: 'PostgreSQL', options: postgres.describeOptions, open: () => openTestPostgresStore() },
];

const scope = { kind: 'contract', contractNumber: 'C1' } as const;
const query = (n: number) => ({ fields: ['productName'], metrics: ['tokensConsumed'], where: `productName <> 'q${n}'` });

for (const backend of backends) {
  describe(`UsageQueryService's per-user cap on ${backend.name}`, backend.options, () => {
    test('a burst of concurrent submits is cut at the cap with QUERY_QUEUE_FULL; other users and a canceled query are not counted', async (t) => {
      const { store, dispose } = await backend.open();
      t.after(dispose);
      await store.migrate();
      const service = new UsageQueryService({ store, dialect: store.backend, retentionMs: 600_000, maxPendingPerUser: 5 });
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => service.submit('tokenflex', 'U1', scope, query(i))));
      const accepted = outcomes.filter((o) => o.status === 'fulfilled');
      const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as { code?: string; retryAfterSeconds?: number }] : []));
      assert.equal(accepted.length, 5);
      assert.equal(refused.length, 15);
      for (const error of refused) {
        assert.equal(error.code, 'QUERY_QUEUE_FULL');
        assert.equal(error.retryAfterSeconds, 5);
      }
      assert.equal(await store.countPendingJobs('U1', 'usage-query'), 5);

      // Another user has a queue of their own; a canceled query frees a place.
      await service.submit('insights', 'U2', { kind: 'teams', teamIds: ['T1'] }, { fields: ['productName'], metrics: ['uniqueUsers'] });
      const first = (accepted[0] as PromiseFulfilledResult<Awaited<ReturnType<UsageQueryService['submit']>>>).value.job;
      assert.equal(await service.cancelOrDelete('tokenflex', 'U1', first.id), 'canceled');
      await service.submit('tokenflex', 'U1', scope, query(100));
      await assert.rejects(service.submit('tokenflex', 'U1', scope, query(101)), { code: 'QUERY_QUEUE_FULL' });
    });
  });
}
