import { api, must } from '../../api/client';
import { quote, recordsOf, runTokenflexQuery, type Cell } from '../../api/queries';
import { daysOf, weekOf, whereRange, type DateRange } from '../../ui/date-range';
import type { Series } from '../../ui/charts';

export const USAGE_CATEGORIES = ['DESKTOP_PRODUCT', 'CLOUD_PRODUCT', 'CLOUD_SERVICE', 'MANUAL_ADJUSTMENT', 'MANUAL_CONSUMPTION'] as const;
export const CHARGE_CATEGORIES = ['CHARGED', 'INCREMENTAL', 'FREE', 'CASUAL'] as const;

export interface ContractYear {
  readonly year: number; readonly startDate: string; readonly endDate: string;
  readonly provisionedTokens: number; readonly consumedTokens: number; readonly remainingTokens: number;
  readonly multiyearTokensAtStart: number; readonly multiyearConsumedTokens: number;
}

export interface Balance {
  readonly year: ContractYear | undefined;
  readonly multiyearProvisioned: number;
  readonly multiyearConsumed: number;
  readonly multiyearRemaining: number;
}

/**
 * The balance tiles: the contract year that holds the range's last day (else the latest that
 * started before it, else the first), and the multi-year pool over every year so far.
 */
export async function loadBalance(contractNumber: string, range: DateRange): Promise<Balance> {
  const detail = await must(api.GET('/tokenflex/v1/contract/{contract_number}', { params: { path: { contract_number: contractNumber } } }));
  const years = (detail.contractYears ?? []) as unknown as ContractYear[];
  const year = years.find((y) => y.startDate <= range.to && range.to <= y.endDate)
    ?? [...years].reverse().find((y) => y.startDate <= range.to) ?? years[0];
  const multiyearConsumed = years.reduce((sum, y) => sum + (y.multiyearConsumedTokens ?? 0), 0);
  const multiyearProvisioned = detail.multiyearProvisionedTokens ?? 0;
  return { year, multiyearProvisioned, multiyearConsumed, multiyearRemaining: multiyearProvisioned - multiyearConsumed };
}

/** Tokens by day and usage category over the range: one series per category that has any. */
export async function loadDaily(contractNumber: string, range: DateRange, extraWhere?: string): Promise<{ days: string[]; series: Series[]; total: number }> {
  const result = await runTokenflexQuery(contractNumber, {
    fields: ['usageDate', 'usageCategory'], metrics: ['tokensConsumed'],
    where: `${whereRange(range)}${extraWhere ? ` and ${extraWhere}` : ''}`,
  });
  const days = daysOf(range);
  const index = new Map(days.map((day, i) => [day, i]));
  const byCategory = new Map<string, number[]>();
  let total = 0;
  for (const row of recordsOf(result)) {
    const category = String(row.usageCategory);
    const values = byCategory.get(category) ?? days.map(() => 0);
    byCategory.set(category, values);
    const i = index.get(String(row.usageDate));
    const tokens = Number(row.tokensConsumed ?? 0);
    if (i !== undefined) values[i] = (values[i] ?? 0) + tokens;
    total += tokens;
  }
  const order = [...USAGE_CATEGORIES, ...[...byCategory.keys()].filter((c) => !(USAGE_CATEGORIES as readonly string[]).includes(c))];
  const series = order.filter((c) => byCategory.has(c)).map((c) => ({ label: c, values: byCategory.get(c)! }));
  return { days, series, total };
}

export async function loadByProduct(contractNumber: string, range: DateRange) {
  const result = await runTokenflexQuery(contractNumber, { fields: ['productName'], metrics: ['tokensConsumed', 'uniqueUsers', 'usageHours'], where: whereRange(range) });
  return recordsOf(result).sort((a, b) => Number(b.tokensConsumed) - Number(a.tokensConsumed));
}

export async function loadProductUsers(contractNumber: string, range: DateRange, product: string) {
  const result = await runTokenflexQuery(contractNumber, {
    fields: ['userName'], metrics: ['tokensConsumed', 'usageHours'], where: `${whereRange(range)} and productName = ${quote(product)}`,
  });
  return recordsOf(result);
}

export async function loadByUser(contractNumber: string, range: DateRange) {
  const result = await runTokenflexQuery(contractNumber, { fields: ['userName'], metrics: ['tokensConsumed', 'uniqueProducts', 'usageHours'], where: whereRange(range) });
  return recordsOf(result);
}

/** A user's products, and the days they used anything in each ISO week of the range. */
export async function loadUserDetail(contractNumber: string, range: DateRange, user: string) {
  const where = `${whereRange(range)} and userName = ${quote(user)}`;
  const [products, days] = await Promise.all([
    runTokenflexQuery(contractNumber, { fields: ['productName'], metrics: ['tokensConsumed', 'usageHours'], where }),
    runTokenflexQuery(contractNumber, { fields: ['usageDate'], metrics: ['tokensConsumed'], where }),
  ]);
  const weeks = new Map<string, number>();
  for (const day of daysOf(range)) weeks.set(weekOf(day), weeks.get(weekOf(day)) ?? 0);
  for (const row of recordsOf(days)) {
    const week = weekOf(String(row.usageDate));
    weeks.set(week, (weeks.get(week) ?? 0) + 1);
  }
  return { products: recordsOf(products), weeks: [...weeks.entries()].map(([week, count]) => ({ week, days: count })) };
}

export async function loadCharges(contractNumber: string, range: DateRange) {
  const result = await runTokenflexQuery(contractNumber, { fields: ['chargeCategory'], metrics: ['tokensConsumed', 'useCount'], where: whereRange(range) });
  return recordsOf(result) as Record<string, Cell>[];
}
