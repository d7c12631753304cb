import type { Dialect } from '../../../catalog/index.js';
import { QueryCompiler } from '../../compiler/index.js';

/**
 * Postgres. It overrides no hook: the base class writes `$n` placeholders, `"`-quoted identifiers and
 * `cast(x as date|timestamp)`, which are Postgres' own spellings, and its LIKE spells out
 * `escape ''` so that Postgres' default backslash escape does not apply
 * (postgresql.org/docs/current/functions-matching.html#FUNCTIONS-LIKE). The date formatting that
 * does differ lives in the catalogue's per-dialect expressions, not here.
 */
export class PostgresQueryCompiler extends QueryCompiler {
  protected readonly dialect: Dialect = 'postgres';
}
