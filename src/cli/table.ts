import { neutraliseFreeText } from '../catalog/index.js';

/** Renders rows for a terminal, as CSV (RFC 4180) or as JSON objects. */
export type OutputFormat = 'table' | 'csv' | 'json';

function cell(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * A CSV cell. Free text a spreadsheet would run as a formula is neutralised (the one definition,
 * src/catalog/formula-cells.ts); numbers and typed columns (`-05:00`) are written as they are.
 */
function csvCell(value: unknown, typed: boolean): string {
  let text = cell(value);
  if (!typed && typeof value === 'string') text = neutraliseFreeText(text);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `typedColumns`: columns whose text is a typed value, never neutralised in CSV. */
export function formatRows(
  format: OutputFormat, columns: readonly string[], rows: readonly (readonly unknown[])[], typedColumns: ReadonlySet<string> = new Set(),
): string {
  if (format === 'json') {
    return JSON.stringify(rows.map((row) => Object.fromEntries(columns.map((name, i) => [name, row[i] ?? null]))), null, 2);
  }
  if (format === 'csv') {
    const typed = columns.map((name) => typedColumns.has(name));
    const header = columns.map((name) => csvCell(name, false)).join(',');
    return [header, ...rows.map((row) => row.map((value, i) => csvCell(value, typed[i] ?? false)).join(','))].join('\r\n');
  }
  const text = [columns, ...rows.map((row) => row.map(cell))];
  const widths = columns.map((_, i) => Math.max(...text.map((row) => String(row[i] ?? '').length)));
  const line = (row: readonly unknown[]) => row.map((value, i) => String(value ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...text.slice(1).map(line)].join('\n');
}
