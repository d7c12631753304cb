/**
 * Every statement of the store is written once, in this folder, over two small seams:
 *
 * - `SqlDialect`: how DuckDB and PostgreSQL *spell* the same thing (a timestamp parameter, a
 *   timestamp as ISO text, a list parameter, seconds added to a time, a JSON array, a row lock).
 *   A statement calls a hook where the spellings differ; it is never copied into a second file.
 * - `Db`: where a statement runs (`query`), how several run as one (`transaction`), and how the
 *   database says that a concurrent writer won (`isConflict`).
 *
 * The rule of thumb: a statement goes in a dialect folder (`store/duckdb/`, `store/postgres/`) only
 * when the two databases need a different *algorithm*, not a different spelling: DuckDB's staged
 * files against PostgreSQL's COPY, partitions, migrations runners, the connection and the pool.
 * Only identifiers from our own constants are interpolated; every value is a `$n` parameter.
 */

/**
 * A JS instant as zone-less UTC timestamp text (`2025-01-01 00:00:00.000`): DuckDB's TIMESTAMP has
 * no zone (a zone suffix would be read in the session's time zone), and PostgreSQL's `timestamp`
 * columns (users' created_at, usage times) hold UTC without one.
 */
export function zonelessUtc(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** One row of a result, keyed by column name. */
export type DbRow = Record<string, unknown>;

export interface DbResult {
  readonly rows: readonly DbRow[];
  /** Rows changed by an insert, update or delete (the rows returned for a `returning` one). */
  readonly rowCount: number;
}

export interface QueryOptions {
  /**
   * Keep the statement prepared on its connection (DuckDB): for the few small statements on every
   * request's path. Only for SQL texts from a small fixed set (each distinct text takes a slot).
   */
  readonly prepare?: boolean;
}

export interface Db {
  readonly dialect: SqlDialect;
  query(sql: string, values?: readonly unknown[], options?: QueryOptions): Promise<DbResult>;
  /**
   * Runs `fn` in one transaction on one connection; a throw rolls it back. Over a pool, a
   * transaction that lost a write conflict (DuckDB) is run again, so `fn` must be re-runnable.
   */
  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** True when `error` says a concurrent transaction changed the same row first. */
  isConflict(error: unknown): boolean;
  /** True when `error` is a primary-key or unique violation. */
  isUniqueViolation(error: unknown): boolean;
}

/** A list parameter and the values that bind it. */
export interface ListBinding {
  readonly sql: string;
  readonly values: readonly unknown[];
}

export interface SqlDialect {
  readonly name: 'duckdb' | 'postgres';
  /** A timestamp parameter (`$n`) in SQL. */
  timestamp(placeholder: string): string;
  /** The value that binds a timestamp parameter. */
  timestampValue(date: Date): string;
  /** A timestamp column as ISO 8601 UTC text with milliseconds (`2025-01-01T00:00:00.000Z`). */
  isoMs(column: string): string;
  /** A text expression folded for a case-insensitive comparison (e-mail addresses). */
  caseFold(expression: string): string;
  /** A timestamp expression as ISO 8601 UTC text to the second (`2025-01-01T00:00:00Z`). */
  isoSeconds(expression: string): string;
  /** A date expression as `YYYY-MM-DD` text. */
  isoDate(expression: string): string;
  /**
   * `column` is one of the text `values`, bound through `bind` (which appends a parameter and
   * gives its placeholder): for statements whose parameters must stay scalars (StreamQuery).
   */
  inTextList(column: string, values: readonly string[], bind: (value: string) => string): string;
  /** `column` is one of `values`, the list's parameters numbered from `$first`. */
  inList(column: string, first: number, values: readonly unknown[]): ListBinding;
  /** `seconds` (an SQL number expression) added to the timestamp expression `time`. */
  addSeconds(time: string, seconds: string): string;
  /** A JSON array (as text) of the SQL expressions given. */
  jsonArrayText(expressions: readonly string[]): string;
  /** The clause that makes a claiming select skip rows another transaction is claiming ('' when none). */
  readonly skipLocked: string;
  /** A timestamp expression as epoch milliseconds (bigint). */
  epochMs(expression: string): string;
  /** The type of a text column of a temporary table whose values compare as bytes (ids in a rating order). */
  readonly textType: string;
}
