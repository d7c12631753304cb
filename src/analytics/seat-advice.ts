/**
 * Seat-or-Flex advice (`GET /analytics/v1/contracts/:c/advice`): for each user of a product, is a
 * subscription seat or Flex (a day's tokens per day of use) cheaper over a year? Pure arithmetic
 * over what the store counts; every figure it answers names the rate, the seat price and the days
 * it came from.
 */
import { dayNumber, daysInMonth, formatDay, monthOf } from './calendar.js';
import { round2, round4 } from './rounding.js';

export interface AdviceProduct {
  readonly productLineCode: string;
  readonly productName: string;
  /** Tokens one day of Flex use costs; null for a product without one (cloud products). */
  readonly dailyTokenRate: number | null;
  /** What a subscription seat of the product costs in tokens a year; null when not set. */
  readonly seatTokensPerYear: number | null;
}

/** One user's use of one product over the period. */
export interface UserProductUsage {
  readonly userId: string;
  readonly userName: string;
  readonly productLineCode: string;
  /** Whether the user holds a subscription seat of the product. */
  readonly holdsSeat: boolean;
  /** Days the user used the product (any version, any source), per calendar month 'YYYY-MM' of the period. */
  readonly daysByMonth: readonly { readonly month: string; readonly days: number }[];
  /** Flex tokens the user spent on the product in the period. */
  readonly flexTokens: number;
}

export interface AdviceInput {
  /** The period, first and last day inclusive (YYYY-MM-DD). */
  readonly from: string;
  readonly to: string;
  /** Every product that appears in `usage`. */
  readonly products: readonly AdviceProduct[];
  /** Every user with use of a product in the period, and every seat holder, even without use. */
  readonly usage: readonly UserProductUsage[];
}

export type AdviceAction = 'assign-seat' | 'move-to-flex';

export interface Recommendation {
  readonly action: AdviceAction;
  readonly userId: string;
  readonly userName: string;
  readonly productLineCode: string;
  readonly productName: string;
  readonly holdsSeat: boolean;
  /** Use days in the period, per month and in all. */
  readonly daysByMonth: readonly { readonly month: string; readonly days: number }[];
  readonly useDays: number;
  /** useDays × the period's annualisation factor. */
  readonly useDaysPerYear: number;
  readonly flexTokens: number;
  readonly dailyTokenRate: number;
  readonly seatTokensPerYear: number;
  /** seatTokensPerYear ÷ dailyTokenRate: the use days a year at which Flex costs as much as a seat. */
  readonly breakEvenDaysPerYear: number;
  /** dailyTokenRate × useDaysPerYear: what Flex costs, or would cost instead of the seat, a year. */
  readonly flexTokensPerYear: number;
  /** |flexTokensPerYear − seatTokensPerYear|: what following the advice saves a year. */
  readonly tokensSavedPerYear: number;
}

export interface ActionTotal {
  readonly users: number;
  readonly tokensSavedPerYear: number;
}

export interface ProductAdvice {
  readonly productLineCode: string;
  readonly productName: string;
  readonly dailyTokenRate: number;
  readonly seatTokensPerYear: number;
  readonly breakEvenDaysPerYear: number;
  /** Users evaluated, of whom seat holders and Flex users. */
  readonly users: number;
  readonly seatHolders: number;
  readonly flexUsers: number;
  readonly assignSeat: ActionTotal;
  readonly moveToFlex: ActionTotal;
  readonly tokensSavedPerYear: number;
}

export interface LeftOutProduct {
  readonly productLineCode: string;
  readonly productName: string;
  /** `no-seat-price`: seatTokensPerYear is not set; `no-daily-rate`: the product is not charged by the day. */
  readonly reason: 'no-seat-price' | 'no-daily-rate';
  readonly users: number;
}

export interface SeatAdvice {
  readonly period: {
    readonly from: string;
    readonly to: string;
    /** Calendar months the period covers; a month it covers in part counts by its share of days. */
    readonly months: number;
    /** 12 ÷ months: use days in the period × this = use days a year. */
    readonly annualisation: number;
  };
  /** Most tokens saved first. */
  readonly recommendations: readonly Recommendation[];
  readonly products: readonly ProductAdvice[];
  readonly leftOut: readonly LeftOutProduct[];
  readonly totals: { readonly assignSeat: ActionTotal; readonly moveToFlex: ActionTotal; readonly tokensSavedPerYear: number };
}

/**
 * Advises seat or Flex per user and product. A Flex user whose use days a year exceed the
 * break-even should get a seat (saving rate × days − seat price a year); a seat holder below it
 * should move to Flex (saving seat price − rate × days). At exactly the break-even both cost the
 * same and nothing is advised.
 */
export function adviseSeats(input: AdviceInput): SeatAdvice {
  const from = dayNumber(input.from);
  const to = dayNumber(input.to);
  if (to < from) throw new RangeError(`The period ends (${input.to}) before it starts (${input.from})`);
  const months = monthsCovered(from, to);
  const annualisation = 12 / months;

  const products = new Map<string, AdviceProduct>();
  for (const product of input.products) {
    if (products.has(product.productLineCode)) throw new RangeError(`Product ${product.productLineCode} is listed twice`);
    if (product.seatTokensPerYear !== null && !(product.seatTokensPerYear > 0)) {
      throw new RangeError(`Product ${product.productLineCode} has a seat price of ${product.seatTokensPerYear}; it must be above 0`);
    }
    products.set(product.productLineCode, product);
  }

  const seen = new Set<string>();
  const period = { first: monthOf(from), last: monthOf(to), lengths: new Map<string, number>() };
  const evaluated = new Map<string, { product: AdviceProduct; rows: UserProductUsage[] }>();
  const leftOut = new Map<string, { product: AdviceProduct; reason: LeftOutProduct['reason']; users: number }>();
  for (const row of input.usage) {
    const product = products.get(row.productLineCode);
    if (product === undefined) throw new RangeError(`Usage of ${row.productLineCode}, which is not among the products`);
    const key = `${row.userId}\u0000${row.productLineCode}`;
    if (seen.has(key)) throw new RangeError(`User ${row.userId} is listed twice for ${row.productLineCode}`);
    seen.add(key);
    checkMonths(row, period);
    const reason = product.dailyTokenRate === null || product.dailyTokenRate <= 0 ? 'no-daily-rate'
      : product.seatTokensPerYear === null ? 'no-seat-price' : null;
    if (reason !== null) {
      const entry = leftOut.get(product.productLineCode) ?? { product, reason, users: 0 };
      entry.users++;
      leftOut.set(product.productLineCode, entry);
    } else {
      const entry = evaluated.get(product.productLineCode) ?? { product, rows: [] };
      entry.rows.push(row);
      evaluated.set(product.productLineCode, entry);
    }
  }

  const recommendations: Recommendation[] = [];
  const productAdvice: ProductAdvice[] = [];
  for (const { product, rows } of [...evaluated.values()].sort((a, b) => compare(a.product.productLineCode, b.product.productLineCode))) {
    const rate = product.dailyTokenRate!;
    const seat = product.seatTokensPerYear!;
    const breakEven = seat / rate;
    const assign = { users: 0, tokensSavedPerYear: 0 };
    const move = { users: 0, tokensSavedPerYear: 0 };
    for (const row of rows) {
      const useDays = row.daysByMonth.reduce((sum, m) => sum + m.days, 0);
      const perYear = useDays * annualisation;
      const flexPerYear = rate * perYear;
      const action: AdviceAction | null = !row.holdsSeat && perYear > breakEven ? 'assign-seat'
        : row.holdsSeat && perYear < breakEven ? 'move-to-flex' : null;
      if (action === null) continue;
      const saved = Math.abs(flexPerYear - seat);
      const total = action === 'assign-seat' ? assign : move;
      total.users++;
      total.tokensSavedPerYear += saved;
      recommendations.push({
        action, userId: row.userId, userName: row.userName, productLineCode: product.productLineCode,
        productName: product.productName, holdsSeat: row.holdsSeat,
        daysByMonth: [...row.daysByMonth].sort((a, b) => compare(a.month, b.month)).map((m) => ({ month: m.month, days: m.days })),
        useDays, useDaysPerYear: round2(perYear), flexTokens: round2(row.flexTokens), dailyTokenRate: rate,
        seatTokensPerYear: seat, breakEvenDaysPerYear: round2(breakEven), flexTokensPerYear: round2(flexPerYear),
        tokensSavedPerYear: round2(saved),
      });
    }
    const seatHolders = rows.filter((r) => r.holdsSeat).length;
    productAdvice.push({
      productLineCode: product.productLineCode, productName: product.productName, dailyTokenRate: rate,
      seatTokensPerYear: seat, breakEvenDaysPerYear: round2(breakEven),
      users: rows.length, seatHolders, flexUsers: rows.length - seatHolders,
      assignSeat: roundTotal(assign), moveToFlex: roundTotal(move),
      tokensSavedPerYear: round2(assign.tokensSavedPerYear + move.tokensSavedPerYear),
    });
  }
  recommendations.sort((a, b) => b.tokensSavedPerYear - a.tokensSavedPerYear
    || compare(a.productLineCode, b.productLineCode) || compare(a.userName, b.userName) || compare(a.userId, b.userId));

  const sum = (pick: (p: ProductAdvice) => ActionTotal): ActionTotal => ({
    users: productAdvice.reduce((n, p) => n + pick(p).users, 0),
    tokensSavedPerYear: round2(productAdvice.reduce((n, p) => n + pick(p).tokensSavedPerYear, 0)),
  });
  const assignSeat = sum((p) => p.assignSeat);
  const moveToFlex = sum((p) => p.moveToFlex);
  return {
    period: { from: input.from, to: input.to, months: round4(months), annualisation: round4(annualisation) },
    recommendations,
    products: productAdvice,
    leftOut: [...leftOut.values()]
      .sort((a, b) => compare(a.product.productLineCode, b.product.productLineCode))
      .map(({ product, reason, users }) => ({ productLineCode: product.productLineCode, productName: product.productName, reason, users })),
    totals: { assignSeat, moveToFlex, tokensSavedPerYear: round2(assignSeat.tokensSavedPerYear + moveToFlex.tokensSavedPerYear) },
  };
}

/**
 * Calendar months from `from` to `to` (day numbers, inclusive): whole months count 1, a month the
 * period covers in part its share of days (1–15 April: 0.5). So any 12 whole months are exactly
 * a year, leap year or not.
 */
export function monthsCovered(from: number, to: number): number {
  let months = 0;
  let day = from;
  while (day <= to) {
    const month = monthOf(day);
    const length = daysInMonth(month);
    const monthEnd = day - Number(formatDay(day).slice(8, 10)) + length;
    const last = Math.min(monthEnd, to);
    months += (last - day + 1) / length;
    day = last + 1;
  }
  return months;
}

/** The period's first and last month, and the lengths of the months met so far (one Date each, not one per row). */
interface PeriodMonths {
  readonly first: string;
  readonly last: string;
  readonly lengths: Map<string, number>;
}

function checkMonths(row: UserProductUsage, { first, last, lengths }: PeriodMonths): void {
  const months = new Set<string>();
  for (const { month, days } of row.daysByMonth) {
    if (!/^\d{4}-\d{2}$/.test(month) || month < first || month > last) {
      throw new RangeError(`User ${row.userId}, ${row.productLineCode}: month ${month} is not in the period`);
    }
    if (months.has(month)) throw new RangeError(`User ${row.userId}, ${row.productLineCode}: month ${month} is listed twice`);
    months.add(month);
    let length = lengths.get(month);
    if (length === undefined) lengths.set(month, length = daysInMonth(month));
    if (!Number.isInteger(days) || days < 0 || days > length) {
      throw new RangeError(`User ${row.userId}, ${row.productLineCode}: ${days} use days in ${month}`);
    }
  }
}

function roundTotal(total: ActionTotal): ActionTotal {
  return { users: total.users, tokensSavedPerYear: round2(total.tokensSavedPerYear) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
