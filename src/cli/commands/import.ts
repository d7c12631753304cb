import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { controlSocketPath } from '../../http/index.js';
import { ingestUsage, type UsageFormat } from '../../ingest/index.js';
import { openStore, type Store, type UsageIngestSummary } from '../../store/index.js';
import { CliError } from '../cli-error.js';

export interface ImportCommandOptions {
  readonly files: readonly string[];
  readonly format?: UsageFormat;
  readonly dryRun: boolean;
  readonly contract?: string;
}

/**
 * Where progress and summaries go: on a terminal a live progress line (rows/s, ETA from the file
 * size) is redrawn on `progress`; every file ends with one summary line on `summary`.
 */
export interface ImportOutput {
  readonly progress: (text: string) => void;
  readonly isTTY: boolean;
  readonly summary: (line: string) => void;
}

/** One file's outcome: its summary, or why the batch was refused (with the listed problems). */
type FileOutcome =
  | { readonly ok: true; readonly summary: UsageIngestSummary }
  | { readonly ok: false; readonly message: string; readonly problems: readonly { line: number; field: string; message: string }[] };

const FORMATS_BY_EXTENSION: Readonly<Record<string, UsageFormat>> = { '.csv': 'csv', '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.json': 'ndjson' };

/** The format of a file: `--format`, else its extension (under a `.gz`). */
export function formatOfFile(file: string, given?: UsageFormat): UsageFormat {
  if (given) return given;
  const name = file.toLowerCase().replace(/\.gz$/, '');
  const format = FORMATS_BY_EXTENSION[path.extname(name)];
  if (!format) throw new CliError(`Cannot tell the format of ${file} from its extension; pass --format csv or --format ndjson.`);
  return format;
}

/**
 * `insights import FILE…`: each file is one batch (spec §6), applied atomically or not at all,
 * through the same ingestion as `POST /admin/v1/usage`: over the control socket while a server
 * holds the database, else on the store opened here. Returns false when a file was refused.
 */
export async function runImportCommand(config: Config, options: ImportCommandOptions, output: ImportOutput): Promise<boolean> {
  const formats = options.files.map((file) => formatOfFile(file, options.format));
  for (const file of options.files) {
    if (!existsSync(file)) throw new CliError(`No such file: ${file}`);
  }
  const socketPath = controlSocketPath(config.dataDir);
  let store: Store | undefined;
  let allGood = true;
  try {
    for (const [k, file] of options.files.entries()) {
      const format = formats[k] as UsageFormat;
      const progress = new Progress(file, (await stat(file)).size, output);
      const body = () => openBody(file, progress);
      let outcome: FileOutcome | undefined;
      if (!store && existsSync(socketPath)) outcome = await viaServer(socketPath, body(), format, options);
      if (!outcome) {
        store ??= await openLocalStore(config);
        outcome = await inProcess(store, body(), format, options);
      }
      progress.finish(outcome);
      allGood &&= outcome.ok;
    }
  } finally {
    await store?.close();
  }
  return allGood;
}

async function openLocalStore(config: Config): Promise<Store> {
  const store = await openStore(config);
  await store.migrate();
  return store;
}

/** The file as a stream of bytes, inflated when it ends in `.gz`, counted for the progress line. */
function openBody(file: string, progress: Progress): Readable {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  raw.on('data', (chunk) => progress.read((chunk as Buffer).length));
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      progress.rows(countNewlines(chunk));
      done(null, chunk);
    },
  });
  const stages = file.toLowerCase().endsWith('.gz') ? [raw, createGunzip(), counted] : [raw, counted];
  pipeline(stages as [Readable, ...Transform[]]).catch((error: unknown) => counted.destroy(error as Error));
  return counted;
}

function countNewlines(chunk: Buffer): number {
  let n = 0;
  for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) n++;
  return n;
}

async function inProcess(store: Store, body: Readable, format: UsageFormat, options: ImportCommandOptions): Promise<FileOutcome> {
  try {
    const summary = await ingestUsage(store, body, { format, dryRun: options.dryRun, ...(options.contract ? { defaultContractNumber: options.contract } : {}) });
    return { ok: true, summary };
  } catch (error) {
    if (!AppError.is(error) || error.code !== 'USAGE_BATCH_INVALID') throw error;
    return { ok: false, message: error.message, problems: (error.extra?.['errors'] ?? []) as { line: number; field: string; message: string }[] };
  } finally {
    body.destroy();
  }
}

/**
 * Streams the file to the running server's control socket; undefined when no server answers
 * there (a socket file left by a server that died), so the caller opens the database itself.
 */
function viaServer(socketPath: string, body: Readable, format: UsageFormat, options: ImportCommandOptions): Promise<FileOutcome | undefined> {
  const query = new URLSearchParams({ format, ...(options.dryRun ? { dryRun: 'true' } : {}), ...(options.contract ? { contract: options.contract } : {}) });
  return new Promise((resolve, reject) => {
    let connected = false;
    const req = request({ socketPath, path: `/usage?${query}`, method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { result?: UsageIngestSummary; error?: string; code?: string; errors?: { line: number; field: string; message: string }[] };
        if (answer.result) resolve({ ok: true, summary: answer.result });
        else if (answer.code === 'USAGE_BATCH_INVALID') resolve({ ok: false, message: answer.error ?? '', problems: answer.errors ?? [] });
        else reject(new CliError(answer.error ?? `the server answered ${res.statusCode}`));
      });
    });
    req.on('socket', (socket) => socket.on('connect', () => { connected = true; }));
    req.on('error', (error: NodeJS.ErrnoException) => {
      body.destroy();
      if (!connected && (error.code === 'ECONNREFUSED' || error.code === 'ENOENT')) resolve(undefined);
      else reject(error);
    });
    body.on('error', (error) => req.destroy(error));
    body.pipe(req);
  });
}

/** The progress line of one file (a terminal) and its summary line (always). */
class Progress {
  private bytes = 0;
  private lines = 0;
  private readonly started = Date.now();
  private lastDrawn = 0;

  constructor(private readonly file: string, private readonly size: number, private readonly output: ImportOutput) {}

  read(bytes: number): void {
    this.bytes += bytes;
    this.draw();
  }

  rows(lines: number): void {
    this.lines += lines;
  }

  private draw(): void {
    const now = Date.now();
    if (!this.output.isTTY || now - this.lastDrawn < 200) return;
    this.lastDrawn = now;
    const seconds = (now - this.started) / 1000;
    const share = this.size > 0 ? Math.min(1, this.bytes / this.size) : 1;
    const eta = share > 0 && share < 1 ? seconds * (1 - share) / share : 0;
    const width = 24;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    this.output.progress(`\r${path.basename(this.file)} [${bar}] ${(share * 100).toFixed(0).padStart(3)}%  ${this.lines.toLocaleString('en')} rows  ` +
      `${Math.round(this.lines / Math.max(seconds, 0.001)).toLocaleString('en')} rows/s  ETA ${formatDuration(eta)}\u001b[K`);
  }

  finish(outcome: FileOutcome): void {
    const seconds = (Date.now() - this.started) / 1000;
    if (this.output.isTTY) this.output.progress('\r\u001b[K');
    const name = this.file;
    if (!outcome.ok) {
      this.output.summary(`${name}: ${outcome.message}${outcome.problems.map((p) => `\n  line ${p.line}${p.field ? `, ${p.field}` : ''}: ${p.message}`).join('')}`);
      return;
    }
    const s = outcome.summary;
    const rate = `${Math.round(s.records / Math.max(seconds, 0.001)).toLocaleString('en')} records/s`;
    this.output.summary(s.dryRun
      ? `${name}: ${s.records} records valid; would insert ${s.inserted}, ${s.duplicates} duplicates (dry run: nothing written) in ${seconds.toFixed(1)} s`
      : `${name}: ${s.records} records: ${s.inserted} inserted, ${s.duplicates} duplicates, ${s.rated} rated in ${seconds.toFixed(1)} s (${rate})`);
  }
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
