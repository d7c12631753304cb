import type { UsageCategory } from '../../catalog/index.js';
import type { ChargesFrom, ContractYearDefinition, Product } from './admin.js';

// ---------------------------------------------------------------------------------------------
// UsageIngestStore: usage records in (spec §6, `POST /admin/v1/usage`, `insights import`). The
// caller (src/ingest) validates and normalises each record against `loadUsageReferences`, writes
// it as a staged line, and runs the batch's algorithm over the narrow steps of a StagedUsageBatch:
// de-duplicate by id, rate (store/sql/rating-sql.ts), write as one transaction.
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
   * Stages a batch's chunks of staged lines (`layout` says where each field stands) on a session
   * of its own, then runs `apply` on it once no other batch is being applied (one at a time: their
   * writes touch the same rows). Staging holds no lock. If reading the chunks throws (a bad row),
   * nothing is written and the error propagates; the staged batch is dropped when `apply` ends.
   * The algorithm over the batch (src/ingest) is the same for every backend.
   */
  applyStagedUsage<T>(chunks: AsyncIterable<StagedUsageChunk>, layout: StagedLayout, apply: (batch: StagedUsageBatch) => Promise<T>): Promise<T>;
}

/** Records already written as staged lines in UTF-8, one line each, every line ending in a newline. */
export interface StagedUsageChunk {
  readonly bytes: Uint8Array;
  readonly records: number;
}

/** A field of a staged line: a record field, one of its ten custom fields, or one of its given charge. */
export type StagedField = Exclude<keyof UsageRecordInput, 'customFields' | 'givenCharge'> | `customField${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10}`
  | `given${'UsageDate' | 'ContractYear' | 'ChargeCategory' | 'TokenPool' | 'TokensConsumed' | 'UsageMinutes' | 'IsChargedEvent'}`;

/** How a staged value is read (instants are epoch milliseconds). */
export type StagedType = 'integer' | 'epoch-ms' | 'double' | 'date' | 'text' | 'boolean';

/**
 * Where each field stands in a staged line (src/ingest/staged-line.ts), a JSON array: its place
 * (from 1, as SQL counts) and how it is read. A place past the end of a line reads as null.
 */
export type StagedLayout = Readonly<Record<StagedField, readonly [index: number, type: StagedType]>>;

/** A contract year a batch's new records touch, and S: every record of it from S on may change its charge. */
export interface AffectedContractYear {
  readonly contractNumber: string;
  readonly year: number;
  /** S, epoch ms. */
  readonly sinceMs: number;
}

/**
 * A staged batch, on its session (the steps of src/ingest's algorithm, in order). Every step but
 * `write` writes only the session's own temporary tables.
 */
export interface StagedUsageBatch {
  /** Records staged. */
  readonly records: number;
  /** Keeps the records whose id is not stored yet, the first of repeats within the batch (by line); returns how many. */
  keepNewRecords(): Promise<number>;
  /** How many of the denials' ids are not stored yet. */
  countNewDenials(denials: readonly DenialInput[]): Promise<number>;
  /**
   * Lays out the new records as the rating's input, and returns each contract year they touch
   * with S: the earliest usage time among them and the stored records of their (contract, user,
   * rating day)s (src/rating `affectedUserDays`).
   */
  prepareRating(): Promise<readonly AffectedContractYear[]>;
  /**
   * Adds to the rating's input the stored records of a year from its S on, and, as context only,
   * the earlier records of the user-days those are on (a session's charge depends on the sessions
   * before it that day, and a day can begin before S).
   */
  addStoredRecords(year: AffectedContractYear): Promise<void>;
  /** Rates the rating's input (the store's casual threshold); returns how many records were rated, context left out. */
  rate(): Promise<number>;
  /** Runs `fn` as one transaction. */
  write<T>(fn: (writer: UsageBatchWriter) => Promise<T>): Promise<T>;
}

/** The writes of a batch, processed at `processedAt` (ISO 8601, UTC). */
export interface UsageBatchWriter {
  /**
   * Inserts the new records with their charges: as rated, or as given (a Token Flex export's).
   * Users sent by name only get the id of the one user with that name, and custom fields left out
   * take the user's enrichment value for the contract.
   */
  insertNewRecords(processedAt: string, charges: 'rated' | 'given'): Promise<number>;
  /** Writes the rated charges of the stored records that changed; returns how many. */
  updateChangedCharges(processedAt: string): Promise<number>;
  /** Stores the denials whose id is not stored yet; returns how many. */
  insertDenials(denials: readonly DenialInput[], processedAt: string): Promise<number>;
}
