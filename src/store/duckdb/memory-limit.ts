import { totalmem } from 'node:os';

/**
 * The DuckDB memory limit of a bulk load (the demo seed, a usage batch), whatever
 * DUCKDB_MEMORY_LIMIT says: DuckDB's own default, 80% of the machine's memory
 * (duckdb.org/docs/stable/configuration/overview).
 */
export function bulkLoadMemoryLimit(): string {
  return `${Math.floor((totalmem() * 0.8) / 2 ** 20)}MiB`;
}
