import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDuckDbStore } from '../../src/store/index.js';
import { describeAdminStoreContract } from './admin-store.contract.js';

describeAdminStoreContract('DuckDB', {
  async create() {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'admin-store-duckdb-'));
    let current = await openDuckDbStore({ dataDir });
    return {
      store: current,
      reopen: async () => (current = await openDuckDbStore({ dataDir })),
      dispose: async () => {
        await current.close().catch(() => undefined);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
});
