import type { Dialect } from '../catalog/index.js';
import type { CompiledQuery, QueryCompiler, UsageQueryPlan } from './compiler/index.js';
import { DuckDbQueryCompiler } from './dialects/duckdb/duckdb-query-compiler.js';
import { PostgresQueryCompiler } from './dialects/postgres/postgres-query-compiler.js';

const COMPILERS: Readonly<Record<Dialect, () => QueryCompiler>> = {
  duckdb: () => new DuckDbQueryCompiler(),
  postgres: () => new PostgresQueryCompiler(),
};

/** The SQL of a checked usage-query plan for one database: frozen `{ sql, parameters, columns }`. */
export function compileUsageQuery(plan: UsageQueryPlan, dialect: Dialect): CompiledQuery {
  return COMPILERS[dialect]().compile(plan);
}
