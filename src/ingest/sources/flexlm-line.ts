/**
 * One line of a FlexNet Publisher debug log, as lmgrd and its vendor daemons write it
 * (FlexNet Publisher License Administration Guide, "Debug Log Messages"):
 *
 *   HH:MM:SS (daemon) message
 *
 * The time has no date: `TIMESTAMP m/d/yyyy` lines and lmgrd's start line carry it
 * (flexlm-log.ts keeps the day). The vendor daemon's events look like
 *
 *    8:02:11 (adskflex) OUT: "87545ACD_2023_0F" jdoe@NYC-WS-014
 *    9:47:30 (adskflex) IN: "87545ACD_2023_0F" jdoe@NYC-WS-014  (2 licenses)
 *   10:15:00 (adskflex) DENIED: "87545ACD_2023_0F" kim@NYC-WS-020  (Licensed number of users already reached. (-4,342:10054 ""))
 *   10:15:02 (adskflex) UNSUPPORTED: "86984REVIT_2023_0F" (PORT_AT_HOST_PLUS   ) kim@NYC-WS-020  (License server system does not support this feature. (-18,327:10054 ""))
 *   17:30:05 (adskflex) IN: "87545ACD_2023_0F" ann@NYC-WS-031  (INACTIVE)
 */

/** A calendar date as a log writes it (`m/d/yyyy`). */
export interface LogDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** The vendor daemon's usage events. */
export type FlexlmEventKind = 'out' | 'in' | 'denied' | 'unsupported';

export interface FlexlmEventLine {
  readonly kind: FlexlmEventKind;
  /** Seconds since the day's start, as written. */
  readonly seconds: number;
  readonly daemon: string;
  readonly feature: string;
  readonly user: string;
  readonly host: string;
  /** The `(n licenses)` suffix; 1 without one. */
  readonly licenses: number;
  /** `IN: … (INACTIVE)`: the server took the licence back from an idle client (TIMEOUT option). */
  readonly inactive: boolean;
  /** DENIED and UNSUPPORTED: the reason's sentence, e.g. 'Licensed number of users already reached.'. */
  readonly reason: string | null;
  /** The FlexNet error code of the reason, major and minor, e.g. '-4,342'. */
  readonly reasonCode: string | null;
}

export type FlexlmLine =
  /** Empty, or only spaces. */
  | { readonly kind: 'blank' }
  /** Not of the form `HH:MM:SS (daemon) message`. */
  | { readonly kind: 'foreign' }
  /** `TIMESTAMP m/d/yyyy`, from any daemon: the day of this line. */
  | { readonly kind: 'timestamp'; readonly seconds: number; readonly daemon: string; readonly date: LogDate }
  /** lmgrd's `… started on HOST (…) (m/d/yyyy)`, or the vendor daemon's `Server started on …`: a (re)start. */
  | { readonly kind: 'start'; readonly seconds: number; readonly daemon: string; readonly date: LogDate | null }
  /** `EXITING …` (either daemon) or lmgrd's `Shutting down <vendor>`: the licences held are gone. */
  | { readonly kind: 'stop'; readonly seconds: number; readonly daemon: string }
  | FlexlmEventLine
  /** Any other line of the log (lmgrd's start-up chatter, other vendors' events, …). */
  | { readonly kind: 'other'; readonly seconds: number; readonly daemon: string }
  /** A vendor daemon line that should be an event or a date but cannot be read: refused. */
  | { readonly kind: 'malformed'; readonly seconds: number; readonly daemon: string; readonly reason: string };

function malformedLine(seconds: number, daemon: string, reason: string): FlexlmLine {
  return { kind: 'malformed', seconds, daemon, reason };
}

const BLANK = Object.freeze({ kind: 'blank' as const });
const FOREIGN = Object.freeze({ kind: 'foreign' as const });

/** lmgrd's start line ends with the date in parentheses: `… started on flexlm01 (IBM PC) (4/6/2022)`. */
const START_DATE = / started on .*\((\d{1,2})\/(\d{1,2})\/(\d{4})\)\s*$/;
const LOG_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/;
const LICENSES = /^(\d+) licenses?$/;

/** Reads one line; `vendor` is the vendor daemon whose events count (Autodesk's: `adskflex`). */
export function parseFlexlmLine(text: string, vendor: string): FlexlmLine {
  const n = text.length;
  let i = 0;
  while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  if (i === n) return BLANK;
  // The time: H or HH, then :MM:SS (the hour is padded with a space, not a zero: ' 8:02:11').
  let hours = digit(text, i);
  if (hours < 0) return FOREIGN;
  i++;
  const second = digit(text, i);
  if (second >= 0) {
    hours = hours * 10 + second;
    i++;
  }
  if (text.charCodeAt(i) !== 58 /* : */) return FOREIGN;
  const minutes = twoDigits(text, i + 1);
  if (minutes < 0 || text.charCodeAt(i + 3) !== 58) return FOREIGN;
  const secs = twoDigits(text, i + 4);
  if (secs < 0) return FOREIGN;
  i += 6;
  if (text.charCodeAt(i) !== 32 || text.charCodeAt(i + 1) !== 40 /* ( */) return FOREIGN;
  const close = text.indexOf(')', i + 2);
  if (close < 0) return FOREIGN;
  // The vendor's own lines are most of a log: they are read in place, without slicing the message.
  const ours = close - (i + 2) === vendor.length && text.startsWith(vendor, i + 2);
  const daemon = ours ? vendor : text.slice(i + 2, close);
  const from = close + 1 < n && text.charCodeAt(close + 1) === 32 ? close + 2 : close + 1;
  const seconds = (hours * 60 + minutes) * 60 + secs;
  if (hours > 23 || minutes > 59 || secs > 59) {
    return ours ? malformedLine(0, daemon, `${text.slice(0, i).trim()} is not a time of day`) : FOREIGN;
  }

  if (text.startsWith('TIMESTAMP ', from)) {
    const date = parseLogDate(text.slice(from + 10));
    if (date) return { kind: 'timestamp', seconds, daemon, date };
    return malformedLine(seconds, daemon, `the TIMESTAMP '${text.slice(from + 10).trim()}' is not a date m/d/yyyy`);
  }
  if (ours) {
    if (text.startsWith('OUT: ', from)) return parseEvent('out', text, from + 5, seconds, daemon);
    if (text.startsWith('IN: ', from)) return parseEvent('in', text, from + 4, seconds, daemon);
    if (text.startsWith('DENIED: ', from)) return parseEvent('denied', text, from + 8, seconds, daemon);
    if (text.startsWith('UNSUPPORTED: ', from)) return parseEvent('unsupported', text, from + 13, seconds, daemon);
    if (text.startsWith('EXITING', from)) return { kind: 'stop', seconds, daemon };
    if (text.startsWith('Server started on', from)) return { kind: 'start', seconds, daemon, date: null };
    return { kind: 'other', seconds, daemon };
  }
  const message = text.slice(from);
  if (daemon === 'lmgrd') {
    if (message.startsWith('EXITING') || message.startsWith(`Shutting down ${vendor}`)) return { kind: 'stop', seconds, daemon };
    const start = START_DATE.exec(message);
    if (start) {
      const date = calendarDate(Number(start[3]), Number(start[1]), Number(start[2]));
      if (date) return { kind: 'start', seconds, daemon, date };
    }
  }
  return { kind: 'other', seconds, daemon };
}

/** `m/d/yyyy` as a calendar date, or undefined. */
export function parseLogDate(text: string): LogDate | undefined {
  const m = LOG_DATE.exec(text.trim());
  return m ? calendarDate(Number(m[3]), Number(m[1]), Number(m[2])) : undefined;
}

function calendarDate(year: number, month: number, day: number): LogDate | undefined {
  const at = new Date(Date.UTC(year, month - 1, day));
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day ? { year, month, day } : undefined;
}

/**
 * The rest of an event line after `OUT: ` etc.: the feature (quoted, or one word in older logs),
 * `user@host` (a Windows user name may hold spaces: it runs to the first ` (` or ` [`), then
 * parenthesised groups: `(n licenses)`, `(INACTIVE)`, and the reason of a denial, whose own
 * error code is in a group of its own at its end. UNSUPPORTED puts a `(PORT_AT_HOST_PLUS …)`
 * group between the feature and the user. Checkout data in brackets is skipped.
 */
function parseEvent(kind: FlexlmEventKind, text: string, from: number, seconds: number, daemon: string): FlexlmLine {
  const n = text.length;
  if (text.indexOf('\uFFFD', from) >= 0) return malformedLine(seconds, daemon, 'the line is not valid UTF-8 text (is the log in another encoding?)');
  let i = skipSpaces(text, from);
  let feature: string;
  if (text.charCodeAt(i) === 34 /* " */) {
    const end = text.indexOf('"', i + 1);
    if (end < 0) return malformedLine(seconds, daemon, 'the feature name has no closing quote');
    feature = text.slice(i + 1, end);
    i = end + 1;
  } else {
    const end = text.indexOf(' ', i);
    feature = end < 0 ? text.slice(i) : text.slice(i, end);
    i = end < 0 ? n : end;
  }
  if (feature === '') return malformedLine(seconds, daemon, `${kind.toUpperCase()} names no feature`);
  i = skipSpaces(text, i);
  if (kind === 'unsupported' && text.charCodeAt(i) === 40) {
    const end = closingParenthesis(text, i);
    if (end < 0) return malformedLine(seconds, daemon, 'a parenthesis is not closed');
    i = skipSpaces(text, end + 1);
  }
  // user@host runs to the first ' (' or ' [' (a Windows user name may hold spaces; a host none).
  const whoStart = i;
  let whoEnd = text.indexOf(' (', i);
  const bracket = text.indexOf(' [', i);
  if (whoEnd < 0 || (bracket >= 0 && bracket < whoEnd)) whoEnd = bracket;
  if (whoEnd < 0) whoEnd = n;
  let last = whoEnd;
  while (last > i && text.charCodeAt(last - 1) === 32) last--;
  const at = last > i ? text.lastIndexOf('@', last - 1) : -1;
  if (at <= i || at === last - 1) return malformedLine(seconds, daemon, `expected user@host after the feature, found '${text.slice(i, last)}'`);
  let licenses = 1;
  let inactive = false;
  let reason: string | null = null;
  for (i = skipSpaces(text, whoEnd); i < n; i = skipSpaces(text, i)) {
    const c = text.charCodeAt(i);
    if (c === 40 /* ( */) {
      const end = closingParenthesis(text, i);
      if (end < 0) return malformedLine(seconds, daemon, 'a parenthesis is not closed');
      const group = text.slice(i + 1, end).trim();
      const count = LICENSES.exec(group);
      if (count) {
        licenses = Number(count[1]);
        if (!(licenses >= 1 && licenses <= 1_000_000)) return malformedLine(seconds, daemon, `'(${group})' is not a number of licenses from 1 to 1,000,000`);
      } else if (group === 'INACTIVE') {
        inactive = true;
      } else {
        reason = group;
      }
      i = end + 1;
    } else if (c === 91 /* [ */) {
      const end = text.indexOf(']', i);
      i = end < 0 ? n : end + 1;
    } else {
      break; // trailing text we do not know: nothing of it is needed
    }
  }
  const { text: reasonText, code } = splitReason(reason);
  return {
    kind, seconds, daemon, feature, user: text.slice(whoStart, at), host: text.slice(at + 1, last), licenses, inactive,
    reason: reasonText, reasonCode: code,
  };
}

/** 'Licensed number of users already reached. (-4,342:10054 "")' → the sentence and '-4,342'. */
const NO_REASON = Object.freeze({ text: null, code: null });

function splitReason(reason: string | null): { readonly text: string | null; readonly code: string | null } {
  if (reason === null) return NO_REASON;
  if (reason.endsWith(')')) {
    const open = openingParenthesis(reason, reason.length - 1);
    if (open > 0) {
      const code = reason.slice(open + 1, -1).split(':')[0]!.trim();
      const text = reason.slice(0, open).trim();
      if (text !== '' && /^-?\d+(,-?\d+)*$/.test(code)) return { text, code };
    }
  }
  return { text: reason, code: null };
}

/** The index of the `)` closing the `(` at `open` (quotes and nesting respected), or -1. */
function closingParenthesis(text: string, open: number): number {
  let depth = 0;
  let quoted = false;
  for (let k = open; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 34) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return k;
  }
  return -1;
}

/** The index of the `(` opening the `)` at `close`, or -1. */
function openingParenthesis(text: string, close: number): number {
  let depth = 0;
  for (let k = close; k >= 0; k--) {
    const c = text.charCodeAt(k);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return k;
  }
  return -1;
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && text.charCodeAt(i) === 32) i++;
  return i;
}

function digit(text: string, at: number): number {
  const d = text.charCodeAt(at) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

function twoDigits(text: string, at: number): number {
  const a = digit(text, at);
  const b = digit(text, at + 1);
  return a >= 0 && b >= 0 ? a * 10 + b : -1;
}

/** Autodesk's feature codes: an id, the product line code, the version year, `_0F` (e.g. `87545ACD_2023_0F`). */
const AUTODESK_FEATURE = /^\d{5}([A-Z0-9]+)_(\d{4})_\d[A-Z]$/;

/**
 * The product line code and version an Autodesk feature code seems to name, as a hint for the
 * administrator who must add the product ('ACD 2023'); null for another shape. Never used to map.
 */
export function guessFeatureProduct(feature: string): string | null {
  const m = AUTODESK_FEATURE.exec(feature);
  return m ? `${m[1]} ${m[2]}` : null;
}
