import { openDuckDbStore } from '../../src/store/index.js';
import { describeAnalyticsStoreContract } from './analytics-store.contract.js';

describeAnalyticsStoreContract('DuckDB', async (demo) => {
  const store = await openDuckDbStore({ dataDir: ':memory:' });
  await store.migrate();
  await store.loadDemoData(demo);
  return { store, dispose: () => store.close() };
});
