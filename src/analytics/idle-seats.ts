/**
 * Idle seats (`GET /analytics/v1/teams/:t/idle-seats?days=N`): subscription seats whose user has
 * not used the product (any version, any source) in the last N days up to `asOf`, or never.
 */
import { dayNumber, formatDay } from './calendar.js';

export interface SeatSubscription {
  readonly id: string;
  readonly offeringType: string;
  readonly term: string;
  readonly status: string;
  readonly endDate: string;
  readonly renewalDate: string | null;
}

/** One seat: a user assigned to a subscription of a product, and when they last used it. */
export interface SeatAssignment {
  readonly productLineCode: string;
  readonly productName: string;
  readonly userId: string;
  readonly userName: string;
  readonly subscription: SeatSubscription;
  /** The user's last day of use of the product up to asOf (any version, any source); null: never. */
  readonly lastUseDate: string | null;
}

export interface IdleSeatsInput {
  /** The last day counted (usually today). */
  readonly asOf: string;
  /** The window: a seat is idle without use on any of the last `days` days up to asOf. */
  readonly days: number;
  /** Every seat of the team. */
  readonly seats: readonly SeatAssignment[];
}

export interface IdleSeat extends SeatAssignment {
  /** Days from the last use to asOf; null: never used. */
  readonly daysSinceLastUse: number | null;
}

export interface IdleSeatsAnswer {
  readonly asOf: string;
  readonly days: number;
  /** The first day of the window: asOf − days + 1. */
  readonly since: string;
  /** Never-used seats first, then the longest idle; then by product and user. */
  readonly seats: readonly IdleSeat[];
  readonly products: readonly {
    readonly productLineCode: string;
    readonly productName: string;
    readonly assignedSeats: number;
    readonly idleSeats: number;
  }[];
  readonly totals: { readonly assignedSeats: number; readonly idleSeats: number };
}

export function findIdleSeats(input: IdleSeatsInput): IdleSeatsAnswer {
  if (!Number.isInteger(input.days) || input.days < 1) throw new RangeError(`days must be a whole number of at least 1, got ${input.days}`);
  const asOf = dayNumber(input.asOf);
  const since = asOf - input.days + 1;
  const idle: IdleSeat[] = [];
  const products = new Map<string, { productLineCode: string; productName: string; assignedSeats: number; idleSeats: number }>();
  for (const seat of input.seats) {
    const last = seat.lastUseDate === null ? null : dayNumber(seat.lastUseDate);
    if (last !== null && last > asOf) throw new RangeError(`Seat of ${seat.userId} for ${seat.productLineCode} was last used after asOf`);
    const product = products.get(seat.productLineCode)
      ?? { productLineCode: seat.productLineCode, productName: seat.productName, assignedSeats: 0, idleSeats: 0 };
    product.assignedSeats++;
    if (last === null || last < since) {
      product.idleSeats++;
      idle.push({ ...seat, daysSinceLastUse: last === null ? null : asOf - last });
    }
    products.set(seat.productLineCode, product);
  }
  idle.sort((a, b) => (b.daysSinceLastUse ?? Infinity) - (a.daysSinceLastUse ?? Infinity)
    || compare(a.productLineCode, b.productLineCode) || compare(a.userName, b.userName) || compare(a.subscription.id, b.subscription.id));
  const list = [...products.values()].sort((a, b) => compare(a.productLineCode, b.productLineCode));
  return {
    asOf: input.asOf,
    days: input.days,
    since: formatDay(since),
    seats: idle,
    products: list,
    totals: { assignedSeats: input.seats.length, idleSeats: idle.length },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
