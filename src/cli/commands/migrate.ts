import type { Config } from '../../config.js';
import { openDuckDbStore, type MigrationReport } from '../../store/index.js';

/** Applies pending migrations and reports what was applied. */
export async function runMigrateCommand(config: Config): Promise<MigrationReport> {
  const store = await openDuckDbStore({ dataDir: config.dataDir });
  try {
    return await store.migrate();
  } finally {
    await store.close();
  }
}
