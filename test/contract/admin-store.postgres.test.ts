import { describe } from 'node:test';
import { requirePostgres } from '../helpers/databases.js';
import { describeAdminStoreContract } from './admin-store.contract.js';
import { postgresStoreFactory } from './store-factories.js';

// The administration contract on PostgreSQL, in schemas named after this run.
const postgres = await requirePostgres();

describe('PostgreSQL', postgres.describeOptions, () => {
  describeAdminStoreContract('PostgreSQL', postgresStoreFactory());
});
