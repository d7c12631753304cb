import type { Dialect } from '../../../catalog/index.js';
import { QueryCompiler } from '../../compiler/index.js';

/**
 * DuckDB. It overrides no hook: DuckDB takes `$n` placeholders, `"`-quoted identifiers, lower-case
 * `like` (case-sensitive) and the `cast(x as date|timestamp)` of the base class as they are
 * (duckdb.org/docs/stable/sql/dialect/postgresql_compatibility). The date formatting that does differ
 * lives in the catalogue's per-dialect expressions, not here.
 */
export class DuckDbQueryCompiler extends QueryCompiler {
  protected readonly dialect: Dialect = 'duckdb';
}
