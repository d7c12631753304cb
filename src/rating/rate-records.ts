import { JOB_STATUSES, SOURCES, USAGE_CATEGORIES, USAGE_TYPES } from '../catalog/index.js';
import type { ChargeCategory } from '../catalog/index.js';
import { AppError } from '../errors.js';
import type { ErrorDetail } from '../errors.js';
import { isCalendarDay, localDay, parseInstant, parseOffsetMinutes } from './instant.js';
import type {
  AffectedUserDay, RatedCharge, RatingContext, RatingContractYear, RatingOptions, RatingProduct, RatingSession,
} from './rating-types.js';

export const DEFAULT_RATING_OPTIONS: RatingOptions = Object.freeze({ casualThresholdMinutes: 5 });

/** At most this many problems travel in one error; the message still counts them all. */
const MAX_REPORTED_PROBLEMS = 100;

/** How a record is rated, decided once from its category and source. */
type RatingKind = 'flex-desktop' | 'other-desktop' | 'cloud' | 'manual';

/** A record with its times parsed and everything the rating looks up resolved. */
interface PreparedRecord {
  readonly record: RatingSession;
  readonly kind: RatingKind;
  /** Epoch ms of the usage: session start, cloud event time or transaction date. */
  readonly at: number;
  readonly usageDate: string;
  readonly durationMs: number;
  readonly contractYear: RatingContractYear;
  /** The daily token rate (Flex desktop sessions only, else 0). */
  readonly rate: number;
}

interface Problem {
  readonly id: string;
  readonly path: string;
  readonly message: string;
}

/** Collects every problem of a batch, so one error names all of them in an order independent of arrival. */
class Problems {
  private readonly list: Problem[] = [];

  add(id: string, path: string, message: string): void {
    this.list.push({ id, path, message });
  }

  get size(): number {
    return this.list.length;
  }

  throwIfAny(what: string): void {
    if (this.list.length === 0) return;
    const sorted = [...this.list].sort((a, b) => compareText(a.id, b.id) || compareText(a.path, b.path) || compareText(a.message, b.message));
    const first = sorted[0] as Problem;
    const more = sorted.length > 1 ? ` (and ${sorted.length - 1} more problem${sorted.length > 2 ? 's' : ''})` : '';
    const errors: ErrorDetail[] = sorted.slice(0, MAX_REPORTED_PROBLEMS).map((p) => Object.freeze({ path: p.path, message: p.message }));
    throw new AppError('REQUEST_INVALID', `${what}: ${first.message}${more}.`, {
      errors: Object.freeze(errors),
      extra: Object.freeze({ recordIds: Object.freeze([...new Set(sorted.map((p) => p.id).filter((id) => id !== ''))]) }),
    });
  }
}

/** Plain code-unit order: unlike `localeCompare`, the same on every machine and locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function key(...parts: readonly (string | number)[]): string {
  return JSON.stringify(parts);
}

/**
 * Rates a batch of usage records by the Flex rules (spec §6) and returns one charge per record,
 * sorted by id, frozen. Pure and deterministic: the result does not depend on the order of
 * `records`, which are rated in the total order (usage time, then id).
 *
 * - A Flex desktop session is charged the daily token rate of its product version once per
 *   (contract, user, rating day), the rating day being the licence server's local day of the
 *   session start (UTC when the record has no offset). Shorter than the casual threshold → CASUAL,
 *   0 tokens. The first non-casual session of the day → CHARGED, its rate. A dearer product later
 *   that day → INCREMENTAL, the difference to the dearest rate charged so far. Anything else (the
 *   same product again, an equal or cheaper one) → FREE. So a user-day costs the dearest product
 *   used. A Borrowed session is rated like any other, once, on the day it starts.
 * - Desktop sessions from `sus`/`ppu` are not Flex usage: N/A, 0 tokens (so are cloud events from
 *   them). Flex cloud events → CHARGED their given tokens, per event; a Failed job → FREE, 0.
 *   Manual records → N/A with their given tokens, which may be negative.
 * - Pool: within each contract year, in the rating order, a record whose running total (including
 *   itself and `tokensConsumedBefore`) is at most the provisioned tokens draws on CY, otherwise on
 *   MY. A charge that straddles the boundary goes wholly to MY, and a 0-token record takes the pool
 *   in force at its time, as the seed's SQL does. A negative manual adjustment can bring the total
 *   back under the provisioned tokens, after which records draw on CY again.
 * - The multi-year pool is not capped here: usage beyond it is still MY (an overage is reported,
 *   never refused), so `multiyearTokens` is only validated.
 *
 * Throws `AppError('REQUEST_INVALID')` listing every bad record (unknown product version, no
 * contract year covering the day, session end before start, missing fields, duplicate ids, …).
 */
export function rateRecords(
  records: readonly RatingSession[],
  context: RatingContext,
  options: Partial<RatingOptions> = {},
): readonly RatedCharge[] {
  const casualMs = resolveCasualThresholdMs(options);
  const products = indexProducts(context);
  const prepared = prepareRecords(records, context, products);

  const ordered = [...prepared].sort((a, b) => a.at - b.at || compareText(a.record.id, b.record.id));
  // Dearest daily rate charged so far per (contract, user, rating day); absent = nothing charged yet.
  const dearestCharged = new Map<string, number>();
  // Running token total per (contract, year), starting from what was drawn before the batch.
  const drawn = new Map<string, number>();
  const charges: RatedCharge[] = [];
  for (const item of ordered) {
    const { chargeCategory, tokens } = chargeOf(item, casualMs, dearestCharged);
    const year = item.contractYear;
    const yearKey = key(item.record.contractNumber, year.year);
    const total = (drawn.get(yearKey) ?? year.tokensConsumedBefore ?? 0) + tokens;
    drawn.set(yearKey, total);
    charges.push(Object.freeze({
      id: item.record.id,
      usageDate: item.usageDate,
      contractYear: year.year,
      chargeCategory,
      tokenPool: total <= year.provisionedTokens ? 'CY' : 'MY',
      tokensConsumed: tokens,
      isChargedEvent: chargeCategory === 'CHARGED' || chargeCategory === 'INCREMENTAL',
      // Two decimals, as the seed's round(secs / 60.0, 2).
      usageMinutes: Math.round(item.durationMs / 600) / 100,
    }));
  }
  return Object.freeze(charges.sort((a, b) => compareText(a.id, b.id)));
}

function chargeOf(
  item: PreparedRecord,
  casualMs: number,
  dearestCharged: Map<string, number>,
): { chargeCategory: ChargeCategory; tokens: number } {
  const { record } = item;
  switch (item.kind) {
    case 'other-desktop':
      return { chargeCategory: 'N/A', tokens: 0 };
    case 'manual':
      return { chargeCategory: 'N/A', tokens: record.tokens ?? 0 };
    case 'cloud':
      if (record.source !== 'flex') return { chargeCategory: 'N/A', tokens: 0 };
      if (record.jobStatus === 'Failed') return { chargeCategory: 'FREE', tokens: 0 };
      return { chargeCategory: 'CHARGED', tokens: record.tokens ?? 0 };
    case 'flex-desktop': {
      if (item.durationMs < casualMs) return { chargeCategory: 'CASUAL', tokens: 0 };
      const dayKey = key(record.contractNumber, record.userName, item.usageDate);
      const dearest = dearestCharged.get(dayKey);
      if (dearest === undefined) {
        dearestCharged.set(dayKey, item.rate);
        return { chargeCategory: 'CHARGED', tokens: item.rate };
      }
      if (item.rate > dearest) {
        dearestCharged.set(dayKey, item.rate);
        return { chargeCategory: 'INCREMENTAL', tokens: item.rate - dearest };
      }
      return { chargeCategory: 'FREE', tokens: 0 };
    }
  }
}

/**
 * The (contract, user, rating day) keys a batch touches, sorted and without repeats. Cloud and
 * manual records count too: they change no other record's charge, but they move the pool split.
 *
 * A record changes only records after it in the rating order (usage time, then id): the charges
 * of its own user-day and the CY/MY split of its contract year. So to re-rate after a late batch,
 * for each contract year it touches: let S be the earliest usage time among the batch and the
 * stored records of these user-days; pass every record of that year whose usage time is at or
 * after S (the batch included), with `tokensConsumedBefore` = the tokens of the year's records
 * before S. Every charge returned is then exact, and no record before S changes.
 */
export function affectedUserDays(records: readonly RatingSession[]): readonly AffectedUserDay[] {
  const problems = new Problems();
  const found = new Map<string, AffectedUserDay>();
  records.forEach((record, index) => {
    const times = prepareTimes(record, index, problems);
    if (!times) return;
    const day = { contractNumber: record.contractNumber, userName: record.userName, usageDate: times.usageDate };
    found.set(key(day.contractNumber, day.userName, day.usageDate), Object.freeze(day));
  });
  problems.throwIfAny('Cannot find the days these records touch');
  return Object.freeze([...found.entries()].sort(([a], [b]) => compareText(a, b)).map(([, day]) => day));
}

function resolveCasualThresholdMs(options: Partial<RatingOptions>): number {
  const minutes = options.casualThresholdMinutes ?? DEFAULT_RATING_OPTIONS.casualThresholdMinutes;
  if (!isFiniteNumber(minutes) || minutes < 0) {
    throw new AppError('REQUEST_INVALID', `The casual threshold must be a number of minutes >= 0, got ${String(minutes)}.`);
  }
  return minutes * 60_000;
}

/** Products by (line code, version); several entries per key are told apart by their effective dates. */
function indexProducts(context: RatingContext): ReadonlyMap<string, readonly RatingProduct[]> {
  const problems = new Problems();
  const index = new Map<string, RatingProduct[]>();
  context.products.forEach((product, i) => {
    const path = `/products/${i}`;
    if (!isFiniteNumber(product.dailyTokenRate) || product.dailyTokenRate < 0) {
      problems.add('', `${path}/dailyTokenRate`, `product ${product.productLineCode} ${product.version} has daily token rate ${String(product.dailyTokenRate)}; it must be a number >= 0`);
    }
    for (const field of ['effectiveFrom', 'effectiveTo'] as const) {
      const value = product[field];
      if (value !== undefined && !isCalendarDay(value)) {
        problems.add('', `${path}/${field}`, `product ${product.productLineCode} ${product.version} has ${field} '${value}', not a date YYYY-MM-DD`);
      }
    }
    const k = key(product.productLineCode, product.version);
    index.set(k, [...(index.get(k) ?? []), product]);
  });
  for (const [contract, years] of context.contractYears) {
    years.forEach((year, i) => {
      const path = `/contractYears/${contract}/${i}`;
      const what = `contract ${contract} year ${year.year}`;
      if (!isCalendarDay(year.startDate) || !isCalendarDay(year.endDate) || year.endDate < year.startDate) {
        problems.add('', path, `${what} runs from '${year.startDate}' to '${year.endDate}'; it needs two dates YYYY-MM-DD, in order`);
      }
      if (!isFiniteNumber(year.provisionedTokens) || year.provisionedTokens < 0) {
        problems.add('', `${path}/provisionedTokens`, `${what} has provisioned tokens ${String(year.provisionedTokens)}; it must be a number >= 0`);
      }
      if (year.tokensConsumedBefore !== undefined && !isFiniteNumber(year.tokensConsumedBefore)) {
        problems.add('', `${path}/tokensConsumedBefore`, `${what} has tokensConsumedBefore ${String(year.tokensConsumedBefore)}; it must be a number`);
      }
      for (const other of years.slice(i + 1)) {
        if (other.year === year.year || (other.startDate <= year.endDate && year.startDate <= other.endDate)) {
          problems.add('', path, `${what} overlaps year ${other.year}`);
        }
      }
    });
  }
  for (const [contract, tokens] of context.multiyearTokens ?? []) {
    if (!isFiniteNumber(tokens) || tokens < 0) {
      problems.add('', `/multiyearTokens/${contract}`, `contract ${contract} has multi-year tokens ${String(tokens)}; it must be a number >= 0`);
    }
  }
  problems.throwIfAny('The rating context is invalid');
  return index;
}

function prepareRecords(
  records: readonly RatingSession[],
  context: RatingContext,
  products: ReadonlyMap<string, readonly RatingProduct[]>,
): PreparedRecord[] {
  const problems = new Problems();
  const seen = new Set<string>();
  const prepared: PreparedRecord[] = [];
  records.forEach((record, index) => {
    const path = `/records/${index}`;
    const id = typeof record.id === 'string' ? record.id : '';
    const report = (field: string, message: string): void => problems.add(id, `${path}${field}`, `record '${id}': ${message}`);
    const before = problems.size;
    if (id === '') report('/id', 'the id must be a non-empty string');
    else if (seen.has(id)) report('/id', 'the id appears more than once in the batch');
    seen.add(id);
    if (!USAGE_CATEGORIES.includes(record.usageCategory)) report('/usageCategory', `unknown usage category '${String(record.usageCategory)}'`);
    if (!SOURCES.includes(record.source)) report('/source', `unknown source '${String(record.source)}'`);
    if (record.usageType !== null && record.usageType !== undefined && !USAGE_TYPES.includes(record.usageType)) {
      report('/usageType', `unknown usage type '${String(record.usageType)}'`);
    }
    if (record.jobStatus !== null && record.jobStatus !== undefined && !JOB_STATUSES.includes(record.jobStatus)) {
      report('/jobStatus', `unknown job status '${String(record.jobStatus)}'`);
    }
    if (record.tokens !== null && record.tokens !== undefined && !isFiniteNumber(record.tokens)) {
      report('/tokens', `tokens must be a finite number, got ${String(record.tokens)}`);
    }
    if (problems.size > before) return;

    const times = prepareTimes(record, index, problems);
    if (!times) return;
    const kind = kindOf(record);

    const contractYear = context.contractYears.get(record.contractNumber)
      ?.find((year) => year.startDate <= times.usageDate && times.usageDate <= year.endDate);
    if (!contractYear) {
      report('/contractNumber', context.contractYears.has(record.contractNumber)
        ? `no year of contract ${record.contractNumber} covers its usage date ${times.usageDate}`
        : `unknown contract ${record.contractNumber}`);
    }

    let rate = 0;
    if (kind === 'flex-desktop') {
      const found = findProduct(record, times.usageDate, products);
      if (typeof found === 'string') report('/productVersion', found);
      else rate = found.dailyTokenRate;
    } else if (kind === 'cloud' && record.source === 'flex' && record.jobStatus !== 'Failed' && !isFiniteNumber(record.tokens)) {
      report('/tokens', 'a charged cloud event needs its tokens');
    } else if (kind === 'cloud' && isFiniteNumber(record.tokens) && record.tokens < 0) {
      report('/tokens', `a cloud event cannot have negative tokens (${record.tokens})`);
    } else if (kind === 'manual' && !isFiniteNumber(record.tokens)) {
      report('/tokens', 'a manual record needs its tokens');
    }

    if (problems.size > before || !contractYear) return;
    prepared.push({ record, kind, ...times, contractYear, rate });
  });
  problems.throwIfAny(problems.size === 1 ? 'Cannot rate a record' : 'Cannot rate these records');
  return prepared;
}

function kindOf(record: RatingSession): RatingKind {
  switch (record.usageCategory) {
    case 'DESKTOP_PRODUCT':
      return record.source === 'flex' ? 'flex-desktop' : 'other-desktop';
    case 'CLOUD_PRODUCT':
    case 'CLOUD_SERVICE':
      return 'cloud';
    case 'MANUAL_ADJUSTMENT':
    case 'MANUAL_CONSUMPTION':
      return 'manual';
  }
}

/**
 * The product entry of a session's (line code, version), or why there is none. Effective dates do
 * not gate usage (the seed lets a version be used a little before its release date); they only
 * choose between several entries of the same version.
 */
function findProduct(
  record: RatingSession,
  usageDate: string,
  products: ReadonlyMap<string, readonly RatingProduct[]>,
): RatingProduct | string {
  if (record.productLineCode === null || record.productVersion === null) {
    return 'a Flex desktop session needs its product line code and version';
  }
  const what = `product ${record.productLineCode} version ${record.productVersion}`;
  const entries = products.get(key(record.productLineCode, record.productVersion)) ?? [];
  if (entries.length === 0) return `unknown ${what}`;
  if (entries.length === 1) return entries[0] as RatingProduct;
  const matching = entries.filter((p) => (p.effectiveFrom ?? usageDate) <= usageDate && usageDate <= (p.effectiveTo ?? usageDate));
  if (matching.length === 1) return matching[0] as RatingProduct;
  return `${what} has ${matching.length === 0 ? 'no entry' : 'several entries'} in effect on ${usageDate}`;
}

/** When a record happened, its rating day and (desktop) its duration; undefined after reporting a problem. */
function prepareTimes(
  record: RatingSession,
  index: number,
  problems: Problems,
): { at: number; usageDate: string; durationMs: number } | undefined {
  const id = typeof record.id === 'string' ? record.id : '';
  const report = (field: string, message: string): undefined => {
    problems.add(id, `/records/${index}${field}`, `record '${id}': ${message}`);
    return undefined;
  };
  const instant = (field: string, value: string | null | undefined): number | undefined => {
    if (value === null || value === undefined) return report(`/${field}`, `${field} is missing`);
    const ms = typeof value === 'string' ? parseInstant(value) : undefined;
    return ms ?? report(`/${field}`, `${field} '${String(value)}' is not an ISO date-time`);
  };

  // No offset: the UTC day. Cloud and manual records seldom carry one, so they are dated in UTC.
  let offset = 0;
  if (record.licenseServerTzOffset !== null && record.licenseServerTzOffset !== undefined) {
    const parsed = typeof record.licenseServerTzOffset === 'string' ? parseOffsetMinutes(record.licenseServerTzOffset) : undefined;
    if (parsed === undefined) return report('/licenseServerTzOffset', `licenseServerTzOffset '${String(record.licenseServerTzOffset)}' is not an offset like +01:00`);
    offset = parsed;
  }

  switch (record.usageCategory) {
    case 'DESKTOP_PRODUCT': {
      const start = instant('sessionStart', record.sessionStart);
      const end = instant('sessionEnd', record.sessionEnd);
      if (start === undefined || end === undefined) return undefined;
      if (end < start) return report('/sessionEnd', `the session ends (${String(record.sessionEnd)}) before it starts (${String(record.sessionStart)})`);
      return { at: start, usageDate: localDay(start, offset), durationMs: end - start };
    }
    case 'CLOUD_PRODUCT':
    case 'CLOUD_SERVICE': {
      const at = instant('usageTimestamp', record.usageTimestamp);
      return at === undefined ? undefined : { at, usageDate: localDay(at, offset), durationMs: 0 };
    }
    case 'MANUAL_ADJUSTMENT':
    case 'MANUAL_CONSUMPTION': {
      const at = instant('transactionDate', record.transactionDate);
      return at === undefined ? undefined : { at, usageDate: localDay(at, offset), durationMs: 0 };
    }
    default:
      return report('/usageCategory', `unknown usage category '${String(record.usageCategory)}'`);
  }
}
