import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StagedLayout, StagedType } from '../contract/index.js';
import type { Db } from '../sql/dialect.js';
import { stagedRecordsSql } from '../sql/usage-ingest.js';

// DuckDB's staging of a usage batch (the rest is store/sql/usage-ingest.ts): each chunk of staged
// lines is written to an NDJSON file of our own while the next is validated. Once the batch is
// staged, DuckDB's JSON reader reads the batch's files once, through the view `ingest_staging`;
// the files are deleted with the batch, and the disk holds it (about 400 bytes a record) until
// then. Staging tables and the appender were slower (docs/store-measurements.md).

/**
 * Bytes of NDJSON per chunk file (about 45k records): each file is one more for the JSON reader
 * to open, and is written while the workers validate the next ones.
 */
const CHUNK_FILE_BYTES = 16 << 20;

const CHUNK_FILE = /^ingest-[0-9a-f-]{36}-\d+\.ndjson$/;

/** Deletes the chunk files in `directory` of batches that never finished (the process stopped). */
export async function removeLeftoverChunkFiles(directory: string): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  // One that cannot be deleted is left to the operator: it never stops the store from opening.
  for (const name of names) if (CHUNK_FILE.test(name)) await rm(path.join(directory, name), { force: true }).catch(() => undefined);
}

/** A SQL string literal of one of our own file paths. */
function pathLiteral(file: string): string {
  return `'${file.replaceAll("'", "''")}'`;
}

/** A staged line's element `index` (the line read as a list of text `s.j`), as `type`. */
function stagedElement(index: number, type: StagedType): string {
  const text = `s.j[${index}]`;
  switch (type) {
    case 'text': return text;
    case 'epoch-ms': return `make_timestamp(cast(${text} as bigint) * 1000)`;
    default: return `cast(${text} as ${type === 'double' ? 'double' : type})`;
  }
}

/**
 * Stages a batch's staged lines as NDJSON chunk files in `directory`, and makes them the view
 * `ingest_staging` (`finish`). `append` returns once the previous chunk is written, so at most two
 * chunks are held: the one being written and the one filling.
 */
export class UsageStager {
  readonly #db: Db;
  readonly #directory: string;
  readonly #prefix = randomUUID();
  readonly #files: string[] = [];
  #rows = 0;
  /** Staged lines not written yet, and their size. */
  #parts: Uint8Array[] = [];
  #bytes = 0;
  #writing: Promise<void> = Promise.resolve();

  constructor(db: Db, directory: string) {
    this.#db = db;
    this.#directory = directory;
  }

  get rows(): number {
    return this.#rows;
  }

  async create(): Promise<void> {
    await mkdir(this.#directory, { recursive: true });
  }

  /** Appends `records` staged lines in UTF-8, each ending in a newline. */
  async append(bytes: Uint8Array, records: number): Promise<void> {
    this.#parts.push(bytes);
    this.#bytes += bytes.byteLength;
    this.#rows += records;
    if (this.#bytes >= CHUNK_FILE_BYTES) await this.#flush();
  }

  /** Starts writing what is buffered as one chunk file, once the previous one is written. */
  async #flush(): Promise<void> {
    if (this.#bytes === 0) return;
    const file = path.join(this.#directory, `ingest-${this.#prefix}-${this.#files.length}.ndjson`);
    this.#files.push(file);
    const parts = this.#parts;
    this.#parts = [];
    this.#bytes = 0;
    const previous = this.#writing;
    this.#writing = previous.then(() => writeFile(file, parts));
    // A failure surfaces at the next flush or at `finish`; keep it from being unhandled meanwhile.
    this.#writing.catch(() => undefined);
    await previous;
  }

  /** Writes what is buffered, and makes the view `ingest_staging` of every staged record. */
  async finish(layout: StagedLayout): Promise<void> {
    await this.#flush();
    await this.#writing;
    const from = this.#files.length === 0
      ? '(select null::varchar[] as j limit 0) s'
      : `read_json([${this.#files.map(pathLiteral).join(', ')}], format = 'newline_delimited', records = false,
          columns = {'j': 'VARCHAR[]'}) s`;
    await this.#db.query(`create or replace temp view ingest_staging as ${stagedRecordsSql(layout, stagedElement, from)}`);
  }

  /** Waits for any write, ignoring its failure, and deletes the chunk files. */
  async remove(): Promise<void> {
    this.#parts = [];
    this.#bytes = 0;
    await this.#writing.catch(() => undefined);
    for (const file of this.#files) await rm(file, { force: true });
  }
}
