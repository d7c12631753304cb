import type { DuckDBConnection } from '@duckdb/node-api';
import { FORMULA_CELL_PATTERN } from '../../../catalog/index.js';
import type { StreamQuery } from '../../contract/index.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * DuckDB's own CSV writer (https://duckdb.org/docs/stable/sql/statements/copy): it streams the
 * result to the file with bounded memory and is several times faster than converting every value
 * to JavaScript and back. `new_line` makes it RFC 4180 (CRLF). The file path comes from our file
 * store, never from a request; it is still quoted as a SQL string literal.
 */
export async function copyQueryToCsv(
  connection: DuckDBConnection, query: StreamQuery, columns: readonly string[], textColumns: readonly string[], target: string,
): Promise<number> {
  const text = new Set(textColumns);
  // Spreadsheet formula injection: a free-text cell a spreadsheet would run gets an apostrophe
  // (the one definition, src/catalog/formula-cells.ts; RE2 reads the pattern as JavaScript does).
  const pattern = `'${FORMULA_CELL_PATTERN.replace(/'/g, "''")}'`;
  const select = columns.map((name) => (text.has(name)
    ? `case when regexp_matches(q.${quote(name)}, ${pattern}) then '''' || q.${quote(name)} else q.${quote(name)} end as ${quote(name)}`
    : `q.${quote(name)}`)).join(', ');
  const file = `'${target.replace(/'/g, "''")}'`;
  const reader = await connection.runAndReadAll(
    `copy (select ${select} from (${query.sql}) q) to ${file} (header, delimiter ',', quote '"', new_line '\r\n')`,
    [...query.parameters]);
  return Number(reader.getRowsJson()[0]?.[0] ?? 0);
}
