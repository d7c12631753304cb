import * as crypto from 'node:crypto';
import { normaliseUsageCategory, USAGE_CATEGORIES } from '../catalog/index.js';
import type { UsageCategory } from '../catalog/index.js';
import { decimalsOf, MAX_SESSION_MS, RECORD_NUMBER_BOUNDS } from '../limits.js';
import { localDay, parseInstant, parseOffsetMinutes } from '../rating/index.js';
import type { ChargesFrom, Product, UsageRecordInput, UsageReferences } from '../store/index.js';
import {
  COMPUTED_COLUMNS, INPUT_COLUMNS, MAX_ID_LENGTH, MAX_TEXT_LENGTH, type InputColumn,
} from './record-format.js';

/** One bad value of a batch: the line it is on, the column (empty for the whole line) and why. */
export interface RowProblem {
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

/** A row as read: JSON values (NDJSON) or cell texts (CSV), by column name. */
export interface RawRow {
  readonly line: number;
  readonly values: Readonly<Record<string, unknown>>;
  /** Cells are text: numbers are parsed from it. */
  readonly fromCsv: boolean;
}

export type ValidationResult =
  /**
   * `content`: the JSON text of the record's content array, when its id was derived from it (the
   * tail of its staged line: src/ingest/staged-line.ts CONTENT_FIELDS).
   */
  | { readonly ok: true; readonly record: UsageRecordInput; readonly content?: string }
  | { readonly ok: false; readonly problems: readonly RowProblem[] };

/** A column value read and type-checked, before the rules between columns. */
type Value = string | number;

const COMPUTED = new Set(COMPUTED_COLUMNS);
const LOWER_NAMES = new Map(INPUT_COLUMNS.map((c) => [c.name.toLowerCase(), c.name]));
/** Each enumeration's values by their own spelling and by their lower case. */
const ENUM_VALUES = new Map(INPUT_COLUMNS.filter((c) => c.enumValues).map((c) => [
  c.name, new Map((c.enumValues ?? []).flatMap((v) => [[v, v], [v.toLowerCase(), v]])),
]));

// A row's values live in an array indexed by column: this is the hot path of ingestion, and a Map
// and three closures per row made it twice as slow (docs/measurements.md).
const SLOT = new Map(INPUT_COLUMNS.map((c, k) => [c.name, k]));
const slot = (name: string): number => SLOT.get(name) as number;
const S = {
  id: slot('id'), usageCategory: slot('usageCategory'), contractNumber: slot('contractNumber'), teamId: slot('teamId'),
  source: slot('source'), userName: slot('userName'), userId: slot('userId'), productLineCode: slot('productLineCode'),
  productVersion: slot('productVersion'), productName: slot('productName'), productFeatureCode: slot('productFeatureCode'),
  parentProductName: slot('parentProductName'), sessionStartDate: slot('sessionStartDate'), sessionEndDate: slot('sessionEndDate'),
  licenseServerTimeZoneOffset: slot('licenseServerTimeZoneOffset'), usageType: slot('usageType'), machineName: slot('machineName'),
  licenseServerName: slot('licenseServerName'), usageTimestamp: slot('usageTimestamp'), hubId: slot('hubId'), hubName: slot('hubName'),
  jobStatus: slot('jobStatus'), transactionDate: slot('transactionDate'), reasonType: slot('reasonType'),
  reasonComment: slot('reasonComment'), quantity: slot('quantity'), tokens: slot('tokens'), chargedItemID: slot('chargedItemID'),
  customField1: slot('customField1'),
} as const;
/** Per category: may a column be there, and the slots that must be. */
const ALLOWED = new Map(USAGE_CATEGORIES.map((category) => [category, INPUT_COLUMNS.map((c) => c.categories.includes(category))]));
const REQUIRED = new Map(USAGE_CATEGORIES.map((category) => [category,
  INPUT_COLUMNS.flatMap((c, k) => (c.requiredFor.includes(category) ? [k] : []))]));

function textOf(values: readonly (Value | undefined)[], k: number): string | null {
  return (values[k] as string | undefined) ?? null;
}

function addProblem(problems: RowProblem[] | undefined, line: number, field: string, message: string): RowProblem[] {
  const list = problems ?? [];
  list.push({ line, field, message });
  return list;
}

/** Why a column name is not accepted, with the nearest real name when there is one. */
export function describeUnknownColumn(name: string): string {
  if (COMPUTED.has(name)) return `${name} is computed by the rating; leave it out`;
  const near = LOWER_NAMES.get(name.toLowerCase().replace(/[\s_-]/g, '')) ?? LOWER_NAMES.get(name.toLowerCase());
  return near ? `unknown column; did you mean ${near}?` : 'unknown column';
}

interface ContractReference {
  readonly teamId: string;
  readonly years: UsageReferences['contracts'][number]['years'];
  readonly chargesFrom?: ChargesFrom;
}

/** What the validator is told of the batch besides its rows. */
export interface RecordDefaults {
  /** The contract of rows that name none (`insights import --contract`). */
  readonly contractNumber?: string;
  /**
   * Whose charges the batch's records carry: `autodesk` for a Token Flex export's records (stored
   * as given), else (`rating`, the default) none: our own rating computes them. Each record's
   * contract must take its charges from the same place (its `chargesFrom`).
   */
  readonly chargesFrom?: ChargesFrom;
}

/**
 * Checks rows against the record format (record-format.ts), the catalogue's types and enumerations
 * and the stored contracts, teams and products, and turns a good row into a `UsageRecordInput`.
 * Pure: the references are loaded once per batch by the caller.
 */
export class RecordValidator {
  private readonly contracts = new Map<string, ContractReference>();
  private readonly teams: ReadonlySet<string>;
  private readonly products = new Map<string, Product[]>();
  private readonly days = new Map<number, string>();
  private readonly offsets = new Map<string, number>();

  constructor(references: UsageReferences, private readonly defaults: RecordDefaults = {}) {
    for (const contract of references.contracts) this.contracts.set(contract.contractNumber, contract);
    this.teams = new Set(references.teamIds);
    for (const product of references.products) {
      const key = `${product.productLineCode}\u0000${product.version}`;
      this.products.set(key, [...(this.products.get(key) ?? []), product]);
    }
  }

  /** Checks one row: its values, the columns of its category, when it happened, what it refers to; then builds the record. */
  validate(row: RawRow): ValidationResult {
    const line = row.line;
    const read = readValues(row);
    if (!read.ok) return read;
    const { values, present } = read;
    if (values[S.contractNumber] === undefined && this.defaults.contractNumber) values[S.contractNumber] = this.defaults.contractNumber;
    const category = (values[S.usageCategory] as UsageCategory | undefined) ?? 'DESKTOP_PRODUCT';
    let problems = checkCategoryColumns(category, values, present, line);
    if (problems) return { ok: false, problems };

    const usage = USAGE_OF[category](values, line);
    problems = usage.problems;
    const offset = textOf(values, S.licenseServerTimeZoneOffset);
    const usageDate = this.day(usage.at, offset === null ? 0 : this.offsetMinutes(offset));
    const references = this.checkReferences(category, values, usageDate, usage.field, line, problems);
    if (references.problems) return { ok: false, problems: references.problems };
    return buildRecord(category, values, line, usage.at, usageDate, offset, references);
  }

  /** The contract (and its year covering the usage day), the team and, for a desktop session, the product in effect. */
  private checkReferences(
    category: UsageCategory, values: readonly (Value | undefined)[], usageDate: string, usageField: string, line: number, found: RowProblem[] | undefined,
  ): References {
    let problems = found;
    const contractNumber = textOf(values, S.contractNumber) as string;
    const contract = this.contracts.get(contractNumber);
    let contractYear = 0;
    if (!contract) {
      problems = addProblem(problems, line, 'contractNumber', `unknown contract ${contractNumber}`);
    } else {
      for (const year of contract.years) {
        if (year.startDate <= usageDate && usageDate <= year.endDate) contractYear = year.year;
      }
      if (contractYear === 0) problems = addProblem(problems, line, usageField, `no year of contract ${contractNumber} covers the usage date ${usageDate}`);
      const chargesFrom = this.defaults.chargesFrom ?? 'rating';
      if ((contract.chargesFrom ?? 'rating') !== chargesFrom) problems = addProblem(problems, line, 'contractNumber', mixedChargesMessage(contractNumber, contract.chargesFrom ?? 'rating'));
    }
    const givenTeam = textOf(values, S.teamId);
    if (givenTeam !== null && !this.teams.has(givenTeam)) problems = addProblem(problems, line, 'teamId', `unknown team ${givenTeam}`);

    let product: Product | undefined;
    if (category === 'DESKTOP_PRODUCT') {
      const productFound = this.findProduct(textOf(values, S.productLineCode) as string, textOf(values, S.productVersion) as string, usageDate);
      if (typeof productFound === 'string') problems = addProblem(problems, line, 'productVersion', productFound);
      else product = productFound;
    }
    return { problems, contractNumber, contractYear, teamId: givenTeam ?? contract?.teamId ?? '', product };
  }

  /** The local day of an instant, its text made once per day number. */
  private day(epochMs: number, offsetMinutes: number): string {
    const n = Math.floor((epochMs + offsetMinutes * 60_000) / 86_400_000);
    let text = this.days.get(n);
    if (text === undefined) {
      text = localDay(epochMs, offsetMinutes);
      this.days.set(n, text);
    }
    return text;
  }

  private offsetMinutes(offset: string): number {
    let minutes = this.offsets.get(offset);
    if (minutes === undefined) {
      minutes = parseOffsetMinutes(offset) as number;
      this.offsets.set(offset, minutes);
    }
    return minutes;
  }

  /**
   * The product of a (line code, version); several entries of one version are told apart by their
   * effective dates, as the rating does (src/rating findProduct).
   */
  private findProduct(productLineCode: string, version: string, usageDate: string): Product | string {
    const what = `product ${productLineCode} version ${version}`;
    const entries = this.products.get(`${productLineCode}\u0000${version}`) ?? [];
    if (entries.length === 0) return `unknown ${what}`;
    if (entries.length === 1) return entries[0] as Product;
    const matching = entries.filter((p) => (p.effectiveFrom ?? usageDate) <= usageDate && usageDate <= (p.effectiveTo ?? usageDate));
    if (matching.length === 1) return matching[0] as Product;
    return `${what} has ${matching.length === 0 ? 'no entry' : 'several entries'} in effect on ${usageDate}`;
  }
}

/** Why a record cannot go into a contract whose charges come from the other place (docs/sources.md). */
function mixedChargesMessage(contractNumber: string, contractChargesFrom: ChargesFrom): string {
  return contractChargesFrom === 'autodesk'
    ? `contract ${contractNumber} takes its charges from Autodesk's Token Flex export files (chargesFrom autodesk), so records rated by ` +
      'our own rating cannot be mixed in: import its exports with --source tokenflex-export, or send these records to a contract with chargesFrom rating'
    : `contract ${contractNumber} is rated by our own rating (chargesFrom rating), so records rated by Autodesk (a Token Flex export) cannot be ` +
      'mixed in: set its chargesFrom to autodesk while it has no usage records (insights contract set-charges-from), or import into another contract';
}

/** What a row refers to, checked: its problems, or the contract year, team and product it is rated with. */
interface References {
  readonly problems: RowProblem[] | undefined;
  readonly contractNumber: string;
  readonly contractYear: number;
  readonly teamId: string;
  readonly product: Product | undefined;
}

/** A row's values type-checked, by slot, with the slots present in the row's order; or the problems of its values. */
function readValues(row: RawRow): { readonly ok: true; readonly values: (Value | undefined)[]; readonly present: number[] } | { readonly ok: false; readonly problems: RowProblem[] } {
  let problems: RowProblem[] | undefined;
  const values: (Value | undefined)[] = new Array<Value | undefined>(INPUT_COLUMNS.length);
  /** Slots of the values present, in the row's order (problems are listed in that order). */
  const present: number[] = [];
  const raw = row.values;
  for (const name in raw) {
    const k = SLOT.get(name);
    if (k === undefined) {
      problems = addProblem(problems, row.line, name, describeUnknownColumn(name));
      continue;
    }
    const value = readValue(INPUT_COLUMNS[k] as InputColumn, raw[name], row.fromCsv);
    if (typeof value === 'object') problems = addProblem(problems, row.line, name, value.problem);
    else if (value !== undefined) {
      values[k] = value;
      present.push(k);
    }
  }
  return problems ? { ok: false, problems } : { ok: true, values, present };
}

/** The columns a category may not have, and those it must. */
function checkCategoryColumns(category: UsageCategory, values: readonly (Value | undefined)[], present: readonly number[], line: number): RowProblem[] | undefined {
  let problems: RowProblem[] | undefined;
  const allowed = ALLOWED.get(category) as boolean[];
  for (const k of present) {
    if (!allowed[k]) problems = addProblem(problems, line, (INPUT_COLUMNS[k] as InputColumn).name, `does not apply to ${category} records`);
  }
  for (const k of REQUIRED.get(category) as number[]) {
    if (values[k] === undefined) problems = addProblem(problems, line, (INPUT_COLUMNS[k] as InputColumn).name, `is required for ${category} records`);
  }
  return problems;
}

/** When a record's usage happened (the instant its rating day comes from, exactly as src/rating computes it), and the rules of its category. */
interface Usage {
  readonly at: number;
  readonly field: string;
  readonly problems: RowProblem[] | undefined;
}

function desktopUsage(values: readonly (Value | undefined)[], line: number): Usage {
  const at = values[S.sessionStartDate] as number;
  const end = values[S.sessionEndDate] as number;
  let problems: RowProblem[] | undefined;
  if (end < at) problems = addProblem(problems, line, 'sessionEndDate', 'the session ends before it starts');
  else if (end - at > MAX_SESSION_MS) problems = addProblem(problems, line, 'sessionEndDate', `the session lasts more than ${MAX_SESSION_MS / 86_400_000} days`);
  return { at, field: 'sessionStartDate', problems };
}

function cloudUsage(values: readonly (Value | undefined)[], line: number): Usage {
  const tokens = (values[S.tokens] as number | undefined) ?? null;
  const source = textOf(values, S.source) ?? 'flex';
  let problems: RowProblem[] | undefined;
  if (tokens !== null && tokens < 0) problems = addProblem(problems, line, 'tokens', 'a cloud event cannot have negative tokens');
  if (tokens === null && source === 'flex' && textOf(values, S.jobStatus) !== 'Failed') problems = addProblem(problems, line, 'tokens', 'is required for a Flex cloud event that did not fail');
  return { at: values[S.usageTimestamp] as number, field: 'usageTimestamp', problems };
}

function manualUsage(values: readonly (Value | undefined)[]): Usage {
  return { at: values[S.transactionDate] as number, field: 'transactionDate', problems: undefined };
}

const USAGE_OF: Readonly<Record<UsageCategory, (values: readonly (Value | undefined)[], line: number) => Usage>> = {
  DESKTOP_PRODUCT: desktopUsage,
  CLOUD_PRODUCT: cloudUsage,
  CLOUD_SERVICE: cloudUsage,
  MANUAL_ADJUSTMENT: manualUsage,
  MANUAL_CONSUMPTION: manualUsage,
};

/** The record of a valid row, with its id (given, or the hash of its content). */
function buildRecord(
  category: UsageCategory, values: readonly (Value | undefined)[], line: number, usageAt: number, usageDate: string, offset: string | null, references: References,
): ValidationResult {
  const { product } = references;
  const source = (textOf(values, S.source) ?? 'flex') as UsageRecordInput['source'];
  const customFields: (string | null)[] = new Array<string | null>(10);
  for (let f = 0; f < 10; f++) customFields[f] = textOf(values, S.customField1 + f);
  const usageType = category === 'DESKTOP_PRODUCT' ? (textOf(values, S.usageType) ?? 'Normal') as UsageRecordInput['usageType'] : null;
  const givenId = textOf(values, S.id);
  const content = givenId === null ? contentText(category, source, usageType, values) : undefined;
  const id = givenId ?? sha256Hex(content as string).slice(0, 32);
  return {
    ok: true,
    content,
    record: {
      line,
      id,
      contractNumber: references.contractNumber,
      teamId: references.teamId,
      usageCategory: category,
      source,
      userId: textOf(values, S.userId),
      userName: textOf(values, S.userName),
      productLineCode: textOf(values, S.productLineCode),
      productName: textOf(values, S.productName) ?? product?.productName ?? null,
      parentProductName: textOf(values, S.parentProductName),
      productVersion: textOf(values, S.productVersion),
      productFeatureCode: textOf(values, S.productFeatureCode) ?? product?.featureCode ?? null,
      usageDate,
      contractYear: references.contractYear,
      usageAt,
      sessionStart: (values[S.sessionStartDate] as number | undefined) ?? null,
      sessionEnd: (values[S.sessionEndDate] as number | undefined) ?? null,
      licenseServerTzOffset: offset,
      usageType,
      machineName: textOf(values, S.machineName),
      licenseServerName: textOf(values, S.licenseServerName),
      hubId: textOf(values, S.hubId),
      hubName: textOf(values, S.hubName),
      jobStatus: textOf(values, S.jobStatus) as UsageRecordInput['jobStatus'],
      transactionDate: (values[S.transactionDate] as number | undefined) ?? null,
      reasonType: textOf(values, S.reasonType),
      reasonComment: textOf(values, S.reasonComment),
      chargedItemId: textOf(values, S.chargedItemID) ?? id,
      tokens: (values[S.tokens] as number | undefined) ?? null,
      quantity: (values[S.quantity] as number | undefined) ?? 0,
      customFields,
    },
  };
}

/**
 * The offsets found valid so far: a batch has a few, each on many records, so the regular
 * expression runs once per offset, not per record. At most the 1,682 valid ones (up to ±14:00)
 * are ever held.
 */
const VALID_OFFSETS = new Set<string>();

/** A column's value type-checked (text is kept as sent), undefined when absent, or why it is bad. */
function readValue(column: InputColumn, raw: unknown, fromCsv: boolean): Value | undefined | { readonly problem: string } {
  if (raw === null || raw === undefined || raw === '') return undefined;
  if (column.type === 'number') {
    let number: number;
    if (typeof raw === 'number') number = raw;
    else if (fromCsv && typeof raw === 'string' && raw.trim() !== '') number = Number(raw);
    else return { problem: `must be a number, got ${describe(raw)}` };
    if (!Number.isFinite(number)) return { problem: `must be a finite number, got ${describe(raw)}` };
    return checkBounds(column.name, number) ?? number;
  }
  if (typeof raw !== 'string') return { problem: `must be a string, got ${describe(raw)}` };
  const limit = column.name === 'id' ? MAX_ID_LENGTH : MAX_TEXT_LENGTH;
  if (raw.length > limit) return { problem: `is longer than ${limit} characters` };
  switch (column.type) {
    case 'string':
      // PostgreSQL cannot store NUL in text (refused on DuckDB too, so a batch means the same on
      // both); an unpaired surrogate is not Unicode text at all (DuckDB's JSON reader refused it).
      if (raw.includes('\u0000')) return { problem: 'must not contain the NUL character (U+0000)' };
      return isWellFormed(raw) ? raw : { problem: 'is not valid Unicode text: it holds an unpaired surrogate (U+D800 to U+DFFF)' };
    case 'enum': {
      const found = column.name === 'usageCategory' ? normaliseUsageCategory(raw) : enumValue(column.name, raw);
      return found ?? { problem: `must be one of ${(column.enumValues ?? []).join(', ')}, got '${raw}'` };
    }
    case 'datetime':
      return parseInstant(raw) ?? { problem: `must be an ISO 8601 date-time such as 2025-03-04T08:15:00Z, got '${raw}'` };
    case 'offset':
      if (VALID_OFFSETS.has(raw)) return raw;
      if (parseOffsetMinutes(raw) === undefined) return { problem: `must be a UTC offset such as +01:00 or -05:00, got '${raw}'` };
      VALID_OFFSETS.add(raw);
      return raw;
  }
}

/** Why a number is outside its column's documented range (src/limits.ts), or undefined when inside it. */
function checkBounds(name: string, number: number): { readonly problem: string } | undefined {
  const bounds = RECORD_NUMBER_BOUNDS[name as keyof typeof RECORD_NUMBER_BOUNDS];
  if (!bounds) return undefined;
  if (Math.abs(number) > bounds.maxAbs) return { problem: `must be between -${bounds.maxAbs} and ${bounds.maxAbs}, got ${number}` };
  if (decimalsOf(number) > bounds.decimals) return { problem: `may have at most ${bounds.decimals} decimals, got ${number}` };
  return undefined;
}

/** Whether a text is well-formed UTF-16, with no unpaired surrogate (String.prototype.isWellFormed: ES2024, newer than our lib). */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** The enumeration's own spelling of a value, matched without regard to case. */
function enumValue(name: string, raw: string): string | undefined {
  const values = ENUM_VALUES.get(name) as Map<string, string>;
  return values.get(raw) ?? values.get(raw.toLowerCase());
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** The slots of the content array after the category, source and usage type, in the record format's order. */
const CONTENT_SLOTS = INPUT_COLUMNS.flatMap((_, k) => (k === S.id || k === S.usageCategory || k === S.source || k === S.usageType ? [] : [k]));

/**
 * The JSON text of a record's content, whose hash is the id of a record sent without one, so the
 * same record sent again (as NDJSON or CSV, with or without the default values written out) gets
 * the same id and is counted once. Only what the record itself says goes in, never what the
 * references add (the contract's team, the product's name): those may change between two sendings.
 * The text is also the tail of the record's staged line (src/ingest/staged-line.ts).
 */
function contentText(category: UsageCategory, source: string, usageType: string | null, values: readonly (Value | undefined)[]): string {
  const content: (Value | null)[] = [category, source, usageType];
  for (const k of CONTENT_SLOTS) content.push(values[k] ?? null);
  return JSON.stringify(content);
}

/**
 * SHA-256 of a text, hex. `crypto.hash` (Node 20.12+) is the one-shot form, a third of the time of
 * createHash…digest; it runs once a record.
 */
const sha256Hex: (text: string) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');
