import { once } from 'node:events';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { StagedType, StagedUsageChunk } from '../../contract/index.js';
import type { Queryable } from './db.js';

// PostgreSQL's staging of a usage batch (the rest is store/sql/usage-ingest.ts): the staged lines
// go as they are, one jsonb value each, into a temp table with one COPY FROM STDIN, and the view
// `ingest_staging` reads their elements (`stagedElement`). Temp tables belong to the session, so
// batches on other connections (or other server processes) never see each other's.

/**
 * Streams every chunk into `ingest_lines` with one COPY, honouring back-pressure; returns the
 * records. In CSV format with a delimiter and a quote that JSON text never holds unescaped (it
 * escapes every control character), a line is one value as it is: no escaping to undo.
 * If reading the chunks throws (a bad row), the COPY is aborted and the error propagates.
 */
export async function copyStagedLines(client: PoolClient, chunks: AsyncIterable<StagedUsageChunk>): Promise<number> {
  await client.query('create temp table ingest_lines (j jsonb not null)');
  const stream = client.query(copyFrom(`copy ingest_lines (j) from stdin with (format csv, delimiter e'\\x01', quote e'\\x02')`));
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  let rows = 0;
  try {
    for await (const chunk of chunks) {
      rows += chunk.records;
      if (chunk.bytes.byteLength > 0 && !stream.write(chunk.bytes)) await once(stream, 'drain');
    }
  } catch (error) {
    stream.destroy(error as Error);
    await finished.catch(() => undefined);
    throw error;
  }
  stream.end();
  await finished;
  return rows;
}

/**
 * A staged line's element `index` (from 1) of `s.j`, as `type`. Text compares as bytes, as every
 * text column of the schema is declared (`collate "C"`); instants are UTC without a zone.
 */
export function stagedElement(index: number, type: StagedType): string {
  const text = `(s.j ->> ${index - 1})`;
  switch (type) {
    case 'text': return `${text} collate "C"`;
    case 'epoch-ms': return `(timestamp '1970-01-01' + cast(${text} as bigint) * interval '1 millisecond')`;
    default: return `cast(${text} as ${type === 'double' ? 'double precision' : type})`;
  }
}

/** Serialises the apply step of every batch into this schema, across processes, for the transaction. */
export async function lockIngestion(db: Queryable): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtextextended('usage-insights:ingest:' || current_schema(), 0))`);
}

/** Months (YYYY-MM-01) of the rating days `usageDates` selects: their partitions must exist before the insert. */
export async function selectMonths(db: Queryable, usageDates: string): Promise<string[]> {
  const result = await db.query(
    `select distinct to_char(date_trunc('month', d), 'YYYY-MM-DD') as month from (${usageDates}) x (d) order by 1`);
  return result.rows.map((row) => String(row.month));
}
