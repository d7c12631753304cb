import { AppError } from '../errors.js';
import { localDay, parseOffsetMinutes } from '../rating/index.js';
import type {
  ChargesFrom, DenialInput, GivenCharge, Product, Store, UsageIngestSummary, UsageRecordInput, UsageReferences,
} from '../store/index.js';
import { ingestRecords } from './apply-batch.js';
import { BatchProblems, recordChunks } from './ingest-usage.js';
import type { UsageBody } from './ndjson-segments.js';
import { FlexlmLogReader, type FlexlmDenial, type FlexlmSummary, type LogSource } from './sources/flexlm-log.js';
import { flexlmSessionValues, indexFeatureCodes } from './sources/flexlm-records.js';
import type { SourceProblem } from './sources/source-items.js';
import { readTokenflexExport, type PreRatedCharge } from './sources/tokenflex-export.js';
import { RecordValidator, type RowProblem } from './validate-record.js';

// Usage from where it already is (issue 20, docs/sources.md): Autodesk's Token Flex export files
// and FlexNet debug logs, read by src/ingest/sources, then through the one ingestion path of every
// batch: each record checked by the RecordValidator, the batch staged by the store, applied as one
// transaction with its duplicates (by id) left out, and nothing written when any line is refused.

/** The sources `insights import --source` and `POST /admin/v1/usage?source=` read. */
export type UsageSource = 'tokenflex-export' | 'flexlm';
export const USAGE_SOURCES: readonly UsageSource[] = Object.freeze(['tokenflex-export', 'flexlm']);

/** A problem of a source's batch: its file, line, column (or '') and why. */
type FileProblem = RowProblem & { readonly file: string };

export interface TokenflexImportOptions {
  /** The contract the export was made for: the file does not name it. */
  readonly contractNumber: string;
  /** The file's name in messages (a path, or the upload's name). */
  readonly file: string;
  readonly dryRun: boolean;
  readonly onProgress?: (rows: number) => void;
}

/**
 * Imports a session-level Token Flex export into a contract whose charges come from Autodesk
 * (`chargesFrom: autodesk`): each row a usage record carrying Autodesk's charge as given, never
 * re-rated. The same file twice, or two exports whose date ranges overlap, store each record once
 * (its id: tokenflex-export.ts).
 */
export async function ingestTokenflexExport(store: Store, body: UsageBody, options: TokenflexImportOptions): Promise<UsageIngestSummary> {
  const references = await store.loadUsageReferences();
  checkContract(references, options.contractNumber, 'autodesk', options.file);
  const validator = new RecordValidator(references, { contractNumber: options.contractNumber, chargesFrom: 'autodesk' });
  const problems = new BatchProblems();
  let rows = 0;
  const records = recordChunks(readTokenflexExport(body, options.file, { contractNumber: options.contractNumber }), problems, {
    check: (item) => {
      rows++;
      if (item.kind === 'problem') {
        problems.add([fileProblem(item)]);
        return undefined;
      }
      const result = validator.validate({ line: item.line, values: item.values, fromCsv: false });
      if (!result.ok) problems.add(result.problems.map((p) => ({ ...p, file: item.file })));
      else if (problems.count === 0) return { ...result.record, givenCharge: givenCharge(item.charge, result.record) };
      return undefined;
    },
    progress: () => options.onProgress?.(rows),
  });
  return ingestRecords(store, records, { dryRun: options.dryRun, givenCharges: true });
}

/**
 * Autodesk's charge as stored: a file without `tokenPool` (Autodesk's desktop session-level export
 * has none) draws on CY; without `usageMinutes` (or `usageHours`), a desktop session's minutes are
 * its length, a cloud or manual record's 0.
 */
function givenCharge(charge: PreRatedCharge, record: UsageRecordInput): GivenCharge {
  const sessionMinutes = record.sessionStart !== null && record.sessionEnd !== null
    ? Math.round((record.sessionEnd - record.sessionStart) / 600) / 100 : 0;
  return {
    usageDate: charge.usageDate,
    contractYear: charge.contractYear,
    chargeCategory: charge.chargeCategory,
    tokenPool: charge.tokenPool ?? 'CY',
    tokensConsumed: charge.tokensConsumed,
    usageMinutes: charge.usageMinutes ?? sessionMinutes,
    isChargedEvent: charge.isChargedEvent,
  };
}

export interface FlexlmImportOptions {
  /** The licence server's name (`--server`): part of every record and of its id. */
  readonly server: string;
  /** The server's UTC offset, `±HH:MM` (`--offset`). */
  readonly offset: string;
  readonly contractNumber: string;
  /** `sus` (default): network seats, no Flex tokens; `flex`: rated as Flex usage, to see what it would cost. */
  readonly rateAs?: 'sus' | 'flex';
  readonly dryRun: boolean;
  readonly onProgress?: (lines: number) => void;
}

/** What a FlexNet import says besides the usage summary. */
export interface FlexlmImportSummary extends UsageIngestSummary {
  readonly log: FlexlmSummary;
}

/**
 * Imports FlexNet debug logs of one licence server (several files: rotated logs, read in time
 * order): its sessions as desktop usage records of the contract (rated by our own rating), its
 * denials into license_denials, in one batch. Features no product has are refused by name with
 * their line counts (a dry run lists them and refuses nothing for them).
 */
export async function ingestFlexlmLog(store: Store, sources: readonly LogSource[], options: FlexlmImportOptions): Promise<FlexlmImportSummary> {
  const parsedOffset = parseOffsetMinutes(options.offset);
  if (parsedOffset === undefined) {
    throw new AppError('REQUEST_INVALID', `The offset must be a UTC offset such as +01:00 or -05:00, got '${options.offset}'.`);
  }
  const offsetMinutes: number = parsedOffset;
  if (options.server.trim() === '') throw new AppError('REQUEST_INVALID', 'The licence server\'s name (--server, ?server=) must not be empty.');
  const references = await store.loadUsageReferences();
  const contract = checkContract(references, options.contractNumber, 'rating', sources[0]?.name ?? '');
  const productNames = new Map<string, string>();
  for (const product of references.products) {
    const key = `${product.productLineCode}\u0000${product.version}`;
    if (!productNames.has(key)) productNames.set(key, product.productName);
  }
  const reader = new FlexlmLogReader({ server: options.server, offsetMinutes, lookupFeature: indexFeatureCodes(references.products as Product[]) });
  const validator = new RecordValidator(references, { contractNumber: options.contractNumber });
  const problems = new BatchProblems();
  const denials: DenialInput[] = [];
  const recordOptions = { contractNumber: options.contractNumber, offset: options.offset, source: options.rateAs ?? 'sus' } as const;
  // A record's place in the batch: lines repeat across files, and the store tells records apart by it.
  let sequence = 0;
  const records = recordChunks(reader.read(sources), problems, {
    check: (item) => {
      switch (item.kind) {
        case 'problem':
          problems.add([fileProblem(item)]);
          return undefined;
        case 'session': {
          sequence++;
          const result = validator.validate({ line: item.line, values: flexlmSessionValues(item, recordOptions), fromCsv: false });
          if (!result.ok) problems.add(result.problems.map((p) => ({ ...p, file: item.file })));
          else if (problems.count === 0) return { ...result.record, line: sequence };
          return undefined;
        }
        case 'denial': {
          const denial = denialInput(item, contract, options, offsetMinutes, productNames);
          if ('message' in denial) problems.add([denial]);
          else if (problems.count === 0) denials.push(denial);
          return undefined;
        }
        case 'unmatched-checkin':
          // Counted in the summary; finishing a stored `log-end` session with it is not done yet (docs/sources.md).
          return undefined;
      }
    },
    progress: () => options.onProgress?.(reader.summary().lines),
    beforeEnd: () => {
      if (options.dryRun) return;
      for (const unknown of reader.summary().unknownFeatures) {
        problems.add([{
          file: unknown.file, line: unknown.firstLine, field: 'feature',
          message: `no product has the feature code ${unknown.feature} (${unknown.lines} line${unknown.lines === 1 ? '' : 's'}` +
            `${unknown.looksLike ? `; it looks like ${unknown.looksLike}` : ''}): add the product with this featureCode first ` +
            '(--dry-run lists every unknown feature)',
        }]);
      }
    },
  });
  const summary = await ingestRecords(store, records, { dryRun: options.dryRun, denials: () => denials });
  return Object.freeze({ ...summary, log: reader.summary() });
}

type ContractReference = UsageReferences['contracts'][number];

/** The contract of a source's batch: it must exist and take its charges from where the source's records do. */
function checkContract(references: UsageReferences, contractNumber: string, chargesFrom: ChargesFrom, file: string): ContractReference {
  const contract = references.contracts.find((c) => c.contractNumber === contractNumber);
  let message: string | undefined;
  if (!contract) message = `unknown contract ${contractNumber}`;
  else if ((contract.chargesFrom ?? 'rating') !== chargesFrom) {
    message = chargesFrom === 'autodesk'
      ? `contract ${contractNumber} is rated by our own rating (chargesFrom rating), so a Token Flex export, rated by Autodesk, cannot be mixed in: ` +
        'set its chargesFrom to autodesk while it has no usage records (insights contract set-charges-from), or import into another contract'
      : `contract ${contractNumber} takes its charges from Autodesk's Token Flex export files (chargesFrom autodesk), so sessions rated by our own ` +
        'rating cannot be mixed in: import the log into a contract with chargesFrom rating';
  }
  if (message === undefined) return contract as ContractReference;
  throw new AppError('USAGE_BATCH_INVALID', `The batch cannot go into contract ${contractNumber}; nothing was written. ${message}.`, {
    extra: Object.freeze({ errors: Object.freeze([{ file, line: 1, field: 'contractNumber', message }]), errorCount: 1, invalidLines: 1 }),
  });
}

function denialInput(
  denial: FlexlmDenial, contract: ContractReference, options: FlexlmImportOptions, offsetMinutes: number, productNames: ReadonlyMap<string, string>,
): DenialInput | FileProblem {
  const usageDate = localDay(denial.at, offsetMinutes);
  const year = contract.years.find((y) => y.startDate <= usageDate && usageDate <= y.endDate);
  if (!year) {
    return { file: denial.file, line: denial.line, field: '', message: `no year of contract ${contract.contractNumber} covers the denial's date ${usageDate}` };
  }
  return {
    id: denial.id,
    contractNumber: contract.contractNumber,
    teamId: contract.teamId,
    licenseServerName: denial.server,
    licenseServerTzOffset: options.offset,
    productFeatureCode: denial.feature,
    productLineCode: denial.productLineCode,
    productVersion: denial.productVersion,
    productName: productNames.get(`${denial.productLineCode}\u0000${denial.productVersion}`) ?? null,
    userName: denial.userName,
    machineName: denial.host,
    licenses: denial.licenses,
    deniedAt: denial.at,
    usageDate,
    contractYear: year.year,
    reason: denial.reason,
    reasonCode: denial.reasonCode,
  };
}

function fileProblem(problem: SourceProblem): FileProblem {
  return { file: problem.file, line: problem.line, field: problem.field, message: problem.message };
}
