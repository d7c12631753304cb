import { BOOLEAN, DOUBLE, DuckDBDataChunk, INTEGER, type DuckDBConnection } from '@duckdb/node-api';
import { CHARGE_CATEGORIES } from '../catalog/index.js';
import type { RatedCharge, RatingSession } from '../rating/index.js';

/**
 * The bridge between DuckDB tables and the rating engine (src/rating), shared by the seed and by
 * the DuckDB store's ingestion: sessions go out of a table as JSON text, charges come back
 * through an appender as numbers only.
 *
 * Why this shape (1M records, 2 cores, measured): reading 15 text columns value by value through
 * the Node API cost 4 µs a value; one `to_json(list(…))` text per 16k rows, parsed by JSON.parse,
 * costs a tenth of that. Writing text values through an appender costs one native call each
 * (~1 µs), numbers are written into the vector's memory, so charges travel as codes and the
 * database turns them back into words.
 */

/**
 * The columns, all text, a rating input table holds besides `k` (its row number from 0, no
 * gaps): see `ratingInputColumns`.
 */
const SESSION_FIELDS = [
  'id', 'contract_number', 'user_name', 'usage_category', 'source', 'product_line_code', 'product_version',
  'session_start', 'session_end', 'license_server_tz_offset', 'usage_type', 'usage_timestamp', 'transaction_date',
  'tokens', 'job_status',
] as const;

export type RatingInputColumn = (typeof SESSION_FIELDS)[number];

/** SQL of an instant in the one shape the rating parses without a regular expression. */
export function ratingInstantSql(expression: string): string {
  return `strftime(${expression}, '%Y-%m-%dT%H:%M:%S.%gZ')`;
}

/**
 * The select list of the session fields of a rating input table (everything but `k`), from SQL
 * expressions by field (our own SQL, never request text). A null `user_name` (manual records)
 * becomes '', as the rating expects.
 */
export function ratingInputColumns(expressions: Readonly<Record<RatingInputColumn, string>>): string {
  return SESSION_FIELDS.map((field) => {
    const sql = expressions[field];
    return field === 'user_name' ? `coalesce(cast(${sql} as varchar), '') as user_name` : `cast(${sql} as varchar) as ${field}`;
  }).join(', ');
}

const READ_CHUNK = 16_384;

/**
 * Reads rows `from`..`to - 1` (by `k`) of a rating input table as rating sessions, in `k` order.
 * `table` is one of our own temp tables. Rows inserted in `k` order let each range read skip the
 * other row groups by their min/max statistics.
 */
export async function readRatingSessions(connection: DuckDBConnection, table: string, from: number, to: number): Promise<RatingSession[]> {
  const sessions: RatingSession[] = [];
  for (let start = from; start < to; start += READ_CHUNK) {
    const end = Math.min(to, start + READ_CHUNK);
    const reader = await connection.runAndReadAll(
      `select to_json(list([${SESSION_FIELDS.join(', ')}] order by k)) as j from ${table} where k >= $1 and k < $2`, [start, end]);
    const text = reader.getRowsJS()[0]?.[0];
    if (typeof text === 'string') for (const row of JSON.parse(text) as (string | null)[][]) sessions.push(sessionOf(row, 0));
  }
  return sessions;
}

/**
 * Reads the rows of a rating input that match `where` (our own SQL, values as `$n` parameters),
 * in no particular order, each with its `k`: for inputs whose rows of interest are not one range.
 */
export async function readRatingSessionsWhere(
  connection: DuckDBConnection, table: string, where: string, parameters: readonly (string | number)[],
): Promise<{ readonly sessions: RatingSession[]; readonly keys: number[] }> {
  const sessions: RatingSession[] = [];
  const keys: number[] = [];
  // One range of keys at a time, like readRatingSessions: a single `group by k // READ_CHUNK`
  // held every chunk's list at once, and ran out of DuckDB's memory limit (DUCKDB_MEMORY_LIMIT,
  // 256MB by default) on a contract year of 500k new records.
  const [low, high] = (await connection.runAndReadAll(`select min(k), max(k) from ${table} where ${where}`, [...parameters])).getRowsJS()[0] ?? [];
  if (low === null || low === undefined || high === null || high === undefined) return { sessions, keys };
  const n = parameters.length;
  for (let start = Number(low); start <= Number(high); start += READ_CHUNK) {
    const reader = await connection.runAndReadAll(
      `select to_json(list([cast(k as varchar), ${SESSION_FIELDS.join(', ')}])) as j from ${table}
        where (${where}) and k >= $${n + 1} and k < $${n + 2}`,
      [...parameters, start, start + READ_CHUNK]);
    const text = reader.getRowsJS()[0]?.[0];
    if (typeof text !== 'string') continue;
    for (const row of JSON.parse(text) as (string | null)[][]) {
      keys.push(Number(row[0]));
      sessions.push(sessionOf(row, 1));
    }
  }
  return { sessions, keys };
}

/** A session of a row of SESSION_FIELDS starting at `at`. */
function sessionOf(row: readonly (string | null)[], at: number): RatingSession {
  const tokens = row[at + 13];
  return {
    id: row[at] as string,
    contractNumber: row[at + 1] as string,
    userName: row[at + 2] as string,
    usageCategory: row[at + 3] as RatingSession['usageCategory'],
    source: row[at + 4] as RatingSession['source'],
    productLineCode: row[at + 5] ?? null,
    productVersion: row[at + 6] ?? null,
    sessionStart: row[at + 7] ?? null,
    sessionEnd: row[at + 8] ?? null,
    licenseServerTzOffset: row[at + 9] ?? null,
    usageType: (row[at + 10] ?? null) as RatingSession['usageType'],
    usageTimestamp: row[at + 11] ?? null,
    transactionDate: row[at + 12] ?? null,
    tokens: tokens === null || tokens === undefined ? null : Number(tokens),
    jobStatus: (row[at + 14] ?? null) as RatingSession['jobStatus'],
  };
}

/** The table `appendRatedCharges` fills; decode its codes with `ratedChargeSql`. */
export function createRatedChargesTableSql(table: string): string {
  return `create or replace temp table ${table} (k integer, usage_day integer, contract_year integer, charge integer, my boolean,
    tokens double, charged boolean, minutes double)`;
}

/** SQL of the decoded columns of a rated charges table aliased `alias`. */
export function ratedChargeSql(alias: string): Readonly<Record<'usageDate' | 'contractYear' | 'chargeCategory' | 'tokenPool' | 'tokensConsumed' | 'isChargedEvent' | 'usageMinutes', string>> {
  return {
    usageDate: `(date '1970-01-01' + ${alias}.usage_day)`,
    contractYear: `${alias}.contract_year`,
    chargeCategory: `([${CHARGE_CATEGORIES.map((c) => `'${c}'`).join(', ')}])[${alias}.charge + 1]`,
    tokenPool: `case when ${alias}.my then 'MY' else 'CY' end`,
    tokensConsumed: `${alias}.tokens`,
    isChargedEvent: `${alias}.charged`,
    usageMinutes: `${alias}.minutes`,
  };
}

const CHARGE_CODE = new Map<string, number>(CHARGE_CATEGORIES.map((name, k) => [name, k]));
const MS_PER_DAY = 86_400_000;
const CHUNK_ROWS = 2048;

/**
 * Appends charges to a table made by `createRatedChargesTableSql`, `charges[i]` as row `keys[i]`,
 * or `keys + i` when `keys` is a number (the charges of `rateRecordsInInputOrder` over rows read
 * from that `k` on).
 */
export async function appendRatedCharges(
  connection: DuckDBConnection, table: string, charges: readonly RatedCharge[], keys: number | readonly number[],
): Promise<void> {
  const appender = await connection.createAppender(table, 'main', 'temp');
  const dayNumbers = new Map<string, number>();
  const types = [INTEGER, INTEGER, INTEGER, INTEGER, BOOLEAN, DOUBLE, BOOLEAN, DOUBLE];
  try {
    for (let start = 0; start < charges.length; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, charges.length - start);
      const columns: unknown[][] = types.map(() => new Array<unknown>(n));
      for (let i = 0; i < n; i++) {
        const charge = charges[start + i] as RatedCharge;
        let day = dayNumbers.get(charge.usageDate);
        if (day === undefined) {
          day = Date.parse(`${charge.usageDate}T00:00:00Z`) / MS_PER_DAY;
          dayNumbers.set(charge.usageDate, day);
        }
        (columns[0] as unknown[])[i] = typeof keys === 'number' ? keys + start + i : keys[start + i];
        (columns[1] as unknown[])[i] = day;
        (columns[2] as unknown[])[i] = charge.contractYear;
        (columns[3] as unknown[])[i] = CHARGE_CODE.get(charge.chargeCategory);
        (columns[4] as unknown[])[i] = charge.tokenPool === 'MY';
        (columns[5] as unknown[])[i] = charge.tokensConsumed;
        (columns[6] as unknown[])[i] = charge.isChargedEvent;
        (columns[7] as unknown[])[i] = charge.usageMinutes;
      }
      const chunk = DuckDBDataChunk.create(types, n);
      chunk.setColumns(columns as never);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
