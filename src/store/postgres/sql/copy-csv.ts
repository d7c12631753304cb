import { createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { escapeLiteral, type PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { FORMULA_CELL_PATTERN } from '../../../catalog/index.js';
import type { StreamQuery } from '../../contract/index.js';

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * PostgreSQL's own CSV writer, streamed to the file through `COPY … TO STDOUT`
 * (https://www.postgresql.org/docs/current/sql-copy.html): the rows never become JavaScript values.
 * Two differences from DuckDB's COPY are handled here:
 * - COPY takes no bind parameters, so the query's `$n` are replaced by SQL literals (see
 *   `inlineParameters`); the values are escaped by the driver's `escapeLiteral`.
 * - COPY ends lines with LF only; RFC 4180 wants CRLF, so line ends outside quoted cells are
 *   rewritten on the way to the file (`CrlfLines`). Line breaks inside a quoted cell are data.
 * The file path comes from our file store, never from a request.
 */
export async function copyQueryToCsv(
  client: PoolClient, query: StreamQuery, columns: readonly string[], textColumns: readonly string[], target: string,
): Promise<number> {
  const text = new Set(textColumns);
  const doubles = await selectDoubleColumns(client, query);
  const select = columns.map((name) => {
    const column = `q.${quote(name)}`;
    // Spreadsheet formula injection: a free-text cell a spreadsheet would run gets an apostrophe
    // (the one definition, src/catalog/formula-cells.ts; the ARE reads the pattern as JavaScript does).
    if (text.has(name)) return `case when ${column} ~ ${escapeLiteral(FORMULA_CELL_PATTERN)} then '''' || ${column} else ${column} end as ${quote(name)}`;
    // A whole double is written the way DuckDB writes it, `7.0` rather than PostgreSQL's `7` (and
    // `0.0` for -0), so both backends produce the same file. Other doubles agree already: both
    // print the shortest text that reads back as the same value.
    if (doubles.has(name)) {
      return `case when abs(${column}) < 1e16 and ${column} = trunc(${column}) then trunc(${column})::bigint::text || '.0' else ${column}::text end as ${quote(name)}`;
    }
    return column;
  }).join(', ');
  const sql = inlineParameters(query.sql, query.parameters);
  const stream = client.query(copyTo(`copy (select ${select} from (${sql}) q) to stdout with (format csv, header true)`));
  await pipeline(stream, new CrlfLines(), createWriteStream(target));
  return stream.rowCount;
}

/** The output columns of a query that are doubles (float8, float4): planned, not run (`limit 0`). */
export async function selectDoubleColumns(client: PoolClient, query: StreamQuery): Promise<Set<string>> {
  const result = await client.query(`select * from (${query.sql}) q limit 0`, [...query.parameters]);
  return new Set(result.fields.filter((field) => field.dataTypeID === 701 || field.dataTypeID === 700).map((field) => field.name));
}

/**
 * Replaces each `$n` placeholder outside string literals, quoted identifiers and comments with the
 * literal of parameter n. Our SQL never uses dollar-quoted strings. A literal of unknown type
 * takes its type from the context the way an untyped parameter does.
 */
export function inlineParameters(sql: string, parameters: readonly (string | number | boolean)[]): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (; j < sql.length; j++) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) j++;
          else break;
        }
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '$' && /\d/.test(sql[i + 1] ?? '')) {
      const digits = /^\d+/.exec(sql.slice(i + 1))![0];
      const index = Number(digits) - 1;
      if (index < 0 || index >= parameters.length) throw new Error(`no value for parameter $${digits}`);
      out += literal(parameters[index]!);
      i += 1 + digits.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function literal(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot inline the number ${value}`);
    return value < 0 ? `(${value})` : String(value);
  }
  return escapeLiteral(value);
}

/** LF → CRLF for line ends outside quoted cells (a `"` toggles; an escaped `""` toggles twice). */
class CrlfLines extends Transform {
  #quoted = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const parts: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 0x22) {
        this.#quoted = !this.#quoted;
      } else if (byte === 0x0a && !this.#quoted) {
        parts.push(chunk.subarray(from, i), CRLF);
        from = i + 1;
      }
    }
    if (from === 0) {
      callback(null, chunk);
      return;
    }
    parts.push(chunk.subarray(from));
    callback(null, Buffer.concat(parts));
  }
}

const CRLF = Buffer.from('\r\n');
