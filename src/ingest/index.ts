export type { IngestUsageOptions } from './ingest-usage.js';
export { ingestUsage } from './ingest-usage.js';
export type { UsageBody, UsageFormat } from './read-rows.js';
export type { InputColumn, InputColumnType } from './record-format.js';
export { COMPUTED_COLUMNS, describeRecordFormat, INPUT_COLUMNS } from './record-format.js';
export type { RowProblem } from './validate-record.js';
