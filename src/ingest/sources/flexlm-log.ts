import type { SessionEndedBy } from '../../store/index.js';
import type { UsageBody } from '../ndjson-segments.js';
import { guessFeatureProduct, parseFlexlmLine, type FlexlmEventLine, type FlexlmLine, type LogDate } from './flexlm-line.js';
import { sha256Hex, type SourceProblem } from './source-items.js';
import { readTextLines } from './text-lines.js';

/** The product version a licence feature code stands for. */
export interface FeatureProduct {
  readonly productLineCode: string;
  readonly version: string;
}

/** Feature code → product version, from the products' feature codes (flexlm-records.ts). */
export type FeatureLookup = (feature: string) => FeatureProduct | undefined;

export interface FlexlmReadOptions {
  /** The licence server's name (`--server`): part of every record and of its id. */
  readonly server: string;
  /** The server's UTC offset in minutes east (`--offset`): the log's clock is the server's local time. */
  readonly offsetMinutes: number;
  readonly lookupFeature: FeatureLookup;
  /** The vendor daemon whose events are read; Autodesk's is `adskflex`. */
  readonly vendor?: string;
  /**
   * Sessions an earlier batch stored as still open at its log's end (`log-end`): the checkouts
   * open before the first file, as if that log had been read first. A first file that starts
   * after their end continues them (its check-ins close them, its stop cuts them, its end is
   * theirs); one that starts before leaves them as they are (they are not handed on then).
   */
  readonly carried?: readonly CarriedCheckout[];
}

/** A checkout an earlier batch left open at its log's end (epoch ms, UTC). */
export interface CarriedCheckout {
  readonly id: string;
  readonly feature: string;
  readonly product: FeatureProduct;
  readonly user: string;
  readonly host: string;
  readonly licenses: number;
  readonly start: number;
  /** Where the earlier batch ended it: the last line of its log. */
  readonly end: number;
}

/** A file (or upload) of a log; `open` may be called twice: once to find where it starts in time. */
export interface LogSource {
  readonly name: string;
  open(): UsageBody;
}

/**
 * How a session ended: checked in, taken back from an idle client (`IN: … (INACTIVE)`), cut by
 * the server stopping or restarting (at the stop line, or at the last line before a restart
 * without one), or still open when the log (or the last of a run of rotated logs) ends, at its
 * last line. `log-end` sessions are provisional: a later log may hold their check-in.
 */
export type SessionEnd = SessionEndedBy;

/** A desktop session: an OUT paired with its IN (or cut short). Times are epoch ms, UTC. */
export interface FlexlmSession {
  readonly kind: 'session';
  /** From server, feature, user, host and the checkout's time as the log writes it (see `recordId`). */
  readonly id: string;
  readonly server: string;
  readonly feature: string;
  readonly productLineCode: string;
  readonly productVersion: string;
  readonly userName: string;
  readonly host: string;
  readonly licenses: number;
  readonly start: number;
  readonly end: number;
  readonly endedBy: SessionEnd;
  /** The OUT line. */
  readonly file: string;
  readonly line: number;
  /** The line that ended it (IN, stop, or the last before a restart); null at the log's end. */
  readonly endFile: string;
  readonly endLine: number | null;
}

/** A refused checkout (`DENIED:`). */
export interface FlexlmDenial {
  readonly kind: 'denial';
  readonly id: string;
  readonly server: string;
  readonly feature: string;
  readonly productLineCode: string;
  readonly productVersion: string;
  readonly userName: string;
  readonly host: string;
  readonly licenses: number;
  /** Epoch ms, UTC. */
  readonly at: number;
  readonly reason: string | null;
  readonly reasonCode: string | null;
  readonly file: string;
  readonly line: number;
}

/**
 * An IN with no open OUT. `atLogStart`: no stop or restart came before it in the run of logs read,
 * so its OUT may be in an earlier log (a rotation boundary): the batch can finish a stored
 * `log-end` session of the same server, feature, user and host with it (see docs/sources.md).
 */
export interface FlexlmUnmatchedCheckin {
  readonly kind: 'unmatched-checkin';
  /** From server, feature, user, host and the check-in's time as the log writes it, as a record's id. */
  readonly id: string;
  readonly server: string;
  readonly feature: string;
  readonly userName: string;
  readonly host: string;
  readonly at: number;
  /** `IN: … (INACTIVE)`: the server took the licence back. */
  readonly inactive: boolean;
  readonly atLogStart: boolean;
  readonly file: string;
  readonly line: number;
}

/**
 * Where a file lies in time (epoch ms, UTC) and its first stop or restart: `'stop'` ends what was
 * open before it at `breakAt`, `'restart'` at the last line before it (`breakAt`; null when the
 * restart is the file's first dated line: the end of the log before).
 */
export interface FileSpan {
  readonly firstAt: number;
  readonly lastAt: number;
  readonly break: 'stop' | 'restart' | null;
  readonly breakAt: number | null;
}

export type FlexlmItem = FlexlmSession | FlexlmDenial | FlexlmUnmatchedCheckin | SourceProblem;

/** A feature whose lines were not read into records, and how many there were. */
export interface FeatureCount {
  readonly feature: string;
  readonly lines: number;
  readonly file: string;
  readonly firstLine: number;
  /** The product line code and version an Autodesk feature code seems to name ('ACD 2023'), as a hint. */
  readonly looksLike: string | null;
}

export interface FlexlmSummary {
  /** The files in the order they were read (by where they start in time). */
  readonly files: readonly { readonly name: string; readonly lines: number; readonly firstSeen: string | null; readonly lastSeen: string | null }[];
  readonly lines: number;
  readonly sessions: number;
  readonly sessionsEndedBy: Readonly<Record<SessionEnd, number>>;
  readonly denials: number;
  readonly unmatchedCheckins: number;
  /** OUT, IN and DENIED lines of features no product has, by feature: none of them is stored. */
  readonly unknownFeatures: readonly FeatureCount[];
  /** All of those lines (the list above names at most MAX_FEATURES_LISTED features). */
  readonly unknownFeatureLines: number;
  /** UNSUPPORTED lines by feature: requests for features this server does not serve (not denials; see docs). */
  readonly unsupportedFeatures: readonly FeatureCount[];
  readonly unsupportedLines: number;
  /** Lines that are not debug-log lines at all (`HH:MM:SS (daemon) message`), skipped. */
  readonly foreignLines: number;
  readonly firstForeignLines: readonly { readonly file: string; readonly line: number }[];
}

const DAY_MS = 86_400_000;
/**
 * The day rolls over when the time goes back by more than this without a TIMESTAMP. A smaller
 * step back is the clock being set back (the end of daylight saving time moves it one hour back),
 * not a new day: read as a new day, it would stretch every session open across it by a day.
 */
const CLOCK_SET_BACK_MS = 3_600_000;
/** Undated lines held at a log's start while waiting for its first TIMESTAMP (see `FileState.pending`). */
const MAX_UNDATED_LINES = 100_000;
const MAX_LISTED_FOREIGN = 10;
/**
 * Distinct unknown (or unsupported) features listed with their counts: an Autodesk licence file
 * has hundreds at most, and a file of any other kind must not grow the list without bound. Their
 * lines are all counted (`unknownFeatureLines`, `unsupportedLines`).
 */
const MAX_FEATURES_LISTED = 10_000;

interface OpenCheckout {
  readonly id: string;
  readonly feature: string;
  readonly product: FeatureProduct;
  readonly user: string;
  readonly host: string;
  readonly licenses: number;
  readonly startLocal: number;
  readonly file: string;
  readonly line: number;
  /** A checkout of an earlier batch (`carried`): the local time it was ended at there. */
  readonly carriedEndLocal?: number;
}

type DatedLine = Exclude<FlexlmLine, { kind: 'blank' } | { kind: 'foreign' }>;

/** What is known of the file being read. */
interface FileState {
  readonly name: string;
  lines: number;
  logLines: number;
  /** Local midnight of the current day (epoch ms as if the local time were UTC); undefined before the first date. */
  day: number | undefined;
  lastSeconds: number;
  firstLocal: number | undefined;
  lastLocal: number | undefined;
  /**
   * Lines before the first TIMESTAMP or start line, held until it dates them (a rotated log may
   * begin hours before its first TIMESTAMP), at most MAX_UNDATED_LINES of them.
   */
  pending: { readonly line: number; readonly parsed: DatedLine }[];
  undatable: boolean;
  /** The file's first stop or restart, and where it ends what was open before it (local time). */
  breakKind: 'stop' | 'restart' | null;
  breakLocal: number | null;
}

/**
 * Reads FlexNet debug logs of one licence server into desktop sessions and denials, streaming:
 * memory holds the open checkouts (at most the server's seats), never the log.
 *
 * - The log's clock is the server's local time: `TIMESTAMP m/d/yyyy` (any daemon) and lmgrd's
 *   start line set the day; otherwise the day rolls over when the time goes back by more than an
 *   hour (CLOCK_SET_BACK_MS). `--offset` turns the local time into UTC.
 * - Each OUT is paired with the next IN of the same feature, user and host; several open
 *   checkouts of one feature by one user@host are closed in the order they were opened. A session
 *   over midnight is one session.
 * - A stop (`EXITING`, lmgrd's `Shutting down adskflex`) closes every open checkout at that line; a
 *   restart without a stop line closes them at the last line before it; a log's end (of the last
 *   of a run of rotated logs) at its last line. Each session says which (`endedBy`).
 * - Several files of one server are read in the order they start in time, whatever order they are
 *   given in. A file that starts after the previous one ends continues it (a rotated log: the
 *   checkouts open at the previous one's end stay open); one that starts before (an overlapping
 *   copy, or the same log twice) is read apart, and its records get the same ids as the other
 *   copy's, so the batch counts them once.
 * - Features without a product, UNSUPPORTED lines and lines that are not log lines are counted in
 *   the summary, never silently dropped; lines that should be events but cannot be read, and
 *   events no date can be found for, are problems with their file and line.
 */
export class FlexlmLogReader {
  readonly #server: string;
  readonly #offsetMs: number;
  readonly #lookup: FeatureLookup;
  readonly #vendor: string;

  // The run of logs being read (one log, or rotated logs that continue each other).
  /**
   * The open checkouts by feature, user and host, each list in checkout order. Nested maps rather
   * than one map of joined keys: the line's own strings are looked up as they are, where a joined
   * key is a new string to build and hash per event (a tenth of the reading).
   */
  readonly #open = new Map<string, Map<string, Map<string, OpenCheckout[]>>>();
  #openCount = 0;
  #lastAliveLocal: number | undefined;
  #lastAliveFile = '';
  #lastAliveLine = 0;
  #atRunStart = true;
  /** Sessions closed at a log's end, held until every file is read: a later file may close them for real. */
  readonly #provisional = new Map<string, FlexlmSession>();
  /**
   * The records of the second `#ordinalLocal`: the first one's kind and event, and a count per
   * kind, feature, user and host once the second has several (most seconds have one at most).
   */
  #ordinalFirst: { kind: string; event: FlexlmEventLine } | undefined;
  readonly #ordinals = new Map<string, number>();
  #ordinalLocal = Number.NaN;
  readonly #dayTexts = new Map<number, string>();

  // What the summary reports.
  readonly #files: FlexlmSummary['files'][number][] = [];
  readonly #spans: FileSpan[] = [];
  #lines = 0;
  #sessions = 0;
  readonly #endedBy: Record<SessionEnd, number> = { checkin: 0, inactive: 0, 'server-stop': 0, 'log-end': 0 };
  #denials = 0;
  #unmatched = 0;
  readonly #unknown = new Map<string, { lines: number; file: string; firstLine: number }>();
  readonly #unsupported = new Map<string, { lines: number; file: string; firstLine: number }>();
  #unknownLines = 0;
  #unsupportedLines = 0;
  #foreign = 0;
  readonly #firstForeign: { file: string; line: number }[] = [];

  constructor(options: FlexlmReadOptions) {
    this.#server = options.server;
    this.#offsetMs = options.offsetMinutes * 60_000;
    this.#lookup = options.lookupFeature;
    this.#vendor = options.vendor ?? 'adskflex';
    for (const carried of options.carried ?? []) {
      const endLocal = carried.end + this.#offsetMs;
      this.#addOpen({
        id: carried.id, feature: carried.feature, product: carried.product, user: carried.user, host: carried.host,
        licenses: carried.licenses, startLocal: carried.start + this.#offsetMs, file: '', line: 0, carriedEndLocal: endLocal,
      });
      if (this.#lastAliveLocal === undefined || endLocal > this.#lastAliveLocal) this.#lastAliveLocal = endLocal;
    }
  }

  /** Where each file read lies in time, and its first stop or restart (in the order read). */
  spans(): readonly FileSpan[] {
    return [...this.#spans];
  }

  /** The records of the logs, a chunk of a file at a time; `summary()` is complete once this is. */
  async *read(sources: readonly LogSource[]): AsyncIterable<readonly FlexlmItem[]> {
    for (const source of await this.#inTimeOrder(sources)) {
      const file = this.#beginFile(source.name);
      for await (const piece of readTextLines(source.open(), source.name)) {
        let out: FlexlmItem[] = [];
        if ('kind' in piece) {
          out.push(piece);
        } else {
          for (let k = 0; k < piece.lines.length; k++) {
            this.#readLine(file, piece.lines[k] as string, piece.firstLine + k, out);
            // Handed on a few at a time, so records die young (see csv-records.ts BATCH).
            if (out.length >= 256) {
              yield out;
              out = [];
            }
          }
          file.lines = piece.firstLine + piece.lines.length - 1;
        }
        if (out.length > 0) yield out;
      }
      const out: FlexlmItem[] = [];
      this.#endFile(file, out);
      if (out.length > 0) yield out;
    }
    const out: FlexlmItem[] = [];
    this.#closeAll(this.#lastAliveLocal ?? 0, 'log-end', this.#lastAliveFile, null, out);
    for (const session of this.#provisional.values()) this.#emit(session, out);
    this.#provisional.clear();
    if (out.length > 0) yield out;
  }

  summary(): FlexlmSummary {
    const counts = (map: Map<string, { lines: number; file: string; firstLine: number }>) =>
      [...map].map(([feature, c]) => ({ feature, ...c, looksLike: guessFeatureProduct(feature) })).sort((a, b) => b.lines - a.lines || (a.feature < b.feature ? -1 : 1));
    return {
      files: [...this.#files],
      lines: this.#lines,
      sessions: this.#sessions,
      sessionsEndedBy: { ...this.#endedBy },
      denials: this.#denials,
      unmatchedCheckins: this.#unmatched,
      unknownFeatures: counts(this.#unknown),
      unknownFeatureLines: this.#unknownLines,
      unsupportedFeatures: counts(this.#unsupported),
      unsupportedLines: this.#unsupportedLines,
      foreignLines: this.#foreign,
      firstForeignLines: [...this.#firstForeign],
    };
  }

  /**
   * The sources sorted by their first dated line (TIMESTAMP or start line), read ahead to it;
   * sources without one go last, in the order given. The sort is stable.
   */
  async #inTimeOrder(sources: readonly LogSource[]): Promise<readonly LogSource[]> {
    if (sources.length < 2) return sources;
    const keyed = [];
    for (const [index, source] of sources.entries()) keyed.push({ source, index, first: await this.#firstDated(source) });
    keyed.sort((a, b) => (a.first ?? Infinity) - (b.first ?? Infinity) || a.index - b.index);
    return keyed.map((k) => k.source);
  }

  async #firstDated(source: LogSource): Promise<number | undefined> {
    for await (const piece of readTextLines(source.open(), source.name)) {
      if ('kind' in piece) continue;
      for (const text of piece.lines) {
        const parsed = parseFlexlmLine(text, this.#vendor);
        if ((parsed.kind === 'timestamp' || parsed.kind === 'start') && parsed.date) return dayStart(parsed.date) + parsed.seconds * 1000;
      }
    }
    return undefined;
  }

  #beginFile(name: string): FileState {
    return {
      name, lines: 0, logLines: 0, day: undefined, lastSeconds: 0, firstLocal: undefined, lastLocal: undefined, pending: [], undatable: false,
      breakKind: null, breakLocal: null,
    };
  }

  #readLine(file: FileState, text: string, line: number, out: FlexlmItem[]): void {
    const parsed = parseFlexlmLine(text, this.#vendor);
    if (parsed.kind === 'blank') return;
    if (parsed.kind === 'foreign') {
      this.#foreign++;
      if (this.#firstForeign.length < MAX_LISTED_FOREIGN) this.#firstForeign.push({ file: file.name, line });
      return;
    }
    file.logLines++;
    if (parsed.kind === 'malformed') {
      out.push(problem(file.name, line, parsed.reason));
      return;
    }
    const date = parsed.kind === 'timestamp' || parsed.kind === 'start' ? parsed.date : null;
    if (date) {
      const day = dayStart(date);
      if (file.day === undefined) this.#datePending(file, day, parsed.seconds, out);
      file.day = day;
      file.lastSeconds = parsed.seconds;
      this.#handle(file, line, parsed, day + parsed.seconds * 1000, out);
      return;
    }
    if (file.day === undefined) {
      this.#holdUndated(file, line, parsed, out);
      return;
    }
    if (parsed.seconds * 1000 < file.lastSeconds * 1000 - CLOCK_SET_BACK_MS) file.day += DAY_MS;
    file.lastSeconds = parsed.seconds;
    this.#handle(file, line, parsed, file.day + parsed.seconds * 1000, out);
  }

  #holdUndated(file: FileState, line: number, parsed: DatedLine, out: FlexlmItem[]): void {
    if (file.undatable) return;
    if (file.pending.length < MAX_UNDATED_LINES) {
      file.pending.push({ line, parsed });
      return;
    }
    const first = file.pending.find((p) => isEvent(p.parsed));
    if (first) {
      out.push(problem(file.name, first.line,
        `no TIMESTAMP line or lmgrd start line within ${MAX_UNDATED_LINES.toLocaleString('en')} lines from here: the date of the events is unknown`));
    }
    file.pending = [];
    file.undatable = true;
  }

  /**
   * Dates the lines held before the first date, counting back from it: going back in the log, the
   * day before begins where the time goes forward by more than an hour (the rule of `#readLine`,
   * read backwards), then handles them in order.
   */
  #datePending(file: FileState, day: number, seconds: number, out: FlexlmItem[]): void {
    const pending = file.pending;
    file.pending = [];
    file.undatable = false;
    const locals = new Array<number>(pending.length);
    let later = seconds;
    let current = day;
    for (let k = pending.length - 1; k >= 0; k--) {
      const s = (pending[k] as (typeof pending)[number]).parsed.seconds;
      if (s * 1000 > later * 1000 + CLOCK_SET_BACK_MS) current -= DAY_MS;
      locals[k] = current + s * 1000;
      later = s;
    }
    for (const [k, held] of pending.entries()) this.#handle(file, held.line, held.parsed, locals[k] as number, out);
  }

  #handle(file: FileState, line: number, parsed: DatedLine, local: number, out: FlexlmItem[]): void {
    const firstOfFile = file.firstLocal === undefined;
    if (file.firstLocal === undefined) {
      file.firstLocal = local;
      // A file that starts before the previous one ended is another copy, not its continuation.
      if (this.#lastAliveLocal !== undefined && local < this.#lastAliveLocal) this.#startNewRun(out);
    }
    file.lastLocal = local;
    switch (parsed.kind) {
      case 'out':
        this.#checkout(file, line, parsed, local);
        break;
      case 'in':
        this.#checkin(file, line, parsed, local, out);
        break;
      case 'denied':
        this.#denial(file, line, parsed, local, out);
        break;
      case 'unsupported':
        this.#unsupportedLines++;
        count(this.#unsupported, parsed.feature, file.name, line);
        break;
      case 'stop':
        if (file.breakKind === null) {
          file.breakKind = 'stop';
          file.breakLocal = local;
        }
        this.#closeAll(local, 'server-stop', file.name, line, out);
        this.#atRunStart = false;
        break;
      case 'start':
        if (file.breakKind === null) {
          file.breakKind = 'restart';
          file.breakLocal = firstOfFile ? null : (this.#lastAliveLocal ?? null);
        }
        this.#closeAll(this.#lastAliveLocal ?? local, 'server-stop', this.#lastAliveFile, this.#lastAliveLine, out);
        this.#atRunStart = false;
        break;
      case 'timestamp':
      case 'other':
        break;
    }
    this.#lastAliveLocal = local;
    this.#lastAliveFile = file.name;
    this.#lastAliveLine = line;
  }

  /** The previous run's open checkouts end at its last line, provisionally; a fresh run begins. */
  #startNewRun(out: FlexlmItem[]): void {
    this.#closeAll(this.#lastAliveLocal as number, 'log-end', this.#lastAliveFile, null, out);
    this.#lastAliveLocal = undefined;
    this.#atRunStart = true;
    this.#ordinals.clear();
    this.#ordinalLocal = Number.NaN;
  }

  #checkout(file: FileState, line: number, event: FlexlmEventLine, local: number): void {
    const product = this.#product(event, file, line);
    if (!product) return;
    const checkout: OpenCheckout = {
      id: this.#recordId('S', event, local), feature: event.feature, product, user: event.user, host: event.host,
      licenses: event.licenses, startLocal: local, file: file.name, line,
    };
    this.#addOpen(checkout);
  }

  #addOpen(checkout: OpenCheckout): void {
    let byUser = this.#open.get(checkout.feature);
    if (!byUser) this.#open.set(checkout.feature, byUser = new Map());
    let byHost = byUser.get(checkout.user);
    if (!byHost) byUser.set(checkout.user, byHost = new Map());
    const queue = byHost.get(checkout.host);
    if (queue) queue.push(checkout);
    else byHost.set(checkout.host, [checkout]);
    this.#openCount++;
  }

  #checkin(file: FileState, line: number, event: FlexlmEventLine, local: number, out: FlexlmItem[]): void {
    if (!this.#product(event, file, line)) return;
    const byUser = this.#open.get(event.feature);
    const byHost = byUser?.get(event.user);
    const queue = byHost?.get(event.host);
    const checkout = queue?.shift();
    if (checkout) {
      if (queue!.length === 0) {
        byHost!.delete(event.host);
        if (byHost!.size === 0) {
          byUser!.delete(event.user);
          if (byUser!.size === 0) this.#open.delete(event.feature);
        }
      }
      this.#openCount--;
      this.#close(checkout, local, event.inactive ? 'inactive' : 'checkin', file.name, line, out);
      return;
    }
    this.#unmatched++;
    out.push({
      kind: 'unmatched-checkin', id: this.#recordId('I', event, local), server: this.#server, feature: event.feature, userName: event.user,
      host: event.host, at: local - this.#offsetMs, inactive: event.inactive, atLogStart: this.#atRunStart, file: file.name, line,
    });
  }

  #denial(file: FileState, line: number, event: FlexlmEventLine, local: number, out: FlexlmItem[]): void {
    const product = this.#product(event, file, line);
    if (!product) return;
    this.#denials++;
    out.push({
      kind: 'denial', id: this.#recordId('D', event, local), server: this.#server, feature: event.feature,
      productLineCode: product.productLineCode, productVersion: product.version, userName: event.user, host: event.host,
      licenses: event.licenses, at: local - this.#offsetMs, reason: event.reason, reasonCode: event.reasonCode, file: file.name, line,
    });
  }

  #product(event: FlexlmEventLine, file: FileState, line: number): FeatureProduct | undefined {
    const product = this.#lookup(event.feature);
    if (!product) {
      this.#unknownLines++;
      count(this.#unknown, event.feature, file.name, line);
    }
    return product;
  }

  #closeAll(endLocal: number, endedBy: SessionEnd, endFile: string, endLine: number | null, out: FlexlmItem[]): void {
    if (this.#openCount === 0) return;
    for (const byUser of this.#open.values()) {
      for (const byHost of byUser.values()) {
        for (const queue of byHost.values()) {
          for (const checkout of queue) this.#close(checkout, endLocal, endedBy, endFile, endLine, out);
        }
      }
    }
    this.#open.clear();
    this.#openCount = 0;
  }

  #close(checkout: OpenCheckout, endLocal: number, endedBy: SessionEnd, endFile: string, endLine: number | null, out: FlexlmItem[]): void {
    // A checkout of an earlier batch this one did not continue: stored as it is.
    if (checkout.carriedEndLocal !== undefined && endedBy === 'log-end' && endLocal <= checkout.carriedEndLocal) return;
    const session: FlexlmSession = {
      kind: 'session', id: checkout.id, server: this.#server, feature: checkout.feature,
      productLineCode: checkout.product.productLineCode, productVersion: checkout.product.version,
      userName: checkout.user, host: checkout.host, licenses: checkout.licenses,
      // A check-in logged before its checkout's time (the clock set back) ends the session where it began.
      start: checkout.startLocal - this.#offsetMs, end: Math.max(endLocal, checkout.startLocal) - this.#offsetMs,
      endedBy, file: checkout.file, line: checkout.line, endFile, endLine,
    };
    if (endedBy === 'log-end') {
      if (!this.#provisional.has(session.id)) this.#provisional.set(session.id, session);
      return;
    }
    // A copy of the log read earlier ended here for lack of its check-in: this one has it.
    this.#provisional.delete(session.id);
    this.#emit(session, out);
  }

  #emit(session: FlexlmSession, out: FlexlmItem[]): void {
    this.#sessions++;
    this.#endedBy[session.endedBy]++;
    out.push(session);
  }

  #endFile(file: FileState, out: FlexlmItem[]): void {
    const first = file.pending.find((p) => isEvent(p.parsed));
    if (first) out.push(problem(file.name, first.line, 'the log has no TIMESTAMP line or lmgrd start line to date the events from here on'));
    if (file.lines === 0) out.push(problem(file.name, 1, 'the file is empty'));
    else if (file.logLines === 0) out.push(problem(file.name, 1, "this is not a FlexNet debug log: no line has the form 'HH:MM:SS (daemon) message'"));
    this.#lines += file.lines;
    const iso = (local: number | undefined) => (local === undefined ? null : isoSeconds(local - this.#offsetMs));
    this.#files.push({ name: file.name, lines: file.lines, firstSeen: iso(file.firstLocal), lastSeen: iso(file.lastLocal) });
    if (file.firstLocal !== undefined && file.lastLocal !== undefined) {
      this.#spans.push({
        firstAt: file.firstLocal - this.#offsetMs, lastAt: file.lastLocal - this.#offsetMs, break: file.breakKind,
        breakAt: file.breakLocal === null ? null : file.breakLocal - this.#offsetMs,
      });
    }
  }

  /**
   * A record's id: a hash of the server, the feature, the user, the host and the local time as the
   * log writes it, and the record's rank among those of the same second (two checkouts of one
   * feature by one user@host in the same second are two sessions). The local time rather than
   * UTC, so a log imported again with a corrected `--offset` keeps its ids.
   */
  #recordId(kind: 'S' | 'D' | 'I', event: FlexlmEventLine, local: number): string {
    let rank = 0;
    if (local !== this.#ordinalLocal) {
      if (this.#ordinals.size > 0) this.#ordinals.clear();
      this.#ordinalLocal = local;
      this.#ordinalFirst = { kind, event };
    } else {
      const first = this.#ordinalFirst as { kind: string; event: FlexlmEventLine };
      const same = first.kind === kind && first.event.feature === event.feature && first.event.user === event.user && first.event.host === event.host;
      const rankKey = `${kind}\u0000${event.feature}\u0000${event.user}\u0000${event.host}`;
      rank = this.#ordinals.get(rankKey) ?? (same ? 1 : 0);
      this.#ordinals.set(rankKey, rank + 1);
    }
    return recordId(kind, this.#server, event.feature, event.user, event.host, this.#localText(local), rank);
  }

  /** 'YYYY-MM-DDTHH:MM:SS' of a local time. */
  #localText(local: number): string {
    const dayNumber = Math.floor(local / DAY_MS);
    let day = this.#dayTexts.get(dayNumber);
    if (day === undefined) {
      day = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
      if (this.#dayTexts.size > 10_000) this.#dayTexts.clear();
      this.#dayTexts.set(dayNumber, day);
    }
    const seconds = Math.floor((local - dayNumber * DAY_MS) / 1000);
    return `${day}T${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  }
}

/**
 * `flexlm-` and 32 hex digits of SHA-256 over the parts. Exported for the tests and the batch,
 * which must find the stored session a rotated log's check-in belongs to.
 */
export function recordId(kind: 'S' | 'D' | 'I', server: string, feature: string, user: string, host: string, localTime: string, rank: number): string {
  const text = `${kind}\u0000${server}\u0000${feature}\u0000${user}\u0000${host}\u0000${localTime}${rank > 0 ? `\u0000${rank}` : ''}`;
  return `flexlm-${sha256Hex(text).slice(0, 32)}`;
}

/** Local midnight of a date, as epoch ms of the same wall-clock time in UTC. */
function dayStart(date: LogDate): number {
  return Date.UTC(date.year, date.month - 1, date.day);
}

function isEvent(parsed: DatedLine): boolean {
  return parsed.kind === 'out' || parsed.kind === 'in' || parsed.kind === 'denied';
}

function count(map: Map<string, { lines: number; file: string; firstLine: number }>, feature: string, file: string, line: number): void {
  const entry = map.get(feature);
  if (entry) entry.lines++;
  else if (map.size < MAX_FEATURES_LISTED) map.set(feature, { lines: 1, file, firstLine: line });
}

function problem(file: string, line: number, message: string): SourceProblem {
  return { kind: 'problem', file, line, field: '', message };
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** 'YYYY-MM-DDTHH:MM:SSZ' of an epoch ms. */
export function isoSeconds(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}
