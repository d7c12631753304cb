import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config.js';
import { openStore } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import { loadDemoData, type SeedSummary } from '../../seed/index.js';

export interface SeedCommandOptions {
  readonly rows: number;
  readonly seed: number;
  readonly from: string;
  readonly to: string;
  readonly reset: boolean;
}

/** Generates the deterministic demo dataset into the data directory's database. */
export async function runSeedCommand(config: Config, options: SeedCommandOptions): Promise<SeedSummary> {
  if (options.reset && config.databaseUrl) {
    throw new CliError(`--reset deletes the DuckDB file; with DATABASE_URL drop the schema "${config.databaseSchema}" instead (drop schema … cascade).`);
  }
  if (options.reset) {
    await rm(path.join(config.dataDir, 'usage.duckdb'), { force: true });
    await rm(path.join(config.dataDir, 'usage.duckdb.wal'), { force: true });
  }
  const store = await openStore(config);
  try {
    await store.migrate();
    if (!(await store.isEmpty())) {
      throw new CliError(`The database ${config.databaseUrl ? `schema ${config.databaseSchema}` : `in ${config.dataDir}`} already holds data; pass --reset to replace it.`);
    }
    return await loadDemoData(store, { ...options, casualThresholdMinutes: config.casualThresholdMinutes });
  } finally {
    await store.close();
  }
}
