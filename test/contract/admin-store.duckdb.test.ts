import { describeAdminStoreContract } from './admin-store.contract.js';
import { duckDbStoreFactory } from './store-factories.js';

describeAdminStoreContract('DuckDB', duckDbStoreFactory('admin-store-duckdb-'));
