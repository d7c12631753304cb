import type { QueryResult, QueryResultRow } from 'pg';

/** A pool or a checked-out client: every statement function takes one (STYLE.md §3). */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * A timestamptz column as ISO 8601 UTC text with milliseconds, the shape DuckDB's store returns.
 * Formatted in SQL at UTC, so the session time zone never shows. `column` is always our own.
 */
export function isoMs(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** A timestamptz column as ISO 8601 UTC text to the second. */
export function isoSeconds(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
}

/** A JS instant as a timestamptz parameter (cast with `::timestamptz` where it is used). */
export function instant(date: Date): string {
  return date.toISOString();
}

export function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** The SQLSTATE of a database error, when it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `query_canceled` (57014): the statement was cancelled, by us through pg_cancel_backend. */
export function isQueryCanceled(error: unknown): boolean {
  return sqlState(error) === '57014';
}
