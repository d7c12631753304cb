import { zonelessUtc, type SqlDialect } from '../sql/dialect.js';

// Apart from duckdb-db.ts, which loads DuckDB's native addon: the demo generator (src/seed) runs
// the shared rating SQL on a DuckDB connection of its own and needs only the spelling.

export const duckDbDialect: SqlDialect = Object.freeze({
  name: 'duckdb',
  timestamp: (placeholder: string) => `cast(${placeholder} as timestamp)`,
  timestampValue: zonelessUtc,
  isoMs: (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%gZ')`,
  isoSeconds: (expression: string) => `strftime(${expression}, '%Y-%m-%dT%H:%M:%SZ')`,
  caseFold: (expression: string) => `lower(${expression})`,
  isoDate: (expression: string) => `strftime(${expression}, '%Y-%m-%d')`,
  // An empty list matches nothing (`in (null)` is never true).
  inTextList: (column: string, values: readonly string[], bind: (value: string) => string) =>
    `${column} in (${values.length > 0 ? values.map(bind).join(', ') : 'null'})`,
  // DuckDB binds no array to `= any(…)` through the node API: one parameter per item.
  inList: (column: string, first: number, values: readonly unknown[]) => (values.length === 0
    ? { sql: 'false', values: [] }
    : { sql: `${column} in (${values.map((_, i) => `$${first + i}`).join(', ')})`, values }),
  addSeconds: (time: string, seconds: string) => `${time} + to_seconds(cast(${seconds} as bigint))`,
  jsonArrayText: (expressions: readonly string[]) => `cast(json_array(${expressions.join(', ')}) as varchar)`,
  // DuckDB has no row locks: the second of two concurrent updates of a row fails with a conflict
  // (https://duckdb.org/docs/stable/connect/concurrency), which Db.isConflict recognises.
  skipLocked: '',
  epochMs: (expression: string) => `epoch_ms(${expression})`,
  textType: 'varchar',
} as const);
