/**
 * Time parsing for the rating, by hand rather than with `Date.parse`: `Date.parse` reads a
 * date-time without a zone as the *machine's* local time, which would make the rating depend on
 * where it runs. Here a missing zone means UTC (how DuckDB prints a `timestamp`), always.
 */

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_MINUTE = 60_000;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function validDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
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

/**
 * Epoch milliseconds of an ISO date-time ('2024-03-01T23:30:00Z', '2024-03-01 23:30:00',
 * '…+01:00'), or undefined when malformed. Digits past the millisecond are dropped.
 */
export function parseInstant(text: string): number | undefined {
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
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * MS_PER_MINUTE;
}

/** True for a real calendar day written 'YYYY-MM-DD'. */
export function isCalendarDay(text: string): boolean {
  const m = DAY.exec(text);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** The calendar day ('YYYY-MM-DD') an instant falls on at a UTC offset of `offsetMinutes`. */
export function localDay(epochMs: number, offsetMinutes: number): string {
  return new Date(epochMs + offsetMinutes * MS_PER_MINUTE).toISOString().slice(0, 10);
}
