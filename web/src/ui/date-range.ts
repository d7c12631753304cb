/** The presets of every page (issue 18): the past 30 days, 3, 6, 9 or 12 months, or a custom range. */
export const PRESETS = ['30d', '3m', '6m', '9m', '12m', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

export interface DateRange {
  readonly preset: Preset;
  /** Inclusive, `YYYY-MM-DD`. */
  readonly from: string;
  readonly to: string;
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return isoDay(date);
}

function addMonths(day: string, months: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return isoDay(date);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The range of a page from its URL parameters: a preset ends today (UTC) and starts the day after
 * the same day 30 days / N months earlier; a custom range is taken as given when it is well-formed
 * and at most 365 days long (the APIs' limit), else the 12 months preset.
 */
export function rangeOf(params: URLSearchParams, today = isoDay(new Date())): DateRange {
  const preset = (PRESETS as readonly string[]).includes(params.get('range') ?? '') ? params.get('range') as Preset : '12m';
  if (preset === 'custom') {
    const from = params.get('from') ?? '';
    const to = params.get('to') ?? '';
    if (DAY.test(from) && DAY.test(to) && from <= to && daysBetween(from, to) <= 365) return { preset, from, to };
    return rangeOf(new URLSearchParams({ range: '12m' }), today);
  }
  const from = preset === '30d' ? addDays(today, -29) : addDays(addMonths(today, -Number(preset.slice(0, -1))), 1);
  return { preset, from, to: today };
}

/** Days from `from` to `to`, both counted. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Every day of a range, in order. */
export function daysOf(range: { readonly from: string; readonly to: string }): string[] {
  const days: string[] = [];
  for (let day = range.from; day <= range.to; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The `where` clause of a range on a date field. */
export function whereRange(range: { readonly from: string; readonly to: string }, field = 'usageDate'): string {
  return `${field} >= '${range.from}' and ${field} <= '${range.to}'`;
}

/** Monday of the ISO week of a day. */
export function weekOf(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return addDays(day, -((date.getUTCDay() + 6) % 7));
}
