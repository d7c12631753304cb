/** Value types an export cell can have; they decide the XLSX cell type and the CSV text. */
export type CellType = 'string' | 'integer' | 'number' | 'date' | 'datetime' | 'boolean';

/** One column of an exported file: its key, the header shown to people, and its value type. */
export interface ExportColumn {
  readonly name: string;
  readonly header: string;
  readonly type: CellType;
  /**
   * A `string` column of free text (names, comments): neutralised against formula injection
   * (src/catalog/formula-cells.ts). `false` for typed text (ids, codes, `-05:00`), written as is.
   * Default: true for `string` columns.
   */
  readonly freeText?: boolean;
}

/** Whether a column's text cells are neutralised against formula injection. */
export function isFreeTextColumn(column: ExportColumn): boolean {
  return column.type === 'string' && column.freeText !== false;
}

/** A row in column order. Dates arrive as 'YYYY-MM-DD', date-times as ISO 8601 text. */
export type ExportRow = readonly unknown[];

/** What a writer reports once the file is complete. */
export interface WriteStats {
  readonly rowCount: number;
}
