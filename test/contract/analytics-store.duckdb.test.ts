import { openDuckDbStore } from '../../src/store/index.js';
import { describeAnalyticsStoreContract } from './analytics-store.contract.js';
import { loadDemoData } from '../../src/seed/index.js';

describeAnalyticsStoreContract('DuckDB', async (demo) => {
  const store = await openDuckDbStore({ dataDir: ':memory:' });
  await store.migrate();
  await loadDemoData(store, demo);
  return { store, dispose: () => store.close() };
});
