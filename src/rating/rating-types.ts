import type { ChargeCategory, UsageCategory } from '../catalog/index.js';

/** A product version and its price: the daily token rate a Flex user-day of it costs. */
export interface RatingProduct {
  readonly productLineCode: string;
  readonly version: string;
  readonly dailyTokenRate: number;
  /** Release window, 'YYYY-MM-DD', inclusive. Only used to choose between entries sharing a version. */
  readonly effectiveFrom?: string;
  readonly effectiveTo?: string;
}

/** One year of a contract: its date range ('YYYY-MM-DD', both ends inclusive) and its tokens. */
export interface RatingContractYear {
  readonly year: number;
  readonly startDate: string;
  readonly endDate: string;
  readonly provisionedTokens: number;
  /**
   * Tokens of this year already drawn by records that are not in the batch and come before every
   * record of the batch in the rating order (usage time, then id). Default 0, i.e. the batch holds
   * the whole year. See `affectedUserDays` for how a caller re-rates part of a year.
   */
  readonly tokensConsumedBefore?: number;
}

/** One desktop session, cloud event or manual transaction, as ingested. */
export interface RatingSession {
  readonly id: string;
  readonly contractNumber: string;
  readonly userName: string;
  readonly usageCategory: UsageCategory;
  readonly source: 'flex' | 'sus' | 'ppu';
  readonly productLineCode: string | null;
  readonly productVersion: string | null;
  /** ISO date-time, UTC unless it carries a zone (desktop). */
  readonly sessionStart: string | null;
  /** ISO date-time, UTC unless it carries a zone (desktop). */
  readonly sessionEnd: string | null;
  /** The licence server's UTC offset, '+01:00' / '-05:00'; its local day is the rating day. */
  readonly licenseServerTzOffset: string | null;
  readonly usageType: 'Normal' | 'Borrowed' | null;
  /** Cloud events: when the event happened. */
  readonly usageTimestamp: string | null;
  /** Manual records: when the transaction happened. */
  readonly transactionDate: string | null;
  /** Cloud and manual records: the amount given (manual amounts may be negative). */
  readonly tokens: number | null;
  readonly jobStatus?: 'Success' | 'Failed' | null;
}

/** The rating of one record: the `usage_records` columns the rating fills. */
export interface RatedCharge {
  readonly id: string;
  /** 'YYYY-MM-DD', the rating day (the licence server's local day). */
  readonly usageDate: string;
  readonly contractYear: number;
  readonly chargeCategory: ChargeCategory;
  readonly tokenPool: 'CY' | 'MY';
  readonly tokensConsumed: number;
  readonly isChargedEvent: boolean;
  readonly usageMinutes: number;
}

export interface RatingOptions {
  /** Desktop sessions shorter than this are CASUAL and free. */
  readonly casualThresholdMinutes: number;
}

export interface RatingContext {
  readonly products: readonly RatingProduct[];
  /** Contract years by contract number. */
  readonly contractYears: ReadonlyMap<string, readonly RatingContractYear[]>;
  /** Multi-year pool by contract number: validated, but it never changes a charge (see rateRecords). */
  readonly multiyearTokens?: ReadonlyMap<string, number>;
}

/** A (contract, user, rating day) a batch of records touches. */
export interface AffectedUserDay {
  readonly contractNumber: string;
  readonly userName: string;
  readonly usageDate: string;
}
