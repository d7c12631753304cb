import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config.js';
import { openDuckDbStore, type DemoDataSummary } from '../../store/index.js';
import { CliError } from '../cli-error.js';

export interface SeedCommandOptions {
  readonly rows: number;
  readonly seed: number;
  readonly from: string;
  readonly to: string;
  readonly reset: boolean;
}

/** Generates the deterministic demo dataset into the data directory's database. */
export async function runSeedCommand(config: Config, options: SeedCommandOptions): Promise<DemoDataSummary> {
  if (options.reset) {
    await rm(path.join(config.dataDir, 'usage.duckdb'), { force: true });
    await rm(path.join(config.dataDir, 'usage.duckdb.wal'), { force: true });
  }
  const store = await openDuckDbStore({ dataDir: config.dataDir });
  try {
    await store.migrate();
    if (!(await store.isEmpty())) {
      throw new CliError(`The database in ${config.dataDir} already holds data; pass --reset to replace it.`);
    }
    return await store.loadDemoData(options);
  } finally {
    await store.close();
  }
}
