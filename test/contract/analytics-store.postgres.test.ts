import { describe } from 'node:test';
import { openTestPostgresStore, requirePostgres } from '../helpers/databases.js';
import { describeAnalyticsStoreContract } from './analytics-store.contract.js';
import { loadDemoData } from '../../src/seed/index.js';

// The analytics reads on PostgreSQL: a schema of its own, named after this run.
const postgres = await requirePostgres();

describe('PostgreSQL', postgres.describeOptions, () => {
  describeAnalyticsStoreContract('PostgreSQL', async (demo) => {
    const { store, dispose } = await openTestPostgresStore();
    await store.migrate();
    await loadDemoData(store, demo);
    return { store, dispose };
  });
});
