import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { neutraliseFreeText } from '../catalog/index.js';
import { isFreeTextColumn, type ExportColumn, type ExportRow, type WriteStats } from './columns.js';

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * A free-text cell as the CSV holds it: neutralised against spreadsheet formula injection
 * (src/catalog/formula-cells.ts). Numbers are left alone: `-3` is a value, not a formula.
 */
export function neutraliseCsvCell(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return neutraliseFreeText(cellText(value));
}

/** Writes an RFC 4180 CSV (UTF-8, CRLF, header row first) from an async stream of rows. */
export async function writeCsv(rows: AsyncIterable<ExportRow>, columns: readonly ExportColumn[], out: Writable): Promise<WriteStats> {
  let rowCount = 0;
  // Typed values (`-05:00`, dates, numbers) are written as they are; free text is neutralised.
  const free = columns.map(isFreeTextColumn);
  async function* cells() {
    for await (const row of rows) {
      rowCount++;
      yield row.map((value, i) => (free[i] ? neutraliseCsvCell(value) : cellText(value)));
    }
  }
  const csv = stringify({ header: true, columns: columns.map((c) => c.header), record_delimiter: 'windows' });
  await pipeline(Readable.from(cells()), csv, out);
  return { rowCount };
}

/** Writes a JSON array of objects keyed by column name, streamed one row at a time. */
export async function writeJson(rows: AsyncIterable<ExportRow>, columns: readonly ExportColumn[], out: Writable): Promise<WriteStats> {
  let rowCount = 0;
  async function* chunks() {
    yield '[';
    for await (const row of rows) {
      const object: Record<string, unknown> = {};
      columns.forEach((column, i) => { object[column.name] = row[i] ?? null; });
      yield `${rowCount === 0 ? '\n' : ',\n'}${JSON.stringify(object)}`;
      rowCount++;
    }
    yield rowCount === 0 ? ']\n' : '\n]\n';
  }
  await pipeline(Readable.from(chunks()), out);
  return { rowCount };
}

