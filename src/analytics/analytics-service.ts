/**
 * The four answers of `/analytics/v1` (issue 17) from the store: each reads what it needs through
 * the narrow AnalyticsStore calls and hands it to the domain code beside it. Tenancy is the
 * caller's (the route checks it first); parameters arrive checked for shape, and what only the
 * data can refuse (a contract year that does not exist) is refused here, naming the parameter.
 */
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { dayNumber, formatDay } from './calendar.js';
import { topPeriods, type ConcurrencyGranularity, type ConcurrencyPeriod } from './concurrency.js';
import type { TokenForecast } from './forecast-types.js';
import { findIdleSeats, type IdleSeatsAnswer } from './idle-seats.js';
import { adviseSeats, type AdviceProduct, type SeatAdvice, type UserProductUsage } from './seat-advice.js';
import { forecastTokens, MAX_HISTORY_DAYS } from './token-forecast.js';

/** Today's calendar day (UTC) of an instant. */
export function dayOf(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function invalidParameter(name: string, message: string): AppError {
  const path = `querystring/${name}`;
  return new AppError('REQUEST_INVALID', `${path} ${message}`, { errors: [{ path, message }] });
}

function checkDay(name: string, value: string): number {
  try {
    return dayNumber(value);
  } catch {
    throw invalidParameter(name, `must be a calendar day (YYYY-MM-DD), got "${value}".`);
  }
}

/**
 * The forecast of a contract year (default: the year holding today, else the latest year begun, else
 * the first). Complete days only: usage up to yesterday, or to the year's end for a past year.
 */
export async function contractForecast(store: Store, contractNumber: string, options: { readonly contractYear?: number | undefined; readonly now: Date }): Promise<TokenForecast> {
  // The contract's definition (no usage sums): the one scan of its records is the daily one below.
  const contract = await store.findContract(contractNumber);
  if (!contract) throw new AppError('NOT_FOUND', `No contract ${contractNumber} exists.`);
  const today = dayOf(options.now);
  const years = contract.contractYears;
  if (years.length === 0) throw new AppError('NOT_FOUND', `Contract ${contractNumber} has no contract years.`);
  let year = options.contractYear === undefined
    ? years.find((y) => y.startDate <= today && today <= y.endDate) ?? [...years].reverse().find((y) => y.startDate <= today) ?? years[0]!
    : years.find((y) => y.year === options.contractYear);
  if (!year) {
    throw invalidParameter('contractYear', `names no year of contract ${contractNumber} (it has ${years.map((y) => y.year).join(', ')}).`);
  }
  year = { ...year };
  const yesterday = formatDay(dayNumber(today) - 1);
  const asOf = yesterday < year.endDate ? yesterday : year.endDate;
  // From the contract's first day, so the same read also sums what every year drew from the
  // multi-year pool; the model learns from the last MAX_HISTORY_DAYS of it.
  const historyFrom = formatDay(dayNumber(asOf) - MAX_HISTORY_DAYS + 1);
  const all = await store.listDailyTokens(contractNumber, contract.contractStartDate < historyFrom ? contract.contractStartDate : historyFrom, asOf);
  const days = all.filter((d) => d.date >= historyFrom);
  const multiyearPool = contract.multiyearProvisionedTokens > 0
    ? { provisionedTokens: contract.multiyearProvisionedTokens, usedTokens: all.reduce((sum, d) => sum + d.multiyearTokens, 0) }
    : null;
  return forecastTokens({
    asOf,
    contractYear: { year: year.year, startDate: year.startDate, endDate: year.endDate, provisionedTokens: year.provisionedTokens },
    days,
    multiyearPool,
  });
}

/** Longest advice period: three years. */
const MAX_ADVICE_DAYS = 3 * 366;

/** Seat-or-Flex advice over [from, to] (default: the 12 months up to yesterday). */
export async function contractAdvice(
  store: Store, contractNumber: string, options: { readonly from?: string | undefined; readonly to?: string | undefined; readonly now: Date },
): Promise<SeatAdvice> {
  const yesterday = dayNumber(dayOf(options.now)) - 1;
  const to = options.to === undefined ? yesterday : checkDay('to', options.to);
  const from = options.from === undefined ? lastTwelveMonthsFrom(to) : checkDay('from', options.from);
  if (to < from) throw invalidParameter('to', `(${formatDay(to)}) is before from (${formatDay(from)}).`);
  if (to - from + 1 > MAX_ADVICE_DAYS) throw invalidParameter('from', `makes a period of ${to - from + 1} days; at most ${MAX_ADVICE_DAYS}.`);
  const [fromDay, toDay] = [formatDay(from), formatDay(to)];

  const [months, seats] = await Promise.all([
    store.listUserProductMonths(contractNumber, fromDay, toDay),
    store.listSeatHolders({ contractNumber }, toDay),
  ]);
  const usage = new Map<string, { userId: string; userName: string; productLineCode: string; holdsSeat: boolean; daysByMonth: { month: string; days: number }[]; flexTokens: number }>();
  const names = new Map<string, string>();
  const entry = (userId: string, userName: string, productLineCode: string) => {
    const key = `${userId}\u0000${productLineCode}`;
    let row = usage.get(key);
    if (!row) usage.set(key, row = { userId, userName, productLineCode, holdsSeat: false, daysByMonth: [], flexTokens: 0 });
    return row;
  };
  // Use through a collection seat is left out: that seat covers several products, and its price
  // cannot be weighed against one product's daily rate.
  const viaCollection = new Set(months.filter((m) => m.throughCollection).map((m) => `${m.userId}\u0000${m.productLineCode}`));
  for (const m of months) {
    if (viaCollection.has(`${m.userId}\u0000${m.productLineCode}`)) continue;
    const row = entry(m.userId, m.userName, m.productLineCode);
    row.daysByMonth.push({ month: m.month, days: m.days });
    row.flexTokens += m.flexTokens;
  }
  for (const seat of seats) {
    entry(seat.userId, seat.userName, seat.productLineCode).holdsSeat = true;
    names.set(seat.productLineCode, seat.productName);
  }
  const codes = [...new Set([...usage.values()].map((u) => u.productLineCode))].sort();
  const rates = new Map((await store.listProductLineRates(codes)).map((r) => [r.productLineCode, r]));
  const products: AdviceProduct[] = codes.map((code) => {
    const rate = rates.get(code);
    return {
      productLineCode: code, productName: rate?.productName ?? names.get(code) ?? code,
      dailyTokenRate: rate?.dailyTokenRate ?? null,
      // A price of 0 says nothing about a seat's worth: treated as not set.
      seatTokensPerYear: rate?.seatTokensPerYear ? rate.seatTokensPerYear : null,
    };
  });
  return adviseSeats({ from: fromDay, to: toDay, products, usage: [...usage.values()] as UserProductUsage[] });
}

/** The first day of the 12 calendar months that end on `to` (2025-06-30 → 2024-07-01; 2025-06-15 → 2024-06-16). */
function lastTwelveMonthsFrom(to: number): number {
  const [y, m, d] = formatDay(to + 1).split('-').map(Number) as [number, number, number];
  return dayNumber(`${y - 1}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`.replace(/-02-29$/, '-03-01'));
}

/** Seats of a team's active subscriptions without use in the last `days` days up to today. */
export async function teamIdleSeats(store: Store, teamId: string, options: { readonly days: number; readonly now: Date }): Promise<IdleSeatsAnswer> {
  const asOf = dayOf(options.now);
  const seats = await store.listSeatHolders({ teamId }, asOf);
  return findIdleSeats({
    asOf,
    days: options.days,
    seats: seats.map((s) => ({
      productLineCode: s.productLineCode, productName: s.productName, userId: s.userId, userName: s.userName,
      subscription: { id: s.subscriptionId, offeringType: s.offeringType, term: s.term, status: s.status, endDate: s.endDate, renewalDate: s.renewalDate },
      lastUseDate: s.lastUseDate,
    })),
  });
}

/** A product in a period: its sessions' peak, and the checkouts its licence servers refused. */
export interface ConcurrencyAnswerPeriod extends ConcurrencyPeriod {
  /** Denials (FlexNet `DENIED:` lines) in the period; a period with denials and no session has a peak of 0. */
  readonly denials: number;
}

export interface ConcurrencyAnswer {
  readonly contractNumber: string;
  readonly productLineCode: string | null;
  readonly from: string;
  readonly to: string;
  readonly granularity: ConcurrencyGranularity;
  /** Per product: its busiest period (the first on a tie). */
  readonly products: readonly ConcurrencyAnswerPeriod[];
  /** The `top` busiest periods over every product. */
  readonly top: readonly ConcurrencyAnswerPeriod[];
  /** Every period with a session running or a denial, by product and period. */
  readonly periods: readonly ConcurrencyAnswerPeriod[];
}

/** The longest range per granularity: a year of hours would be 8,760 periods per product. */
export const MAX_CONCURRENCY_DAYS: Readonly<Record<ConcurrencyGranularity, number>> = Object.freeze({ hour: 92, day: 732 });

/** Peak concurrent desktop sessions per product and period over [from, to] (default: the last 30 days up to today). */
export async function contractConcurrency(store: Store, contractNumber: string, options: {
  readonly productLineCode?: string | undefined; readonly from?: string | undefined; readonly to?: string | undefined;
  readonly granularity: ConcurrencyGranularity; readonly top: number; readonly now: Date;
}): Promise<ConcurrencyAnswer> {
  const to = options.to === undefined ? dayNumber(dayOf(options.now)) : checkDay('to', options.to);
  const from = options.from === undefined ? to - 29 : checkDay('from', options.from);
  if (to < from) throw invalidParameter('to', `(${formatDay(to)}) is before from (${formatDay(from)}).`);
  const limit = MAX_CONCURRENCY_DAYS[options.granularity];
  if (to - from + 1 > limit) {
    throw invalidParameter('from', `makes a range of ${to - from + 1} days; granularity=${options.granularity} allows at most ${limit}.`);
  }
  const request = {
    from: from * 86_400_000, to: (to + 1) * 86_400_000, unit: options.granularity, productLineCode: options.productLineCode ?? null,
  } as const;
  const [rows, denialRows] = await Promise.all([store.listConcurrency(contractNumber, request), store.listDenialCounts(contractNumber, request)]);
  // One object per period, built once: an hour-by-hour month has some 20,000 of them.
  const periods: ConcurrencyAnswerPeriod[] = [];
  const denials = new Map(denialRows.map((d) => [periodKey(d.productLineCode, d.periodStart), d.denials]));
  for (const r of rows) {
    periods.push({
      productLineCode: r.productLineCode, periodStart: isoMinute(r.periodStart), peakSessions: r.peakSessions,
      peakAt: isoMinute(r.peakAt), distinctUsers: r.distinctUsers,
      denials: denials.size === 0 ? 0 : denials.get(periodKey(r.productLineCode, r.periodStart)) ?? 0,
    });
  }
  let ordered = isInPeriodOrder(periods);
  if (denials.size > 0) {
    const withSessions = new Set(rows.map((r) => periodKey(r.productLineCode, r.periodStart)));
    for (const d of denialRows) {
      if (withSessions.has(periodKey(d.productLineCode, d.periodStart))) continue;
      const start = isoMinute(d.periodStart);
      periods.push({ productLineCode: d.productLineCode, periodStart: start, peakSessions: 0, peakAt: start, distinctUsers: 0, denials: d.denials });
      ordered = false;
    }
  }
  // The store lists them by product and period already (checked: a backend's collation could order
  // product codes otherwise than JavaScript does); denial-only periods are put in their place.
  if (!ordered) periods.sort(inPeriodOrder);
  const products: ConcurrencyAnswerPeriod[] = [];
  for (let i = 0; i < periods.length;) {
    let j = i + 1;
    while (j < periods.length && periods[j]!.productLineCode === periods[i]!.productLineCode) j++;
    products.push(topPeriods(periods.slice(i, j), 1)[0]!);
    i = j;
  }
  return {
    contractNumber,
    productLineCode: options.productLineCode ?? null,
    from: formatDay(from),
    to: formatDay(to),
    granularity: options.granularity,
    products,
    top: topPeriods(periods, options.top),
    periods,
  };
}

function periodKey(productLineCode: string, periodStart: number): string {
  return `${productLineCode}\u0000${periodStart}`;
}

function inPeriodOrder(a: ConcurrencyAnswerPeriod, b: ConcurrencyAnswerPeriod): number {
  return a.productLineCode < b.productLineCode ? -1 : a.productLineCode > b.productLineCode ? 1
    : a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : 0;
}

function isInPeriodOrder(periods: readonly ConcurrencyAnswerPeriod[]): boolean {
  for (let i = 1; i < periods.length; i++) if (inPeriodOrder(periods[i - 1]!, periods[i]!) > 0) return false;
  return true;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** 'YYYY-MM-DD' of the days met so far (an answer's periods fall on a few dozen days). */
const dayPrefixes = new Map<number, string>();

/**
 * `new Date(ms).toISOString()` of a whole minute, from its day's text and the time of day: the
 * answer has two instants per period, and formatting each through a Date was most of its time.
 */
function isoMinute(ms: number): string {
  if (ms % MINUTE_MS !== 0 || ms < 0 || ms >= 253_402_300_800_000) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= 10_000) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const minutes = (ms - day * DAY_MS) / MINUTE_MS;
  const hours = Math.floor(minutes / 60);
  const minute = minutes - hours * 60;
  return `${prefix}${hours < 10 ? '0' : ''}${hours}:${minute < 10 ? '0' : ''}${minute}:00.000Z`;
}
