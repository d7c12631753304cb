import { totalmem } from 'node:os';

/**
 * The DuckDB memory limit of loading the demo data, whatever DUCKDB_MEMORY_LIMIT says: DuckDB's own
 * default, 80% of the machine's memory (duckdb.org/docs/stable/configuration/overview).
 */
export function bulkLoadMemoryLimit(): string {
  return `${machineLimitMiB()}MiB`;
}

/**
 * A usage batch's DuckDB memory limit: DUCKDB_MEMORY_LIMIT when larger, else 512 MiB (at most
 * DuckDB's own default). Bounded, so a larger batch spills to DATA_DIR/tmp/duckdb instead of
 * growing the process with the batch's size, for about the same CPU time (the peak-memory table
 * is in docs/sources.md).
 */
export function usageBatchMemoryLimit(configured: string | undefined): string {
  const floor = Math.min(USAGE_BATCH_MEMORY_MIB, machineLimitMiB());
  const given = configured === undefined ? undefined : sizeMiB(configured);
  return `${Math.max(floor, given ?? 0)}MiB`;
}

export const USAGE_BATCH_MEMORY_MIB = 512;

function machineLimitMiB(): number {
  return Math.floor((totalmem() * 0.8) / 2 ** 20);
}

const UNITS: Readonly<Record<string, number>> = {
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** A DuckDB size ('256MB', '2GiB') in whole MiB, or undefined when it is not one. */
function sizeMiB(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b)$/i.exec(text.trim());
  const unit = match ? UNITS[(match[2] as string).toLowerCase()] : undefined;
  return match && unit ? Math.floor((Number(match[1]) * unit) / 2 ** 20) : undefined;
}
