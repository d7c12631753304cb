import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { AppError } from '../../errors.js';
import { seedDatabase } from '../../seed/index.js';
import type {
  ContractDetail, DemoDataOptions, DemoDataSummary, MigrationReport, Store, Team, Contract, User,
} from '../store.js';
import { ConnectionPool } from './connection-pool.js';
import { selectContractDetail } from './sql/contracts.js';
import { applyMigration, createMigrationsTable, selectAppliedMigrations } from './sql/migrations.js';
import {
  countUsers, selectAdministeredTeams, selectManagedContracts, selectUserByEmail, selectUserById,
} from './sql/users.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface DuckDbStoreOptions {
  /** Directory holding `usage.duckdb`; `:memory:` keeps everything in memory (tests). */
  readonly dataDir: string;
  /** Open without write access (several readers may share a file no writer holds). */
  readonly readOnly?: boolean;
}

/** Opens (creating if needed) the DuckDB database of a data directory. */
export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<Store> {
  let file = ':memory:';
  if (options.dataDir !== ':memory:') {
    await mkdir(options.dataDir, { recursive: true });
    file = path.join(options.dataDir, 'usage.duckdb');
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(file, options.readOnly ? { access_mode: 'READ_ONLY' } : {});
  } catch (error) {
    // DuckDB takes an exclusive file lock per writer process
    // (https://duckdb.org/docs/stable/connect/concurrency): a second server on the same directory
    // lands here, and is refused with a message that says what to do instead of corrupting anything.
    const message = String((error as Error).message);
    if (/lock/i.test(message)) {
      const pid = /PID (\d+)/.exec(message)?.[1];
      throw new AppError('DATA_DIR_LOCKED',
        `The data directory ${options.dataDir} is in use by another process${pid ? ` (PID ${pid})` : ''}. ` +
        'DuckDB allows one writer process per database: stop that process, or point DATA_DIR elsewhere, ' +
        'or use PostgreSQL (DATABASE_URL) to run several server processes.', { cause: error });
    }
    throw error;
  }
  return new DuckDbStore(instance);
}

class DuckDbStore implements Store {
  readonly backend = 'duckdb' as const;
  readonly #instance: DuckDBInstance;
  readonly #pool: ConnectionPool;

  constructor(instance: DuckDBInstance) {
    this.#instance = instance;
    this.#pool = new ConnectionPool(instance);
  }

  async migrate(): Promise<MigrationReport> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((name) => /^\d{4}_.+\.sql$/.test(name)).sort();
    return this.#pool.use(async (connection) => {
      await createMigrationsTable(connection);
      const done = new Set(await selectAppliedMigrations(connection));
      const applied: string[] = [];
      for (const file of files) {
        const id = file.replace(/\.sql$/, '');
        if (done.has(id)) continue;
        const body = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
        if (await applyMigration(connection, id, body)) applied.push(id);
      }
      return { applied, current: await selectAppliedMigrations(connection) };
    });
  }

  async ping(): Promise<void> {
    await this.#pool.use((connection) => connection.run('select 1'));
  }

  async close(): Promise<void> {
    this.#pool.close();
    this.#instance.closeSync();
  }

  async isEmpty(): Promise<boolean> {
    return (await this.#pool.use(countUsers)) === 0;
  }

  async loadDemoData(options: DemoDataOptions): Promise<DemoDataSummary> {
    return this.#pool.use((connection) => seedDatabase(connection, options));
  }

  findUserByEmail(email: string): Promise<User | undefined> {
    return this.#pool.use((connection) => selectUserByEmail(connection, email));
  }

  findUserById(id: string): Promise<User | undefined> {
    return this.#pool.use((connection) => selectUserById(connection, id));
  }

  listAdministeredTeams(userId: string): Promise<readonly Team[]> {
    return this.#pool.use((connection) => selectAdministeredTeams(connection, userId));
  }

  listManagedContracts(userId: string): Promise<readonly Contract[]> {
    return this.#pool.use((connection) => selectManagedContracts(connection, userId));
  }

  getContractDetail(contractNumber: string): Promise<ContractDetail | undefined> {
    return this.#pool.use((connection) => selectContractDetail(connection, contractNumber));
  }
}
