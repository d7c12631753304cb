import type { Store } from './contract/index.js';
import type { DuckDbStoreOptions } from './duckdb/duckdb-store.js';
import type { PostgresStoreOptions } from './postgres/postgres-store.js';

/** Opens (creating if needed) the DuckDB database of a data directory; loads DuckDB on first use. */
export async function openDuckDbStore(options: DuckDbStoreOptions): Promise<Store> {
  const backend = await import('./duckdb/duckdb-store.js');
  return backend.openDuckDbStore(options);
}

/** Opens a pool on a PostgreSQL database; loads `pg` on first use. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const backend = await import('./postgres/postgres-store.js');
  return backend.openPostgresStore(options);
}

export interface StoreSelection {
  /** The DuckDB data directory (used when no `databaseUrl` is given). */
  readonly dataDir: string;
  /** A postgres:// URL selects the PostgreSQL backend. */
  readonly databaseUrl?: string | undefined;
  /** The PostgreSQL schema (default `public`). */
  readonly databaseSchema?: string | undefined;
  /** DuckDB only: open without write access. PostgreSQL has no writer lock to avoid. */
  readonly readOnly?: boolean;
  /** DuckDB only: its `memory_limit` (unset: DuckDB's default). */
  readonly duckdbMemoryLimit?: string | undefined;
  /** Ingestion rates desktop sessions shorter than this CASUAL (default 5). */
  readonly casualThresholdMinutes?: number | undefined;
}

/** Opens the configured backend: PostgreSQL when a database URL is set, else DuckDB (the default). */
export function openStore(selection: StoreSelection): Promise<Store> {
  if (selection.databaseUrl) {
    return openPostgresStore({
      url: selection.databaseUrl,
      ...(selection.databaseSchema ? { schema: selection.databaseSchema } : {}),
      ...(selection.casualThresholdMinutes !== undefined ? { casualThresholdMinutes: selection.casualThresholdMinutes } : {}),
    });
  }
  return openDuckDbStore({
    dataDir: selection.dataDir, ...(selection.readOnly ? { readOnly: true } : {}),
    ...(selection.duckdbMemoryLimit ? { memoryLimit: selection.duckdbMemoryLimit } : {}),
    ...(selection.casualThresholdMinutes !== undefined ? { casualThresholdMinutes: selection.casualThresholdMinutes } : {}),
  });
}
