import type { Config } from '../../config.js';
import { openStore, type MigrationReport } from '../../store/index.js';

/** Applies pending migrations and reports what was applied. */
export async function runMigrateCommand(config: Config): Promise<MigrationReport> {
  const store = await openStore(config);
  try {
    return await store.migrate();
  } finally {
    await store.close();
  }
}
