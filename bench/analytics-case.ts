/**
 * The licence analytics cases of `npm run bench` (issue 17): each `/analytics/v1` endpoint over
 * HTTP on a real socket, beside its own core SQL run raw on the same database in the same run:
 * the statements the store runs for it, with the same values, one after the other. The target:
 * each endpoint within 1.5× of its raw SQL, the forecast under 300 ms on DuckDB (at 10,000,000
 * records); PostgreSQL's figures are reported.
 *
 * The endpoints are asked about the end of the demo window (the bench's seed ends on 2026-10-31),
 * so each has data to work on whatever today is.
 */
import {
  concurrencyStatement, dailyTokensStatement, seatHoldersStatement, userProductMonthsStatement, type AnalyticsStatement,
} from '../src/store/index.js';

export interface AnalyticsBenchCase {
  readonly name: string;
  /** Path and query of the endpoint. */
  readonly path: string;
  /** The core SQL: what the store runs for the answer. */
  readonly statements: readonly AnalyticsStatement[];
}

/** The last day of the bench's demo window: the answers look at the year and months before it. */
const LAST_DAY = '2026-10-31';

export function analyticsBenchCases(dialect: 'duckdb' | 'postgres', contract: string, team: string, year: { number: number; startDate: string; contractStartDate: string }): AnalyticsBenchCase[] {
  const day = (offset: number) => new Date(Date.parse(`${LAST_DAY}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
  return [
    {
      name: 'analytics forecast',
      path: `/analytics/v1/contracts/${contract}/forecast?contractYear=${year.number}`,
      // The forecast reads the daily sums from the contract's first day (or two years back).
      statements: [dailyTokensStatement(dialect, contract, year.contractStartDate < day(-729) ? year.contractStartDate : day(-729), LAST_DAY)],
    },
    {
      name: 'analytics advice',
      path: `/analytics/v1/contracts/${contract}/advice?from=${day(-364)}&to=${LAST_DAY}`,
      statements: [userProductMonthsStatement(dialect, contract, day(-364), LAST_DAY), seatHoldersStatement(dialect, { contractNumber: contract }, LAST_DAY)],
    },
    {
      name: 'analytics idle seats',
      path: `/analytics/v1/teams/${team}/idle-seats?days=30`,
      statements: [seatHoldersStatement(dialect, { teamId: team }, LAST_DAY)],
    },
    {
      name: 'analytics concurrency (hour)',
      path: `/analytics/v1/contracts/${contract}/concurrency?from=${day(-30)}&to=${LAST_DAY}&granularity=hour`,
      statements: [concurrencyStatement(contract, {
        from: Date.parse(`${day(-30)}T00:00:00Z`), to: Date.parse(`${LAST_DAY}T00:00:00Z`) + 86_400_000, unit: 'hour', productLineCode: null,
      })],
    },
  ];
}

/** Runs a case's statements one after the other on a raw connection. */
export async function runStatements(run: (sql: string, values: unknown[]) => Promise<unknown>, statements: readonly AnalyticsStatement[]): Promise<void> {
  for (const statement of statements) await run(statement.sql, [...statement.values]);
}
