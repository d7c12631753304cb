import {
  CHARGE_CATEGORIES, normaliseUsageCategory, restoreFreeText, tokenflexCatalog, TOKEN_POOLS, type ChargeCategory, type UsageCategory,
} from '../../catalog/index.js';
import { parseInstant } from '../../rating/index.js';
import type { UsageBody } from '../ndjson-segments.js';
import { readCsvRecords } from './csv-records.js';
import { sha256Hex, type SourceProblem } from './source-items.js';

/**
 * Token Flex export files, as Autodesk's export API writes them and our own Token Flex exports
 * (src/exports/tokenflex-exports.ts) follow: a header row of catalogue field and metric names in
 * the request's order, then one row per result; cells quoted or not, dates `YYYY-MM-DD`, times
 * `YYYY-MM-DD HH:MM:SS` (UTC) or ISO 8601, numbers like `105.0`, a comma ending each line
 * tolerated. Only session-level exports (one row per desktop session, cloud event or manual
 * transaction) hold usage records; an aggregated export is refused with the export to request.
 */

export interface TokenflexExportOptions {
  /** The contract the export was made for (`--contract`): the file does not name it. */
  readonly contractNumber: string;
}

/** The charge Autodesk rated a record with, as the file gives it: stored as it is, never re-rated. */
export interface PreRatedCharge {
  readonly usageDate: string;
  readonly contractYear: number;
  readonly chargeCategory: ChargeCategory;
  /** Not in the desktop session-level export: null then (docs/sources.md says what the batch does). */
  readonly tokenPool: 'CY' | 'MY' | null;
  readonly tokensConsumed: number;
  /** `usageMinutes`, or `usageHours` × 60; null when the file has neither. */
  readonly usageMinutes: number | null;
  /** `useCount` > 0 when the file has it, else a CHARGED or INCREMENTAL charge. */
  readonly isChargedEvent: boolean;
}

export interface TokenflexExportRecord {
  readonly kind: 'record';
  readonly file: string;
  readonly line: number;
  /**
   * The record in the usage record format (src/ingest/record-format.ts), with its id, so it goes
   * through the validation of every batch; cloud and manual records carry their tokens as `tokens`.
   */
  readonly values: Readonly<Record<string, string | number>>;
  readonly charge: PreRatedCharge;
}

export type TokenflexExportItem = TokenflexExportRecord | SourceProblem;

/** Every record needs these: its id and its charge. */
const REQUIRED_FOR_ALL = ['chargedItemID', 'usageDate', 'contractYear', 'tokensConsumed'] as const;

/** What each category's records need besides, to be complete records with stable ids. */
const REQUIRED_BY_CATEGORY: Readonly<Record<UsageCategory, readonly string[]>> = {
  DESKTOP_PRODUCT: ['sessionStartDate', 'sessionEndDate', 'userName', 'productLineCode', 'productVersion', 'chargeCategory'],
  CLOUD_PRODUCT: ['usageTimestamp', 'userName', 'productLineCode', 'chargeCategory'],
  CLOUD_SERVICE: ['usageTimestamp', 'userName', 'productLineCode', 'chargeCategory'],
  MANUAL_ADJUSTMENT: ['transactionDate'],
  MANUAL_CONSUMPTION: ['transactionDate'],
};

/** The exports to request, in words: the answer to an aggregated or incomplete export. */
export const SESSION_EXPORTS_TO_REQUEST =
  'for desktop usage, the desktop session-level export (usageCategory ["DESKTOP_PRODUCT"], fields usageDate, contractYear, ' +
  'productName, productLineCode, productVersion, productFeatureCode, userName, machineName, sessionStartDate, sessionEndDate, ' +
  'licenseServerTimeZoneOffset, chargedItemID, chargeCategory, licenseServerName, usageType, usageCategory, metrics ' +
  'tokensConsumed, usageMinutes); for cloud usage, one category per export (usageCategory ["CLOUD_PRODUCT"] or ' +
  '["CLOUD_SERVICE"]) with the fields chargedItemID, usageTimestamp, userName, productLineCode, productName, hubId, hubName, ' +
  'jobStatus, usageDate, contractYear, chargeCategory, tokenPool, usageCategory and the metric tokensConsumed; for manual ' +
  'transactions, chargedItemID, transactionDate, reasonType, reasonComment, usageDate, contractYear, tokenPool, usageCategory ' +
  'and the metrics tokensConsumed, quantity';

/** How a column of the file is read. */
type ColumnKind =
  | 'text' // into the record as written
  | 'instant' // a date-time, into the record as ISO 8601 UTC
  | 'category' | 'usageDate' | 'contractYear' | 'chargeCategory' | 'tokenPool'
  | 'tokensConsumed' | 'usageMinutes' | 'usageHours' | 'useCount' | 'quantity'
  | 'ignored'; // usageMonth, uniqueUsers, uniqueProducts: nothing of a record

const KINDS: Readonly<Record<string, ColumnKind>> = {
  usageCategory: 'category', usageDate: 'usageDate', contractYear: 'contractYear', chargeCategory: 'chargeCategory',
  tokenPool: 'tokenPool', tokensConsumed: 'tokensConsumed', usageMinutes: 'usageMinutes', usageHours: 'usageHours',
  useCount: 'useCount', quantity: 'quantity', usageMonth: 'ignored', uniqueUsers: 'ignored', uniqueProducts: 'ignored',
  sessionStartDate: 'instant', sessionEndDate: 'instant', usageTimestamp: 'instant', transactionDate: 'instant',
};

interface Layout {
  readonly names: readonly string[];
  readonly kinds: readonly ColumnKind[];
  readonly present: ReadonlySet<string>;
  /** The category of every row when the file has no usageCategory column. */
  readonly category: UsageCategory | null;
}

/**
 * Reads a Token Flex export into pre-rated usage records, streaming. Every refused row is a
 * problem with its file, line and the column at fault; a header that is not a session-level
 * export is one problem, and nothing more is read.
 */
export async function* readTokenflexExport(body: UsageBody, file: string, options: TokenflexExportOptions): AsyncIterable<readonly TokenflexExportItem[]> {
  let layout: Layout | undefined;
  /** A problem of the CSV itself (malformed, over the limits) ended the reading: no more to say. */
  let unreadable = false;
  for await (const records of readCsvRecords(body, file)) {
    const out: TokenflexExportItem[] = [];
    for (const record of records) {
      if ('kind' in record) {
        unreadable = true;
        out.push(record);
        continue;
      }
      if (!layout) {
        const planned = planLayout(record.cells, file, record.line);
        if (Array.isArray(planned)) {
          yield planned;
          return;
        }
        layout = planned;
        continue;
      }
      out.push(readRow(layout, record.cells, file, record.line, options.contractNumber));
    }
    if (out.length > 0) yield out;
  }
  if (!layout && !unreadable) yield [problem(file, 1, '', 'the file is empty: a Token Flex export starts with a header row of field and metric names')];
}

/** The header's columns, or why the file is not a session-level export to import. */
function planLayout(header: readonly string[], file: string, line: number): Layout | SourceProblem[] {
  const names = header.map((name) => name.trim());
  // Autodesk ends every line with a comma: an empty last name.
  if (names.length > 1 && names[names.length - 1] === '') names.pop();
  const problems: SourceProblem[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') problems.push(problem(file, line, '', 'the header has an empty column name'));
    else if (!tokenflexCatalog.fields.has(name) && !tokenflexCatalog.metrics.has(name)) {
      problems.push(problem(file, line, name, 'is not a Token Flex field or metric (GET /tokenflex/v1/catalog lists them)'));
    } else if (seen.has(name)) problems.push(problem(file, line, name, 'the header names this column twice'));
    seen.add(name);
  }
  if (problems.length > 0) return problems;
  if (!names.some((name) => tokenflexCatalog.fields.get(name)?.sessionLevel)) {
    return [problem(file, line, '',
      'this is an aggregated Token Flex export: it has none of the session-level fields (chargedItemID, sessionStartDate, usageTimestamp, ' +
      'transactionDate, …), so each of its rows is a total, not a usage record, and it cannot be imported. Request a session-level export ' +
      `instead: ${SESSION_EXPORTS_TO_REQUEST}`)];
  }
  const missing = REQUIRED_FOR_ALL.filter((name) => !seen.has(name));
  if (missing.length > 0) {
    return [problem(file, line, missing[0] as string,
      `a session-level export to import needs the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the record's id and its charge). ` +
      `Request ${SESSION_EXPORTS_TO_REQUEST}`)];
  }
  let category: UsageCategory | null = null;
  if (!seen.has('usageCategory')) {
    category = seen.has('sessionStartDate') ? 'DESKTOP_PRODUCT' : seen.has('jobStatus') ? 'CLOUD_SERVICE' : null;
    if (category === null) {
      return [problem(file, line, 'usageCategory', 'the export has no usageCategory column and its fields do not tell which category its rows are: request it with usageCategory among the fields')];
    }
    const lacking = REQUIRED_BY_CATEGORY[category].filter((name) => !seen.has(name));
    if (lacking.length > 0) {
      return [problem(file, line, lacking[0] as string, `a ${category} session-level export needs the columns ${lacking.join(', ')}. Request ${SESSION_EXPORTS_TO_REQUEST}`)];
    }
  }
  return { names, kinds: names.map((name) => KINDS[name] ?? 'text'), present: seen, category };
}

/** One row: a record, or the first problem of the row. */
function readRow(layout: Layout, cells: readonly string[], file: string, line: number, contractNumber: string): TokenflexExportItem {
  const width = layout.names.length;
  if (cells.length !== width && !(cells.length === width + 1 && cells[width] === '')) {
    return problem(file, line, '', `the row has ${cells.length} cells, the header ${width}`);
  }
  const values: Record<string, string | number> = {};
  let category = layout.category;
  let usageDate: string | undefined;
  let contractYear: number | undefined;
  let chargeCategory: ChargeCategory | undefined;
  let tokenPool: 'CY' | 'MY' | null = null;
  let tokensConsumed: number | undefined;
  let usageMinutes: number | null = null;
  let usageHours: number | null = null;
  let useCount: number | null = null;
  let quantity: number | undefined;
  for (let k = 0; k < width; k++) {
    const cell = cells[k] as string;
    if (cell === '') continue;
    const name = layout.names[k] as string;
    switch (layout.kinds[k] as ColumnKind) {
      case 'text':
        // A text cell as it was before an export guarded it against formula injection (the one
        // definition, src/catalog/formula-cells.ts); older exports wrote '-05:00 for -05:00 too.
        values[name] = cell.charCodeAt(0) === 39 /* ' */ ? restoreFreeText(cell) : cell;
        break;
      case 'instant': {
        const instant = canonicalInstant(cell);
        if (instant === undefined) return badCell(file, line, name, cell, 'must be a date-time YYYY-MM-DD HH:MM:SS (UTC) or ISO 8601');
        values[name] = instant;
        break;
      }
      case 'category': {
        const found = normaliseUsageCategory(cell);
        if (!found) return badCell(file, line, name, cell, 'must be a usage category');
        category = found;
        break;
      }
      case 'usageDate':
        usageDate = parseExportDay(cell);
        if (usageDate === undefined) return badCell(file, line, name, cell, 'must be a date YYYY-MM-DD');
        break;
      case 'contractYear': {
        const year = parseNumber(cell);
        if (year === undefined || !Number.isInteger(year) || year < 1 || year > 1000) return badCell(file, line, name, cell, 'must be a contract year from 1');
        contractYear = year;
        break;
      }
      case 'chargeCategory':
        if (!(CHARGE_CATEGORIES as readonly string[]).includes(cell)) return badCell(file, line, name, cell, `must be one of ${CHARGE_CATEGORIES.join(', ')}`);
        chargeCategory = cell as ChargeCategory;
        break;
      case 'tokenPool':
        if (!(TOKEN_POOLS as readonly string[]).includes(cell)) return badCell(file, line, name, cell, `must be one of ${TOKEN_POOLS.join(', ')}`);
        tokenPool = cell as 'CY' | 'MY';
        break;
      case 'tokensConsumed':
        tokensConsumed = parseNumber(cell);
        if (tokensConsumed === undefined) return badCell(file, line, name, cell, 'must be a number');
        break;
      case 'usageMinutes':
        usageMinutes = parseNumber(cell) ?? -1;
        if (usageMinutes < 0) return badCell(file, line, name, cell, 'must be a number of minutes, at least 0');
        break;
      case 'usageHours':
        usageHours = parseNumber(cell) ?? -1;
        if (usageHours < 0) return badCell(file, line, name, cell, 'must be a number of hours, at least 0');
        break;
      case 'useCount':
        useCount = parseNumber(cell) ?? -1;
        if (!Number.isInteger(useCount) || useCount < 0) return badCell(file, line, name, cell, 'must be a count, at least 0');
        break;
      case 'quantity':
        quantity = parseNumber(cell);
        if (quantity === undefined) return badCell(file, line, name, cell, 'must be a number');
        break;
      case 'ignored':
        break;
    }
  }
  if (category === null) return problem(file, line, 'usageCategory', 'is required: every record needs its usage category');
  for (const name of [...REQUIRED_FOR_ALL, ...REQUIRED_BY_CATEGORY[category]]) {
    if (name === 'usageDate' ? usageDate !== undefined : name === 'contractYear' ? contractYear !== undefined
      : name === 'tokensConsumed' ? tokensConsumed !== undefined : name === 'chargeCategory' ? chargeCategory !== undefined
        : values[name] !== undefined) continue;
    return problem(file, line, name, layout.present.has(name)
      ? `is required for ${category} records`
      : `is required for ${category} records, and the export has no such column. Request ${SESSION_EXPORTS_TO_REQUEST}`);
  }
  const manual = category === 'MANUAL_ADJUSTMENT' || category === 'MANUAL_CONSUMPTION';
  if (!manual && (tokensConsumed as number) < 0) return problem(file, line, 'tokensConsumed', `a ${category} record cannot consume negative tokens, got '${tokensConsumed}'`);
  const charge = chargeCategory ?? 'N/A';
  const instant = (values.sessionStartDate ?? values.usageTimestamp ?? values.transactionDate) as string;
  const id = `tokenflex-${sha256Hex([
    contractNumber, category, values.chargedItemID, values.userName ?? '', instant, values.productLineCode ?? '', values.productVersion ?? '',
  ].join('\u0000')).slice(0, 32)}`;
  values.id = id;
  values.usageCategory = category;
  values.contractNumber = contractNumber;
  if (category !== 'DESKTOP_PRODUCT') values.tokens = tokensConsumed as number;
  if (quantity !== undefined) values.quantity = quantity;
  return {
    kind: 'record',
    file,
    line,
    values,
    charge: {
      usageDate: usageDate as string,
      contractYear: contractYear as number,
      chargeCategory: charge,
      tokenPool,
      tokensConsumed: tokensConsumed as number,
      usageMinutes: usageMinutes ?? (usageHours === null ? null : Math.round(usageHours * 6000) / 100),
      isChargedEvent: useCount !== null ? useCount > 0 : charge === 'CHARGED' || charge === 'INCREMENTAL',
    },
  };
}


/** A number as an export writes it (`105.0`, `3`, `-2.5`), or undefined. */
function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * `YYYY-MM-DD HH:MM:SS` (UTC), ISO 8601, or a bare `YYYY-MM-DD` (midnight UTC), as
 * 'YYYY-MM-DDTHH:MM:SSZ' (milliseconds when there are some), or undefined. The same instant is
 * the same text whatever its spelling in the file: it goes into the record's id. Autodesk's
 * spelling is rewritten as text rather than parsed and printed again (Date#toISOString cost a
 * tenth of the reading).
 */
function canonicalInstant(text: string): string | undefined {
  let candidate: string | undefined;
  if (text.length === 19 && text.charCodeAt(10) === 32) candidate = `${text.slice(0, 10)}T${text.slice(11)}Z`;
  else if (text.length === 20 && text.charCodeAt(10) === 84 && text.charCodeAt(19) === 90) candidate = text;
  else if (text.length === 10) candidate = `${text}T00:00:00Z`;
  if (candidate !== undefined) return parseInstant(candidate) === undefined ? undefined : candidate;
  const at = parseInstant(text);
  return at === undefined ? undefined : isoSeconds(at);
}

/** A day `YYYY-MM-DD` (a time of midnight after it is accepted), or undefined. */
function parseExportDay(text: string): string | undefined {
  const day = text.length === 19 && text.endsWith(' 00:00:00') ? text.slice(0, 10) : text;
  return day.length === 10 && parseInstant(`${day}T00:00:00Z`) !== undefined ? day : undefined;
}

function isoSeconds(epochMs: number): string {
  const text = new Date(epochMs).toISOString();
  return text.endsWith('.000Z') ? `${text.slice(0, 19)}Z` : text;
}

function badCell(file: string, line: number, name: string, cell: string, message: string): SourceProblem {
  return problem(file, line, name, `${message}, got '${cell}'`);
}

function problem(file: string, line: number, field: string, message: string): SourceProblem {
  return { kind: 'problem', file, line, field, message };
}
