import type {
  DenialInput, StagedUsageBatch, StagedUsageChunk, UsageIngestStore, UsageIngestSummary, UsageRecordInput,
} from '../store/index.js';
import { STAGED_LAYOUT, stagedLine } from './staged-line.js';

export interface ApplyBatchOptions {
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

/**
 * Applies a batch of staged lines (spec §6), the same algorithm on every backend: the records
 * whose id is not stored yet (the first of repeats within the batch) are rated together with
 * every stored record their arrival can change, then, in one transaction, inserted, the changed
 * charges of stored records updated and the denials stored, all processed at one time. A dry run
 * stops after counting. The result does not depend on the order in which batches arrive.
 */
export function applyStagedBatch(
  store: UsageIngestStore, chunks: AsyncIterable<StagedUsageChunk>, options: ApplyBatchOptions,
): Promise<UsageIngestSummary> {
  return store.applyStagedUsage(chunks, STAGED_LAYOUT, async (batch) => {
    const inserted = await batch.keepNewRecords();
    const denials = options.denials?.() ?? [];
    const summary = (rated: number, denialsInserted: number): UsageIngestSummary => Object.freeze({
      records: batch.records, inserted, duplicates: batch.records - inserted, rated, dryRun: options.dryRun,
      ...(options.denials ? { denials: denials.length, denialsInserted } : {}),
    });
    if (options.dryRun) return summary(0, await batch.countNewDenials(denials));
    if (inserted === 0 && denials.length === 0) return summary(0, 0);
    // A Token Flex export's records keep Autodesk's charges: nothing is rated (docs/sources.md).
    const rated = inserted === 0 || options.givenCharges ? 0 : await rateAffectedRecords(batch);
    return batch.write(async (writer) => {
      // One time for the batch: what it inserted and what it re-rated were processed together.
      const processedAt = new Date().toISOString();
      if (inserted > 0) {
        await writer.insertNewRecords(processedAt, options.givenCharges ? 'given' : 'rated');
        if (!options.givenCharges) await writer.updateChangedCharges(processedAt);
      }
      return summary(rated, await writer.insertDenials(denials, processedAt));
    });
  });
}

/**
 * Rates the new records with every stored record they can change, contract year by contract year
 * (pools are per year, user-days lie within one): in each, the stored records from its S on (none
 * before S can change), with the earlier records of their user-days as context. Returns how many
 * records were rated.
 */
async function rateAffectedRecords(batch: StagedUsageBatch): Promise<number> {
  for (const year of await batch.prepareRating()) await batch.addStoredRecords(year);
  return batch.rate();
}

const encoder = new TextEncoder();

/**
 * `applyStagedBatch` for records that come as objects (CSV, the sources' readers, tests): each
 * chunk is written as staged lines. If reading `batches` throws (a bad row), nothing is written
 * and the error propagates.
 */
export function ingestRecords(
  store: UsageIngestStore, batches: AsyncIterable<readonly UsageRecordInput[]>, options: ApplyBatchOptions,
): Promise<UsageIngestSummary> {
  async function* chunks(): AsyncIterable<StagedUsageChunk> {
    for await (const batch of batches) {
      let text = '';
      for (const record of batch) text += `${stagedLine(record)}\n`;
      yield { bytes: encoder.encode(text), records: batch.length };
    }
  }
  return applyStagedBatch(store, chunks(), options);
}
