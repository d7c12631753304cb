/**
 * The licence analytics cases of `npm run bench` (issue 17): each `/analytics/v1` endpoint over
 * HTTP on a real socket, beside its own core SQL run raw on the same database in the same run:
 * the statements the store runs for it, with the same values, in the same steps: those the store
 * runs side by side (advice's first two, concurrency's two) side by side on two connections, the
 * steps one after the other (run one after the other, the baseline would be their sum where the
 * endpoint waits only for the longer). Not in it: the lookups every answer makes first (the
 * token's user and tenancy, the contract's definition and years, the personal-data setting). The target:
 * each endpoint within 1.5× of its raw SQL, the forecast under 300 ms on DuckDB (at 10,000,000
 * records); PostgreSQL's figures are reported.
 *
 * The endpoints are asked about the end of the demo window (the bench's seed ends on 2026-10-31),
 * so each has data to work on whatever today is.
 */
import type { Store } from '../src/store/index.js';
import {
  concurrencyStatement, dailyTokensStatement, denialCountsStatement, productLineRatesStatement, seatHoldersStatement, userProductMonthsStatement,
  type AnalyticsStatement,
} from '../src/store/index.js';

export interface AnalyticsBenchCase {
  readonly name: string;
  /** Path and query of the endpoint. */
  readonly path: string;
  /** The core SQL: what the store runs for the answer, in steps; a step's statements run side by side. */
  readonly steps: readonly (readonly AnalyticsStatement[])[];
}

/** The last day of the bench's demo window: the answers look at the year and months before it. */
export const LAST_DAY = '2026-10-31';

/** The first day of the advice case's period: the 12 months up to LAST_DAY. */
export const ADVICE_FROM = '2025-11-01';

/**
 * The product lines whose rates the advice reads (its third statement, which needs the first two's
 * answer): those of the contract's users and seats in the period, as the store lists them.
 */
export async function adviceProductLines(store: Store, contract: string): Promise<string[]> {
  const [months, seats] = await Promise.all([
    store.listUserProductMonths(contract, ADVICE_FROM, LAST_DAY), store.listSeatHolders({ contractNumber: contract }, LAST_DAY),
  ]);
  return [...new Set([...months, ...seats].map((row) => row.productLineCode))].sort();
}

export function analyticsBenchCases(
  dialect: 'duckdb' | 'postgres', contract: string, team: string, year: { number: number; startDate: string; contractStartDate: string },
  productLines: readonly string[],
): AnalyticsBenchCase[] {
  const day = (offset: number) => new Date(Date.parse(`${LAST_DAY}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  const concurrency = {
    from: Date.parse(`${day(-30)}T00:00:00Z`), to: Date.parse(`${LAST_DAY}T00:00:00Z`) + 86_400_000, unit: 'hour', productLineCode: null,
  } as const;
  return [
    {
      name: 'analytics forecast',
      path: `/analytics/v1/contracts/${contract}/forecast?contractYear=${year.number}`,
      // The forecast reads the daily sums from the contract's first day (or two years back).
      steps: [[dailyTokensStatement(dialect, contract, year.contractStartDate < day(-729) ? year.contractStartDate : day(-729), LAST_DAY)]],
    },
    {
      name: 'analytics advice',
      path: `/analytics/v1/contracts/${contract}/advice?from=${ADVICE_FROM}&to=${LAST_DAY}`,
      steps: [
        [userProductMonthsStatement(dialect, contract, ADVICE_FROM, LAST_DAY), seatHoldersStatement(dialect, { contractNumber: contract }, LAST_DAY)],
        [productLineRatesStatement(productLines)],
      ],
    },
    {
      name: 'analytics idle seats',
      path: `/analytics/v1/teams/${team}/idle-seats?days=30`,
      steps: [[seatHoldersStatement(dialect, { teamId: team }, LAST_DAY)]],
    },
    {
      name: 'analytics concurrency (hour)',
      path: `/analytics/v1/contracts/${contract}/concurrency?from=${day(-30)}&to=${LAST_DAY}&granularity=hour`,
      steps: [[concurrencyStatement(contract, concurrency), denialCountsStatement(contract, concurrency)]],
    },
  ];
}

/** Runs a case's steps one after the other, a step's statements side by side, each on a connection of its own. */
export async function runSteps(
  connections: readonly ((sql: string, values: unknown[]) => Promise<unknown>)[], steps: readonly (readonly AnalyticsStatement[])[],
): Promise<void> {
  for (const step of steps) {
    if (step.length > connections.length) throw new Error(`a step of ${step.length} statements needs as many connections, not ${connections.length}`);
    await Promise.all(step.map((statement, i) => connections[i]!(statement.sql, [...statement.values])));
  }
}

/** Connections runSteps needs for the cases: the most statements of one step. */
export function connectionsNeeded(cases: readonly AnalyticsBenchCase[]): number {
  return Math.max(1, ...cases.flatMap((c) => c.steps.map((step) => step.length)));
}
