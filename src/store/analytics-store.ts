// ---------------------------------------------------------------------------------------------
// AnalyticsStore: the narrow reads the licence analytics (src/analytics, `/analytics/v1`, issue 17)
// work from. The store sums and counts; the analytics decide. Days are 'YYYY-MM-DD', instants
// epoch milliseconds (UTC).
// ---------------------------------------------------------------------------------------------

/** One day of a contract's consumption (days without any record are absent). */
export interface DailyTokens {
  readonly date: string;
  /** Every record but manual adjustments: desktop, cloud, manual consumption. */
  readonly usageTokens: number;
  /** Manual adjustments (refunds, credits, corrections). */
  readonly adjustmentTokens: number;
  /** Of all the day's tokens, those drawn from the multi-year pool (token pool MY). */
  readonly multiyearTokens: number;
}

/** Days a user used a product line in one calendar month, and the Flex tokens it cost. */
export interface UserProductMonth {
  readonly userId: string;
  readonly userName: string;
  readonly productLineCode: string;
  /** 'YYYY-MM'. */
  readonly month: string;
  /** Distinct days with use of any version, any source. */
  readonly days: number;
  /** Tokens of the Flex records (source `flex`). */
  readonly flexTokens: number;
  /** Whether some of that use was through a collection (the records name a parent product). */
  readonly throughCollection: boolean;
}

/** A product line as the advice sees it. */
export interface ProductLineRate {
  readonly productLineCode: string;
  readonly productName: string;
  /** The daily token rate of the line's latest version (by effective date, then version); null when the line has no product row. */
  readonly dailyTokenRate: number | null;
  readonly seatTokensPerYear: number | null;
}

/** A seat: a user assigned to an active subscription of a product line. */
export interface SeatHolder {
  readonly userId: string;
  readonly userName: string;
  readonly productLineCode: string;
  readonly productName: string;
  readonly subscriptionId: string;
  readonly offeringType: string;
  readonly term: string;
  readonly status: string;
  readonly endDate: string;
  readonly renewalDate: string | null;
  /**
   * The user's last day of use of the line (any version, any source, any contract of the team), or for
   * a collection's seat of any product used through it, up to the day asked; null: never.
   */
  readonly lastUseDate: string | null;
}

export type PeriodUnit = 'hour' | 'day';

/** One product's sessions in one period: the most running at once, from when, and distinct users. */
export interface ConcurrencyRow {
  readonly productLineCode: string;
  /** Epoch ms of the period's first instant. */
  readonly periodStart: number;
  readonly peakSessions: number;
  /** Epoch ms of the first minute the peak was reached. */
  readonly peakAt: number;
  readonly distinctUsers: number;
}

export interface ConcurrencyRequest {
  /** Sessions running in [from, to) count; periods start within it. Epoch ms, whole periods. */
  readonly from: number;
  readonly to: number;
  readonly unit: PeriodUnit;
  /** Only this product line; null: every one. */
  readonly productLineCode: string | null;
}

/** Refused checkouts (FlexNet `DENIED:` lines) of one product line in one period. */
export interface DenialCount {
  readonly productLineCode: string;
  /** Epoch ms of the period's first instant. */
  readonly periodStart: number;
  /** Denials (one per refused checkout). */
  readonly denials: number;
}

export interface AnalyticsStore {
  /** A contract's daily tokens from `from` to `to` (inclusive), oldest first. */
  listDailyTokens(contractNumber: string, from: string, to: string): Promise<readonly DailyTokens[]>;
  /** Use days per user, product line and month of a contract's desktop and cloud product records in [from, to]. */
  listUserProductMonths(contractNumber: string, from: string, to: string): Promise<readonly UserProductMonth[]>;
  /** The product lines named, with their rate and seat price. */
  listProductLineRates(productLineCodes: readonly string[]): Promise<readonly ProductLineRate[]>;
  /** Seats of the active subscriptions of a contract, or of a team (with the last use up to `asOf`). */
  listSeatHolders(scope: { readonly contractNumber: string } | { readonly teamId: string }, asOf: string): Promise<readonly SeatHolder[]>;
  /**
   * Peak concurrent desktop sessions of a contract per product line and period: a sweep over the
   * sessions' starts and ends in SQL (a session runs over [start, end)). Ordered by product, period.
   */
  listConcurrency(contractNumber: string, request: ConcurrencyRequest): Promise<readonly ConcurrencyRow[]>;
  /** Denials of a contract per product line and period (by their UTC instant), for the same request. */
  listDenialCounts(contractNumber: string, request: ConcurrencyRequest): Promise<readonly DenialCount[]>;
}
