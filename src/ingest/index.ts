export type { IngestUsageOptions } from './ingest-usage.js';
export { ingestUsage } from './ingest-usage.js';
export type { ApplyBatchOptions } from './apply-batch.js';
export { applyStagedBatch, ingestRecords } from './apply-batch.js';
export type { FlexlmImportOptions, FlexlmImportSummary, TokenflexImportOptions, UsageSource } from './ingest-sources.js';
export { ingestFlexlmLog, ingestTokenflexExport, USAGE_SOURCES } from './ingest-sources.js';
export type { UsageBody, UsageFormat } from './read-rows.js';
export type { InputColumn, InputColumnType } from './record-format.js';
export { COMPUTED_COLUMNS, describeRecordFormat, INPUT_COLUMNS } from './record-format.js';
export type { RowProblem } from './validate-record.js';
export type {
  FeatureLookup, FeatureProduct, FlexlmDenial, FlexlmItem, FlexlmReadOptions, FlexlmSession, FlexlmSummary, FlexlmUnmatchedCheckin,
  LogSource, SessionEnd,
} from './sources/flexlm-log.js';
export { FlexlmLogReader } from './sources/flexlm-log.js';
export type { FlexlmRecordOptions } from './sources/flexlm-records.js';
export { flexlmSessionValues, indexFeatureCodes } from './sources/flexlm-records.js';
export type { SourceProblem } from './sources/source-items.js';
export type { PreRatedCharge, TokenflexExportItem, TokenflexExportOptions, TokenflexExportRecord } from './sources/tokenflex-export.js';
export { readTokenflexExport } from './sources/tokenflex-export.js';
