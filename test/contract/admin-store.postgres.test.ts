import { describe } from 'node:test';
import { openPostgresStore, type Store } from '../../src/store/index.js';
import { dropSchema, newSchemaName, requirePostgres, TEST_DATABASE_URL } from '../helpers/databases.js';
import { describeAdminStoreContract } from './admin-store.contract.js';

// The administration contract on PostgreSQL: each test on a schema of its own, named after this run.
const postgres = await requirePostgres();

describe('PostgreSQL', postgres.describeOptions, () => {
  describeAdminStoreContract('PostgreSQL', {
    async create() {
      const schema = newSchemaName();
      const open = () => openPostgresStore({ url: TEST_DATABASE_URL, schema, maxConnections: 5 });
      let current: Store = await open();
      return {
        store: current,
        reopen: async () => (current = await open()),
        dispose: async () => {
          await current.close().catch(() => undefined);
          await dropSchema(schema);
        },
      };
    },
  });
});
