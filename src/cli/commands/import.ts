import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { controlSocketPath, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import {
  ingestFlexlmLog, ingestTokenflexExport, ingestUsage, type FlexlmImportOptions, type FlexlmSummary, type UsageFormat, type UsageSource,
} from '../../ingest/index.js';
import { openStore, type Store, type UsageIngestSummary } from '../../store/index.js';
import { CliError } from '../cli-error.js';

export interface ImportCommandOptions {
  readonly files: readonly string[];
  readonly format?: UsageFormat;
  readonly dryRun: boolean;
  readonly contract?: string;
  /** Read the files as Autodesk's Token Flex exports or FlexNet debug logs (docs/sources.md). */
  readonly source?: UsageSource;
  /** `--source flexlm`: the licence server's name and UTC offset, and how its sessions are rated. */
  readonly server?: string;
  readonly offset?: string;
  readonly rateAs?: 'sus' | 'flex';
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

type Problem = { readonly file?: string; readonly line: number; readonly field: string; readonly message: string };

/** One file's outcome: its summary, or why the batch was refused (with the listed problems). */
type FileOutcome =
  | { readonly ok: true; readonly summary: UsageIngestSummary & { readonly log?: FlexlmSummary; readonly revised?: number } }
  | { readonly ok: false; readonly message: string; readonly problems: readonly Problem[] };

const FORMATS_BY_EXTENSION: Readonly<Record<string, UsageFormat>> = { '.csv': 'csv', '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.json': 'ndjson' };

/** The format of a file: `--format`, else its extension (under a `.gz`). */
export function formatOfFile(file: string, given?: UsageFormat): UsageFormat {
  if (given) return given;
  const name = file.toLowerCase().replace(/\.gz$/, '');
  const format = FORMATS_BY_EXTENSION[path.extname(name)];
  if (!format) throw new CliError(`Cannot tell the format of ${file} from its extension; pass --format csv or --format ndjson.`);
  return format;
}

/** Every file named must exist before any is read: a typo refuses the command, not the files after it. */
function requireFiles(files: readonly string[]): void {
  for (const file of files) {
    if (!existsSync(file)) throw new CliError(`No such file: ${file}`);
  }
}

/**
 * `insights import FILE…`: each file is one batch (spec §6), applied atomically or not at all,
 * through the same ingestion as `POST /admin/v1/usage`: over the control socket while a server
 * holds the database, else on the store opened here. Returns false when a file was refused.
 */
export async function runImportCommand(config: Config, options: ImportCommandOptions, output: ImportOutput): Promise<boolean> {
  if (options.source) return runSourceImport(config, options, options.source, output);
  const formats = options.files.map((file) => formatOfFile(file, options.format));
  requireFiles(options.files);
  const socketPath = controlSocketPath(config.dataDir);
  let store: Store | undefined;
  let allGood = true;
  try {
    for (const [k, file] of options.files.entries()) {
      const format = formats[k] as UsageFormat;
      const progress = new Progress(file, (await stat(file)).size, output);
      const body = () => openBody(file, progress);
      let outcome: FileOutcome | undefined;
      if (!store && existsSync(socketPath)) {
        const query = new URLSearchParams({ format, ...(options.dryRun ? { dryRun: 'true' } : {}), ...(options.contract ? { contract: options.contract } : {}) });
        outcome = await viaServer(socketPath, body(), query);
      }
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

/**
 * `insights import --source tokenflex-export|flexlm FILE…` (docs/sources.md). Token Flex exports:
 * each file a batch, as for usage records. FlexNet logs: the files of one server are one batch, read
 * in time order (rotated logs), on the store opened here; while a server holds the database, each
 * file goes to it as a batch of its own, in the order given.
 */
async function runSourceImport(config: Config, options: ImportCommandOptions, source: UsageSource, output: ImportOutput): Promise<boolean> {
  if (!options.contract) throw new CliError(`--source ${source} needs --contract: the files do not name the contract their records go into.`);
  if (source === 'flexlm') {
    if (!options.server) throw new CliError('--source flexlm needs --server NAME: the licence server the logs are of.');
    if (!options.offset || !/^[+-]\d{2}:\d{2}$/.test(options.offset)) throw new CliError('--source flexlm needs --offset ±HH:MM: the licence server\'s UTC offset, e.g. --offset -05:00.');
  }
  requireFiles(options.files);
  const socketPath = controlSocketPath(config.dataDir);
  let store: Store | undefined;
  let allGood = true;
  try {
    if (source === 'flexlm' && !existsSync(socketPath)) {
      store = await openLocalStore(config);
      const size = (await Promise.all(options.files.map((file) => stat(file)))).reduce((sum, s) => sum + s.size, 0);
      const progress = new Progress(options.files.join(' '), size, output);
      const logs = options.files.map((file) => ({ name: file, open: () => openBody(file, progress) }));
      const outcome = await refusedAsOutcome(() => ingestFlexlmLog(store as Store, logs, flexlmOptions(options)));
      progress.finish(outcome);
      return outcome.ok;
    }
    for (const file of options.files) {
      const progress = new Progress(file, (await stat(file)).size, output);
      let outcome: FileOutcome | undefined;
      if (!store && existsSync(socketPath)) {
        const query = new URLSearchParams({
          source, contract: options.contract, name: file, ...(options.dryRun ? { dryRun: 'true' } : {}),
          ...(source === 'flexlm' ? { server: options.server as string, offset: options.offset as string, rateAs: options.rateAs ?? 'sus' } : {}),
        });
        outcome = await viaServer(socketPath, openBody(file, progress), query);
      }
      if (!outcome) {
        store ??= await openLocalStore(config);
        const opened = store;
        const body = openBody(file, progress);
        outcome = await refusedAsOutcome(() => (source === 'flexlm'
          ? ingestFlexlmLog(opened, [{ name: file, open: () => body }], flexlmOptions(options))
          : ingestTokenflexExport(opened, body, { contractNumber: options.contract as string, file, dryRun: options.dryRun }))).finally(() => body.destroy());
      }
      progress.finish(outcome);
      allGood &&= outcome.ok;
    }
  } finally {
    await store?.close();
  }
  return allGood;
}

function flexlmOptions(options: ImportCommandOptions): FlexlmImportOptions {
  return {
    server: options.server as string, offset: options.offset as string, contractNumber: options.contract as string, dryRun: options.dryRun,
    ...(options.rateAs ? { rateAs: options.rateAs } : {}),
  };
}

async function refusedAsOutcome(run: () => Promise<UsageIngestSummary & { readonly log?: FlexlmSummary; readonly revised?: number }>): Promise<FileOutcome> {
  try {
    return { ok: true, summary: await run() };
  } catch (error) {
    if (!AppError.is(error) || error.code !== 'USAGE_BATCH_INVALID') throw error;
    return { ok: false, message: error.message, problems: (error.extra?.['errors'] ?? []) as Problem[] };
  }
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
function viaServer(socketPath: string, body: Readable, query: URLSearchParams): Promise<FileOutcome | undefined> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const req = request({ socketPath, path: `/usage?${query}`, method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { result?: UsageIngestSummary; error?: string; code?: string; errors?: Problem[] };
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
      this.output.summary(`${name}: ${outcome.message}${outcome.problems.map((p) =>
        `\n  ${p.file && p.file !== name ? `${p.file}, ` : ''}line ${p.line}${p.field ? `, ${p.field}` : ''}: ${p.message}`).join('')}`);
      return;
    }
    this.output.summary(describeImport(name, outcome.summary, seconds));
    if (outcome.summary.log) this.output.summary(describeLog(outcome.summary.log, outcome.summary.dryRun, outcome.summary.revised ?? 0));
  }
}

/** `1 record`, `2 records`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/**
 * The one-line summary of an imported file. `rated` counts the records whose charges were
 * computed: the new ones and the earlier records of the same users and days, whose charges a new
 * record can change (a longer session, a dearer product the same day), so it can exceed the file's.
 * @internal exported for its test
 */
export function describeImport(name: string, s: Pick<UsageIngestSummary, 'records' | 'inserted' | 'duplicates' | 'rated' | 'dryRun'>, seconds: number): string {
  const time = `${seconds.toFixed(1)} s`;
  if (s.dryRun) {
    return `${name}: ${count(s.records, 'record')} valid; would insert ${s.inserted}, `
      + `${count(s.duplicates, 'duplicate')} (dry run: nothing written) in ${time}`;
  }
  const perSecond = Math.round(s.records / Math.max(seconds, 0.001));
  const rate = `${perSecond} ${perSecond === 1 ? 'record' : 'records'}/s`;
  const rated = `${count(s.rated, 'record')} rated${s.rated > 0 ? ' (the new ones and the earlier records of the same users and days)' : ''}`;
  return `${name}: ${count(s.records, 'record')}: ${s.inserted} inserted, ${count(s.duplicates, 'duplicate')}, ${rated} in ${time} (${rate})`;
}

/** What a FlexNet log held, in a few lines: sessions and how they ended, denials, what was not stored. */
function describeLog(log: FlexlmSummary, dryRun: boolean, revised: number): string {
  const ended = Object.entries(log.sessionsEndedBy).filter(([, n]) => n > 0).map(([how, n]) => `${n} ${how}`).join(', ');
  const lines = [`${count(log.lines, 'log line')}: ${count(log.sessions, 'session')}${ended ? ` (${ended})` : ''}, ${count(log.denials, 'denial')}` +
    `${log.unmatchedCheckins > 0 ? `, ${count(log.unmatchedCheckins, 'check-in')} without a checkout (kept for the log that holds it)` : ''}` +
    `${log.unsupportedLines > 0 ? `, ${count(log.unsupportedLines, 'UNSUPPORTED line')} (not denials)` : ''}` +
    `${log.foreignLines > 0 ? `, ${count(log.foreignLines, 'line')} that are not debug-log lines (skipped)` : ''}` +
    `${revised > 0 ? `; ${count(revised, 'session')} of an earlier log${dryRun ? ' would be' : ''} finished` : ''}`];
  if (log.unknownFeatures.length > 0) {
    lines.push(`features no product has (${count(log.unknownFeatureLines, 'line')}${dryRun ? '' : ', so nothing was written'}; add the products with these feature codes first):`);
    for (const f of log.unknownFeatures) lines.push(`  ${f.feature}: ${count(f.lines, 'line')}, first ${f.file} line ${f.firstLine}${f.looksLike ? ` (looks like ${f.looksLike})` : ''}`);
  }
  return lines.join('\n');
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
