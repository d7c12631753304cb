/** The tables `loadIntoEmptyTables` fills: the domain's, never jobs, OAuth or settings. */
export const BULK_TABLES = [
  'teams', 'users', 'team_members', 'contracts', 'contract_years', 'contract_managers', 'user_enrichment', 'products',
  'product_lines', 'subscriptions', 'seat_assignments', 'usage_records',
] as const;

export type BulkTable = typeof BULK_TABLES[number];

/**
 * The file format a store's bulk load reads: DuckDB Parquet (typed and columnar, read in
 * parallel: against CSV it took a third less time to load 1M records), PostgreSQL the CSV its COPY reads.
 */
export type BulkFileFormat = 'csv' | 'parquet';

/** Rows made outside the store (the demo data) for one of its tables, in the store's `bulkFileFormat`. */
export interface TableRowsFile {
  readonly table: BulkTable;
  /** The file's columns, in order, as its header row names them; the table's others take their defaults. */
  readonly columns: readonly string[];
  /**
   * Parquet, or CSV with a header row: `,` between cells, `"` quotes; an unquoted empty cell is
   * NULL and `""` the empty string (as DuckDB's and PostgreSQL's COPY write them).
   */
  readonly file: string;
  /** Rows in the file: the load fails unless exactly as many arrive. */
  readonly rows: number;
}

/** The first and last usage_date of the usage_records rows, YYYY-MM-DD. */
export interface UsageDays {
  readonly from: string;
  readonly to: string;
}

export interface BulkLoadStore {
  readonly bulkFileFormat: BulkFileFormat;
  /**
   * Loads each file into its table, all in one transaction. Every table named must be empty, else
   * REQUEST_INVALID naming the filled ones, and nothing is loaded; concurrent loads into one
   * database wait for each other, so all but the first find the tables filled. PostgreSQL makes
   * the partitions of the months of `usageDays` first.
   */
  loadIntoEmptyTables(files: readonly TableRowsFile[], usageDays: UsageDays): Promise<void>;
}

/** Checks the names before they are spliced into SQL (a table of ours, columns of `[a-z0-9_]`). */
export function checkBulkFiles(files: readonly TableRowsFile[]): void {
  for (const { table, columns } of files) {
    if (!(BULK_TABLES as readonly string[]).includes(table)) throw new Error(`not a bulk-loadable table: ${table}`);
    for (const column of columns) if (!/^[a-z_][a-z0-9_]*$/.test(column)) throw new Error(`unexpected column name ${column}`);
  }
}
