/**
 * Time parsing for the rating, by hand rather than with `Date.parse`: `Date.parse` reads a
 * date-time without a zone as the *machine's* local time, which would make the rating depend on
 * where it runs. Here a missing zone means UTC (how DuckDB prints a `timestamp`), always.
 *
 * The canonical shapes ('2024-03-01T23:30:00Z', with or without milliseconds) take a fast path
 * of character arithmetic: ingestion and the seed rate millions of records, and the regular
 * expression plus `Date.UTC` cost several times as much per record.
 */

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const CHAR_0 = 48;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** 'YYYY-MM-DD' of a day number since 1970-01-01 (H. Hinnant's civil_from_days). */
export function formatDayNumber(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

/** Minutes east of UTC of '+01:00' / '-05:00', or undefined when malformed (beyond ±14:00 too). */
export function parseOffsetMinutes(text: string): number | undefined {
  const m = OFFSET.exec(text);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (minutes > 59 || hours * 60 + minutes > 14 * 60) return undefined;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** Two decimal digits at `at`, or -1. */
function digits2(text: string, at: number): number {
  const a = text.charCodeAt(at) - CHAR_0;
  const b = text.charCodeAt(at + 1) - CHAR_0;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** 'YYYY-MM-DDTHH:MM:SS[.mmm]Z' without a regular expression; undefined for any other shape. */
function parseCanonicalInstant(text: string): number | undefined {
  const length = text.length;
  if ((length !== 20 && length !== 24) || text.charCodeAt(length - 1) !== 90 /* Z */) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || (text[10] !== 'T' && text[10] !== ' ') || text[13] !== ':' || text[16] !== ':') return undefined;
  const century = digits2(text, 0);
  const yy = digits2(text, 2);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  const hour = digits2(text, 11);
  const minute = digits2(text, 14);
  const second = digits2(text, 17);
  if (century < 0 || yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let millis = 0;
  if (length === 24) {
    if (text[19] !== '.') return undefined;
    const hundreds = text.charCodeAt(20) - CHAR_0;
    const rest = digits2(text, 21);
    if (hundreds < 0 || hundreds > 9 || rest < 0) return undefined;
    millis = hundreds * 100 + rest;
  }
  const year = century * 100 + yy;
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/**
 * Epoch milliseconds of an ISO date-time ('2024-03-01T23:30:00Z', '2024-03-01 23:30:00',
 * '…+01:00'), or undefined when malformed. Digits past the millisecond are dropped.
 */
export function parseInstant(text: string): number | undefined {
  const fast = parseCanonicalInstant(text);
  if (fast !== undefined) return Number.isNaN(fast) ? undefined : fast;
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number, number];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (m[8] !== undefined && m[8] !== 'Z') {
    const parsed = parseOffsetMinutes(m[8]);
    if (parsed === undefined) return undefined;
    offset = parsed;
  }
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offset * MS_PER_MINUTE;
}

/** True for a real calendar day written 'YYYY-MM-DD'. */
export function isCalendarDay(text: string): boolean {
  const m = DAY.exec(text);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** The day number (days since 1970-01-01) an instant falls on at a UTC offset of `offsetMinutes`. */
export function localDayNumber(epochMs: number, offsetMinutes: number): number {
  return Math.floor((epochMs + offsetMinutes * MS_PER_MINUTE) / MS_PER_DAY);
}

/** The calendar day ('YYYY-MM-DD') an instant falls on at a UTC offset of `offsetMinutes`. */
export function localDay(epochMs: number, offsetMinutes: number): string {
  return formatDayNumber(localDayNumber(epochMs, offsetMinutes));
}
