import type { Db } from '../../sql/dialect.js';
import type { TableRowsFile } from '../../contract/index.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Inserts a Parquet file's rows into its table (https://duckdb.org/docs/stable/data/parquet/overview). */
export async function insertParquetFile(db: Db, { table, columns, file }: TableRowsFile): Promise<number> {
  const list = columns.map(quote).join(', ');
  const { rowCount } = await db.query(`insert into ${quote(table)} (${list})
    select ${list} from read_parquet('${file.replace(/'/g, "''")}')`);
  return rowCount;
}

