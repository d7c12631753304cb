import { describeStoreContract } from './store.contract.js';
import { duckDbStoreFactory } from './store-factories.js';

describeStoreContract('DuckDB', duckDbStoreFactory('store-duckdb-'));
