import { DEFAULT_DUCKDB_MEMORY_LIMIT } from '../src/config.js';
import { bulkLoadMemoryLimit, usageBatchMemoryLimit } from '../src/store/index.js';

/**
 * The DuckDB memory limit of the service as `npm start` runs it (DUCKDB_MEMORY_LIMIT, else the
 * default), given alike to the service's store and to the raw-DuckDB baselines, so a ratio
 * compares code, not settings. `DUCKDB_MEMORY_LIMIT=default` benches DuckDB's own limit.
 */
const configured = process.env.DUCKDB_MEMORY_LIMIT || DEFAULT_DUCKDB_MEMORY_LIMIT;
export const BENCH_MEMORY_LIMIT: string | undefined = configured === 'default' ? undefined : configured;

/** Options of `openDuckDbStore` for the service under bench. */
export const storeMemory = BENCH_MEMORY_LIMIT ? { memoryLimit: BENCH_MEMORY_LIMIT } : {};

/** Options of `DuckDBInstance.create` for a baseline. */
export const instanceMemory: Record<string, string> = BENCH_MEMORY_LIMIT ? { memory_limit: BENCH_MEMORY_LIMIT } : {};

/**
 * Options of `DuckDBInstance.create` for the baseline of a bulk load (the seed, a usage batch): the
 * store runs those under their own limit whatever DUCKDB_MEMORY_LIMIT says, so their baselines get
 * it too. Under 256MB, read_json of the ingestion case's file ran on one core: 4.7-6.4 s against
 * 3.1-3.3 s.
 */
export const bulkInstanceMemory: Record<string, string> = { memory_limit: bulkLoadMemoryLimit() };

/** Options of `DuckDBInstance.create` for the baselines of a usage batch: the limit the store gives a batch (memory-limit.ts). */
export const usageBatchInstanceMemory: Record<string, string> = { memory_limit: BENCH_MEMORY_LIMIT ? usageBatchMemoryLimit(BENCH_MEMORY_LIMIT) : bulkLoadMemoryLimit() };
