import type { UsageCategory } from '../../catalog/index.js';
import type { ChargesFrom, ContractYearDefinition, Product } from './admin.js';

// ---------------------------------------------------------------------------------------------
// UsageIngestStore: usage records in (spec §6, `POST /admin/v1/usage`, `insights import`). The
// caller (src/ingest) validates and normalises each record against `loadUsageReferences`; the
// store stages, de-duplicates by id, rates (src/rating) and commits a batch as one transaction.
// ---------------------------------------------------------------------------------------------

/** What a usage batch is checked against: the contracts with their years, the teams, the products. */
export interface UsageReferences {
  readonly contracts: readonly {
    readonly contractNumber: string;
    readonly teamId: string;
    /** Ordered by year. */
    readonly years: readonly ContractYearDefinition[];
    /** Absent: `rating`. */
    readonly chargesFrom?: ChargesFrom;
  }[];
  readonly teamIds: readonly string[];
  readonly products: readonly Product[];
}

/**
 * One usage record ready to store: validated, references checked, defaults applied, times as
 * epoch milliseconds (src/ingest). Its charge is not here: the store rates it.
 */
export interface UsageRecordInput {
  /** Line of the batch it came from, for messages. */
  readonly line: number;
  readonly id: string;
  readonly contractNumber: string;
  readonly teamId: string;
  readonly usageCategory: UsageCategory;
  readonly source: 'flex' | 'sus' | 'ppu';
  readonly userId: string | null;
  readonly userName: string | null;
  readonly productLineCode: string | null;
  readonly productName: string | null;
  readonly parentProductName: string | null;
  readonly productVersion: string | null;
  readonly productFeatureCode: string | null;
  /** The rating day, 'YYYY-MM-DD': the licence server's local day of `usageAt` (UTC without an offset). */
  readonly usageDate: string;
  /** The contract year whose range holds `usageDate`. */
  readonly contractYear: number;
  /** When the usage happened (session start, cloud event, transaction), epoch ms. */
  readonly usageAt: number;
  readonly sessionStart: number | null;
  readonly sessionEnd: number | null;
  readonly licenseServerTzOffset: string | null;
  readonly usageType: 'Normal' | 'Borrowed' | null;
  readonly machineName: string | null;
  readonly licenseServerName: string | null;
  readonly hubId: string | null;
  readonly hubName: string | null;
  readonly jobStatus: 'Success' | 'Failed' | null;
  readonly transactionDate: number | null;
  readonly reasonType: string | null;
  readonly reasonComment: string | null;
  readonly chargedItemId: string;
  /** Cloud and manual records: the tokens given (the rating decides what is consumed). */
  readonly tokens: number | null;
  readonly quantity: number;
  /** customField1..10, ten entries; null takes the user's enrichment value for the contract. */
  readonly customFields: readonly (string | null)[];
  /**
   * The charge the record came with (a Token Flex export: rated by Autodesk), stored as given and
   * never re-rated; only in a batch applied with `givenCharges`.
   */
  readonly givenCharge?: GivenCharge;
}

/** A charge as Autodesk's Token Flex export gives it (docs/sources.md). */
export interface GivenCharge {
  readonly usageDate: string;
  readonly contractYear: number;
  readonly chargeCategory: string;
  readonly tokenPool: 'CY' | 'MY';
  readonly tokensConsumed: number;
  readonly usageMinutes: number;
  readonly isChargedEvent: boolean;
}

/** A refused checkout of a FlexNet licence server (`DENIED:` in its debug log), ready to store. */
export interface DenialInput {
  readonly id: string;
  readonly contractNumber: string;
  readonly teamId: string;
  readonly licenseServerName: string;
  readonly licenseServerTzOffset: string;
  readonly productFeatureCode: string;
  readonly productLineCode: string;
  readonly productVersion: string;
  readonly productName: string | null;
  readonly userName: string;
  readonly machineName: string;
  readonly licenses: number;
  /** Epoch ms, UTC (whole seconds). */
  readonly deniedAt: number;
  /** The server's local day, 'YYYY-MM-DD'. */
  readonly usageDate: string;
  readonly contractYear: number;
  readonly reason: string | null;
  readonly reasonCode: string | null;
}

export interface UsageIngestOptions {
  /** Stage and count only: nothing is written. */
  readonly dryRun: boolean;
  /**
   * Every record carries its `givenCharge` (a Token Flex export's batch): stored as given, nothing
   * rated or re-rated. The caller has checked that their contracts take their charges from Autodesk.
   */
  readonly givenCharges?: boolean;
  /**
   * Denials to store with the batch, in its transaction (ids already stored are left as they are);
   * asked for once every record is staged.
   */
  readonly denials?: () => readonly DenialInput[];
}

export interface UsageIngestSummary {
  /** Records in the batch. */
  readonly records: number;
  /** Records stored by this batch (a dry run: that it would store). */
  readonly inserted: number;
  /** Records whose id was stored already, or came earlier in the batch: not stored again. */
  readonly duplicates: number;
  /**
   * Records whose charge was computed: the new ones, and the stored ones the batch can change
   * (their user-days, and the later records of their contract years, whose CY/MY split moves).
   */
  readonly rated: number;
  readonly dryRun: boolean;
  /** With `denials`: how many the batch had, and how many of them were stored (a dry run: would be). */
  readonly denials?: number;
  readonly denialsInserted?: number;
}

export interface UsageIngestStore {
  loadUsageReferences(): Promise<UsageReferences>;
  /**
   * Stores a batch read from `batches` to its end. If reading throws (a bad row), nothing is
   * written and the error propagates. Otherwise, all or nothing (the writes are one transaction):
   * records whose id is not yet stored (the first of repeats within the batch) are inserted, rated
   * together with every stored record their arrival can change, and the changed charges of stored
   * records are updated
   * (src/rating, `affectedUserDays` for the recipe). The result does not depend on the order in
   * which batches arrive. Batches are applied one at a time.
   */
  ingestUsage(batches: AsyncIterable<readonly UsageRecordInput[]>, options: UsageIngestOptions): Promise<UsageIngestSummary>;
  /**
   * `ingestUsage` for a batch whose records arrive already written in the backend's staging text
   * (DuckDB: src/store/duckdb/staged-line.ts), as the ingestion's validation workers write them,
   * so they need not be rebuilt as objects in this thread. Backends without one take records only.
   */
  ingestStagedUsage?(chunks: AsyncIterable<StagedUsageChunk>, options: UsageIngestOptions): Promise<UsageIngestSummary>;
}

/** Records already written as staging text in UTF-8, one line each, every line ending in a newline. */
export interface StagedUsageChunk {
  readonly bytes: Uint8Array;
  readonly records: number;
}
