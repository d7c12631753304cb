import type { Product } from '../../store/index.js';
import type { FeatureLookup, FeatureProduct, FlexlmSession } from './flexlm-log.js';
import { isoSeconds } from './flexlm-log.js';

/**
 * The feature codes of the stored products (`87545ACD_2023_0F` → ACD 2023). A code that two
 * product versions claim goes to the first of them in the list.
 */
export function indexFeatureCodes(products: readonly Product[]): FeatureLookup {
  const byCode = new Map<string, FeatureProduct>();
  for (const product of products) {
    if (product.featureCode && !byCode.has(product.featureCode)) {
      byCode.set(product.featureCode, Object.freeze({ productLineCode: product.productLineCode, version: product.version }));
    }
  }
  return (feature) => byCode.get(feature);
}

export interface FlexlmRecordOptions {
  /** The contract the sessions draw on (`--contract`); absent, the batch's default contract. */
  readonly contractNumber?: string;
  /** The server's UTC offset as given (`--offset`, '+01:00'): the rating day is its local day. */
  readonly offset: string;
  /**
   * `sus`: network (multi-user subscription) seats, which cost no Flex tokens; `flex`: rated as
   * Flex usage by our own rating, to see what the same usage would cost in tokens.
   */
  readonly source: 'sus' | 'flex';
}

/**
 * A session as a desktop record of the usage record format (record-format.ts), so it goes through
 * the validation, staging and idempotency of every batch (src/ingest/ingest-usage.ts). The
 * session's licence count and how it ended have no column yet (docs/sources.md).
 */
export function flexlmSessionValues(session: FlexlmSession, options: FlexlmRecordOptions): Readonly<Record<string, string>> {
  return {
    id: session.id,
    usageCategory: 'DESKTOP_PRODUCT',
    ...(options.contractNumber ? { contractNumber: options.contractNumber } : {}),
    source: options.source,
    userName: session.userName,
    machineName: session.host,
    productLineCode: session.productLineCode,
    productVersion: session.productVersion,
    productFeatureCode: session.feature,
    licenseServerName: session.server,
    licenseServerTimeZoneOffset: options.offset,
    sessionStartDate: isoSeconds(session.start),
    sessionEndDate: isoSeconds(session.end),
  };
}
