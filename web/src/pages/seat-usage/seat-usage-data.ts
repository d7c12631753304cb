import { api, must } from '../../api/client';
import { recordsOf, runInsightsQuery, type Cell } from '../../api/queries';
import { whereRange, type DateRange } from '../../ui/date-range';

export interface SeatSummary {
  readonly users: number;
  readonly products: number;
  readonly seats: number;
  readonly assignedSeats: number;
}

export interface TeamSubscription {
  readonly productLineCode: string; readonly productName: string; readonly quantity: number; readonly assignedSeats: number; readonly status: string;
  readonly offeringType?: string;
}

/** Seats are what active subscriptions of products hold; a Flex subscription's quantity is tokens, not seats. */
export function isSeat(subscription: TeamSubscription): boolean {
  return subscription.status === 'Active' && subscription.offeringType !== 'Flex';
}

export function loadSubscriptions(team: string): Promise<TeamSubscription[]> {
  return must(api.GET('/insights/v1/contexts/{contextId}/subscriptions', { params: { path: { contextId: team } } })) as Promise<TeamSubscription[]>;
}

/** The tiles: users and products with usage in the range (Insights), seats bought and assigned (active subscriptions). */
export async function loadSeatSummary(team: string, range: DateRange): Promise<SeatSummary> {
  const [usage, subscriptions] = await Promise.all([
    runInsightsQuery({ contextId: team, fields: [], metrics: ['uniqueUsers', 'uniqueProducts'], where: whereRange(range) }),
    loadSubscriptions(team),
  ]);
  const [row] = recordsOf(usage);
  const active = subscriptions.filter(isSeat);
  return {
    users: Number(row?.uniqueUsers ?? 0), products: Number(row?.uniqueProducts ?? 0),
    seats: active.reduce((sum, s) => sum + s.quantity, 0), assignedSeats: active.reduce((sum, s) => sum + s.assignedSeats, 0),
  };
}

/** How often a product's users used it in the range: users by days of use. */
export const FREQUENCY_BUCKETS = [[1, 1], [2, 5], [6, 10], [11, 20], [21, Infinity]] as const;

export async function loadByProduct(team: string, range: DateRange) {
  const where = whereRange(range);
  const [products, perUser, versions, subscriptions] = await Promise.all([
    runInsightsQuery({ contextId: team, fields: ['productLineCode', 'productName'], metrics: ['uniqueUsers', 'totalUniqueDays'], where }),
    runInsightsQuery({ contextId: team, fields: ['productLineCode', 'userId'], metrics: ['totalUniqueDays'], where }),
    runInsightsQuery({ contextId: team, fields: ['productLineCode', 'version'], metrics: ['uniqueUsers'], where }),
    loadSubscriptions(team),
  ]);
  const seats = new Map<string, { quantity: number; assigned: number }>();
  for (const s of subscriptions.filter(isSeat)) {
    const entry = seats.get(s.productLineCode) ?? { quantity: 0, assigned: 0 };
    entry.quantity += s.quantity;
    entry.assigned += s.assignedSeats;
    seats.set(s.productLineCode, entry);
  }
  const frequency = new Map<string, number[]>();
  for (const row of recordsOf(perUser)) {
    const code = String(row.productLineCode);
    const counts = frequency.get(code) ?? FREQUENCY_BUCKETS.map(() => 0);
    const days = Number(row.totalUniqueDays);
    const bucket = FREQUENCY_BUCKETS.findIndex(([low, high]) => days >= low && days <= high);
    if (bucket >= 0) counts[bucket]! += 1;
    frequency.set(code, counts);
  }
  const versionsOf = new Map<string, { version: string; users: number }[]>();
  for (const row of recordsOf(versions)) {
    const code = String(row.productLineCode);
    versionsOf.set(code, [...(versionsOf.get(code) ?? []), { version: String(row.version ?? '–'), users: Number(row.uniqueUsers) }]);
  }
  const rows: Record<string, Cell>[] = recordsOf(products).map((row) => ({
    ...row, seats: seats.get(String(row.productLineCode))?.quantity ?? null, assignedSeats: seats.get(String(row.productLineCode))?.assigned ?? null,
  }));
  rows.sort((a, b) => Number(b.uniqueUsers) - Number(a.uniqueUsers));
  return { rows, frequency, versionsOf };
}

export async function loadByUser(team: string, range: DateRange) {
  const result = await runInsightsQuery({
    contextId: team, fields: ['userId', 'userName', 'fullName'], metrics: ['uniqueProducts', 'totalUniqueDays', 'latestUsageDate'], where: whereRange(range),
  });
  return recordsOf(result);
}

export async function loadUserProducts(team: string, range: DateRange, userId: string) {
  const result = await runInsightsQuery({
    contextId: team, fields: ['productName', 'version'], metrics: ['totalUniqueDays', 'latestUsageDate'],
    where: `${whereRange(range)} and userId = '${userId.replace(/'/g, "''")}'`,
  });
  return recordsOf(result);
}
