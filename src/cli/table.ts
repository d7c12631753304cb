/** Renders rows for a terminal, as CSV (RFC 4180) or as JSON objects. */
export type OutputFormat = 'table' | 'csv' | 'json';

function cell(value: unknown): string {
  return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * A CSV cell. Cells starting with `=`, `+`, `-` or `@` are prefixed with a quote so a spreadsheet
 * does not run them as a formula (CSV formula injection) — unless they are plain numbers.
 */
function csvCell(value: unknown): string {
  let text = cell(value);
  if (/^[=+\-@\t\r]/.test(text) && !(typeof value === 'number')) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatRows(format: OutputFormat, columns: readonly string[], rows: readonly (readonly unknown[])[]): string {
  if (format === 'json') {
    return JSON.stringify(rows.map((row) => Object.fromEntries(columns.map((name, i) => [name, row[i] ?? null]))), null, 2);
  }
  if (format === 'csv') {
    return [columns, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n');
  }
  const text = [columns, ...rows.map((row) => row.map(cell))];
  const widths = columns.map((_, i) => Math.max(...text.map((row) => String(row[i] ?? '').length)));
  const line = (row: readonly unknown[]) => row.map((value, i) => String(value ?? '').padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...text.slice(1).map(line)].join('\n');
}
