// The Store contract, split by concern; each backend implements all of it.
export type {
  Contract, ContractDetail, ContractYear, JobStateCount, LastUsage, MigrationReport, PoolStats, Store, Team, UsageSummaryFilter, UsageSummaryRow, UsageValueColumn, User,
} from './store.js';
export type {
  CompletedQuery, ExportSchedule, Job, JobFile, JobKind, JobState, JobStore, NewJob, ResultQuery, ScheduleStore, StreamQuery,
} from './jobs.js';
export { jobOfNew } from './jobs.js';
export type {
  InsightsReportName, InsightsReportQuery, ReportFilters,
} from './reports.js';
export type { BulkFileFormat, BulkLoadStore, BulkTable, TableRowsFile, UsageDays } from './bulk-load.js';
export { BULK_TABLES, checkBulkFiles } from './bulk-load.js';
export { DuplicateKeyError, JobLeaseLostError, QueryInterruptedError, isWriteConflict } from './errors.js';
export type {
  AuthorizationCode, CredentialPurgeReport, GrantStep, GrantStepOutcome, NewRefreshToken, NewUser, OAuthClient, OAuthConsent, OAuthStore, PersonalAccessToken, RefreshToken,
} from './oauth.js';
export type {
  AdminStore, ChargesFrom, ContractDefinition, ContractPatch, ContractYearDefinition, DeleteOutcome, NewProduct, NewTeam, OAuthClientPatch, Page, PageRequest, PersonalDataPolicy, Product, ProductDetail, ProductPatch, Subscription, SubscriptionFilter, SubscriptionPatch, TeamDetail, TeamPatch, UserPatch,
} from './admin.js';
export type {
  FlexlmLogState, FlexlmLogStore, FlexlmLogWrite, LogSpan, PendingCheckin, ProvisionalSession, SessionEndedBy, SessionMark,
} from './flexlm.js';
export type {
  AffectedContractYear, DenialInput, GivenCharge, StagedField, StagedLayout, StagedType, StagedUsageBatch, StagedUsageChunk, UsageBatchWriter,
  UsageIngestStore, UsageIngestSummary, UsageRecordInput, UsageReferences,
} from './usage.js';
