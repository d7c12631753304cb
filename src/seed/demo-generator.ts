import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  duckDbDialect, rateInputsInSql, type BulkFileFormat, type Db, type DbResult, type TableRowsFile,
} from '../store/index.js';
import { DEMO_TABLES } from './demo-tables.js';
import { calendarStatements } from './seed-calendar.js';
import { contractStatements, subscriptionStatements } from './seed-contracts.js';
import { lookupStatements } from './seed-lookups.js';
import type { SeedOptions, SeedPlan } from './seed-options.js';
import { sessionStatements } from './seed-sessions.js';
import { lit, phaseContext } from './seed-sql.js';
import { directoryStatements, userStatements } from './seed-users.js';
import { ratingInputStatement, usageRecordsSelect } from './seed-usage-records.js';

/**
 * Generates the demo data into files in `dir`, one per table of DEMO_TABLES, in the format the
 * store loads. The engine is an in-memory DuckDB of our own (a library here, not the store): everything
 * is drawn by SQL from hashes of the record number and the seed, never random() or now(), and the
 * sessions are rated by the store's rating SQL, as ingestion rates (store/sql/rating-sql.ts;
 * seed.test.ts holds it to src/rating), so the same options give the same rows whatever the thread count.
 */
export async function generateDemoTables(
  plan: SeedPlan, options: SeedOptions, dir: string, format: BulkFileFormat,
): Promise<TableRowsFile[]> {
  // Row order is not content: without preserve_insertion_order DuckDB writes from all threads
  // without merging back into scan order. The spill directory lets 10M records exceed memory.
  const instance = await DuckDBInstance.create(':memory:', {
    preserve_insertion_order: 'false',
    temp_directory: path.join(dir, 'spill'),
    ...(options.threads === undefined ? {} : { threads: String(options.threads) }),
  });
  const connection = await instance.connect();
  try {
    for (const table of DEMO_TABLES) {
      if (table.name === 'usage_records') continue;
      await connection.run(`create table ${table.name} (${table.columns.map(([name, type]) => `${name} ${type}`).join(', ')})`);
    }
    // Autocommit, no transaction: inside one, DuckDB has no statistics for the temp tables created
    // earlier in it and picked a join order that crossed two 24k-row slot tables (100M rows) for a
    // 47-user table; in autocommit each statement is planned with the previous ones' statistics.
    const context = phaseContext(plan);
    const phases = [lookupStatements, calendarStatements, userStatements, directoryStatements, sessionStatements,
      contractStatements, subscriptionStatements];
    for (const phase of phases) for (const statement of phase(context)) await connection.run(statement);
    await connection.run(ratingInputStatement(context));
    await rateInputsInSql(ratingDb(connection), options.casualThresholdMinutes === undefined ? {} : { casualThresholdMinutes: options.casualThresholdMinutes });
    await connection.run(`create temp table seed_charges as
      select k, usage_day, contract_year, charge, my, tokens, charged, minutes from rerate_charges`);
    const files: TableRowsFile[] = [];
    for (const table of DEMO_TABLES) {
      const file = path.join(dir, `${table.name}.${format}`);
      const source = table.name === 'usage_records' ? `(${usageRecordsSelect(context)})` : table.name;
      files.push({ table: table.name, columns: table.columns.map(([name]) => name), file, rows: await copyToFile(connection, source, file, format) });
    }
    return files;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The generator's connection as the store's rating SQL runs statements. */
function ratingDb(connection: DuckDBConnection): Pick<Db, 'dialect' | 'query'> {
  return {
    dialect: duckDbDialect,
    query: async (sql, values = []): Promise<DbResult> => {
      const rows = (await connection.runAndReadAll(sql, values as never)).getRowObjectsJson();
      return { rows, rowCount: rows.length };
    },
  };
}

/**
 * DuckDB's COPY (https://duckdb.org/docs/stable/sql/statements/copy). CSV: a header row, NULL as an
 * unquoted empty cell and the empty string as `""`, as PostgreSQL's COPY reads them. Parquet
 * uncompressed: the file lives for one load, so compressing it would only cost time.
 */
async function copyToFile(connection: DuckDBConnection, source: string, file: string, format: BulkFileFormat): Promise<number> {
  const options = format === 'csv' ? 'format csv, header true' : 'format parquet, compression uncompressed';
  const reader = await connection.runAndReadAll(`copy ${source} to ${lit(file)} (${options})`);
  return Number(reader.getRowsJson()[0]?.[0] ?? 0);
}
