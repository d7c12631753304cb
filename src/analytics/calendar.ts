/**
 * Calendar days as whole numbers (days since 1970-01-01), so the models count days with integer
 * arithmetic and never meet a time zone: every date here is a calendar day, 'YYYY-MM-DD'.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Day number of 'YYYY-MM-DD'; throws on anything else, including 2025-02-30. */
export function dayNumber(date: string): number {
  const m = DAY.exec(date);
  if (m === null) throw new RangeError(`Not a calendar day (YYYY-MM-DD): ${JSON.stringify(date)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const day = ms / MS_PER_DAY;
  if (formatDay(day) !== date) throw new RangeError(`No such calendar day: ${date}`);
  return day;
}

/** 'YYYY-MM-DD' of a day number. */
export function formatDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Day of the week, Monday 0 … Sunday 6 (1970-01-01, day 0, was a Thursday). */
export function weekdayOf(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** 'YYYY-MM' of a day number. */
export function monthOf(day: number): string {
  return formatDay(day).slice(0, 7);
}

/** Days in the calendar month 'YYYY-MM'. */
export function daysInMonth(month: string): number {
  const year = Number(month.slice(0, 4));
  const index = Number(month.slice(5, 7));
  return new Date(Date.UTC(year, index, 0)).getUTCDate();
}
