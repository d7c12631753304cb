import { AppError } from '../errors.js';
import { localDay, parseOffsetMinutes } from '../rating/index.js';
import type {
  ChargesFrom, DenialInput, FlexlmLogState, GivenCharge, PendingCheckin, Product, SessionMark, Store, UsageIngestSummary, UsageRecordInput,
  UsageReferences,
} from '../store/index.js';
import { ingestRecords } from './apply-batch.js';
import { BatchProblems, recordChunks } from './ingest-usage.js';
import type { UsageBody } from './ndjson-segments.js';
import { FlexlmLogReader, type FlexlmDenial, type FlexlmSession, type FlexlmSummary, type LogSource, type SessionEnd } from './sources/flexlm-log.js';
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
  /**
   * Sessions an earlier batch stored as still open at its log's end (`log-end`) whose end this
   * batch moved: their check-in, the server's stop, or a later end of the log (docs/sources.md).
   */
  readonly revised: number;
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
  // Rotated logs imported as separate batches (docs/sources.md): the sessions an earlier batch left
  // open at its log's end are carried into this one, and the check-ins and log spans of later logs
  // finish the sessions this one leaves open.
  const state = await store.loadFlexlmLogState(options.contractNumber, options.server);
  const carried = new Map(state.provisional.map((p) => [p.id, p]));
  const reader = new FlexlmLogReader({
    server: options.server, offsetMinutes, lookupFeature: indexFeatureCodes(references.products as Product[]),
    carried: state.provisional.map((p) => ({
      id: p.id, feature: p.feature, product: { productLineCode: p.productLineCode, version: p.productVersion }, user: p.userName,
      host: p.host, licenses: p.licenses, start: p.sessionStart, end: p.sessionEnd,
    })),
  });
  const later = new LaterLogs(state);
  const marks: SessionMark[] = [];
  const pending: PendingCheckin[] = [];
  let revised = 0;
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
          const session = item.endedBy === 'log-end' ? later.finish(item) : item;
          const before = carried.get(session.id);
          if (before && (before.sessionEnd !== session.end || session.endedBy !== 'log-end')) revised++;
          marks.push({ id: session.id, sessionEnd: session.end, endedBy: session.endedBy, licenses: session.licenses });
          const result = validator.validate({ line: session.line, values: flexlmSessionValues(session, recordOptions), fromCsv: false });
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
          // Before any stop or restart: its checkout may be in a log of a batch still to come.
          if (item.atLogStart) pending.push({ id: item.id, feature: item.feature, userName: item.userName, host: item.host, at: item.at, inactive: item.inactive });
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
  if (!options.dryRun) {
    // After the batch's own transaction: repeated, it sets the same marks (a batch imported again repairs them).
    await store.applyFlexlmLog({
      contractNumber: options.contractNumber, server: options.server, marks, pending, consumed: later.consumed(),
      spans: reader.spans(),
    });
  }
  return Object.freeze({ ...summary, revised, log: reader.summary() });
}

/**
 * The logs of earlier batches that come after this one's (their spans and the check-ins at their
 * start still waiting for a checkout): a session this batch leaves open at its end is finished as
 * one batch of all the logs would finish it: by the first such check-in of its feature, user and
 * host in the log that continues this one (before that log's first stop or restart), else by that
 * stop or restart, else it stays open through that log to its end, and on to the next.
 */
class LaterLogs {
  readonly #spans: FlexlmLogState['spans'];
  /** Pending check-ins by feature, user and host, in time order; taken ones are removed. */
  readonly #pending = new Map<string, PendingCheckin[]>();
  readonly #consumed: string[] = [];

  constructor(state: FlexlmLogState) {
    this.#spans = state.spans;
    for (const checkin of state.pending) {
      const key = sessionKey(checkin.feature, checkin.userName, checkin.host);
      const list = this.#pending.get(key);
      if (list) list.push(checkin);
      else this.#pending.set(key, [checkin]);
    }
  }

  finish(session: FlexlmSession): FlexlmSession {
    let end = session.end;
    let endedBy: SessionEnd = 'log-end';
    const queue = this.#pending.get(sessionKey(session.feature, session.userName, session.host));
    for (let span = this.#next(end); span; span = this.#next(end)) {
      const until = span.break === null ? span.lastAt : span.breakAt ?? span.firstAt;
      const k = queue?.findIndex((c) => c.at >= span.firstAt && c.at <= until && c.at >= session.start) ?? -1;
      if (queue && k >= 0) {
        const [checkin] = queue.splice(k, 1) as [PendingCheckin];
        this.#consumed.push(checkin.id);
        end = checkin.at;
        endedBy = checkin.inactive ? 'inactive' : 'checkin';
        break;
      }
      if (span.break !== null) {
        end = span.breakAt ?? end;
        endedBy = 'server-stop';
        break;
      }
      if (span.lastAt <= end) break;
      end = span.lastAt;
    }
    return end === session.end && endedBy === session.endedBy ? session : { ...session, end, endedBy };
  }

  consumed(): readonly string[] {
    return this.#consumed;
  }

  /** The earliest log of an earlier batch that starts at or after `at`: the one that continues a log ending there. */
  #next(at: number): FlexlmLogState['spans'][number] | undefined {
    let found: FlexlmLogState['spans'][number] | undefined;
    for (const span of this.#spans) if (span.firstAt >= at && (!found || span.firstAt < found.firstAt)) found = span;
    return found;
  }
}

function sessionKey(feature: string, user: string, host: string): string {
  return `${feature}\u0000${user}\u0000${host}`;
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
