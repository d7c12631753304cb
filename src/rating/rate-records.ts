import { DEFAULT_CASUAL_THRESHOLD_MINUTES, JOB_STATUSES, SOURCES, USAGE_CATEGORIES, USAGE_TYPES } from '../catalog/index.js';
import type { ChargeCategory } from '../catalog/index.js';
import { AppError } from '../errors.js';
import type { ErrorDetail } from '../errors.js';
import { formatDayNumber, isCalendarDay, localDayNumber, parseInstant, parseOffsetMinutes } from './instant.js';
import type {
  AffectedUserDay, RatedCharge, RatingContext, RatingContractYear, RatingOptions, RatingProduct, RatingSession,
} from './rating-types.js';

export const DEFAULT_RATING_OPTIONS: RatingOptions = Object.freeze({ casualThresholdMinutes: DEFAULT_CASUAL_THRESHOLD_MINUTES });

/** At most this many problems travel in one error; the message still counts them all. */
const MAX_REPORTED_PROBLEMS = 100;

/** How a record is rated, decided once from its category and source. */
type RatingKind = 'flex-desktop' | 'other-desktop' | 'cloud' | 'manual';

/** A record with its times parsed and everything the rating looks up resolved. */
interface PreparedRecord {
  readonly record: RatingSession;
  /** Position in the caller's array. */
  readonly index: number;
  readonly id: string;
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

/**
 * A map key of several parts. NUL cannot be confused with text a record carries in practice, and
 * the parts are length-prefixed anyway, so two different tuples never share a key. (This was
 * JSON.stringify; at a million records it was a tenth of the rating time.)
 */
function key(...parts: readonly (string | number)[]): string {
  let out = '';
  for (const part of parts) {
    const text = String(part);
    out += `${text.length}\u0000${text}\u0000`;
  }
  return out;
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
  return Object.freeze([...rateRecordsInInputOrder(records, context, options)].sort(compareById));
}

/** `rateRecords`, with `charges[i]` the charge of `records[i]` instead of sorted by id. */
function rateRecordsInInputOrder(
  records: readonly RatingSession[],
  context: RatingContext,
  options: Partial<RatingOptions> = {},
): readonly RatedCharge[] {
  const casualMs = resolveCasualThresholdMs(options);
  const products = indexProducts(context);
  const ordered = sortInRatingOrder(prepareRecords(records, context, products));
  // Dearest daily rate charged so far per (contract, user, rating day); absent = nothing charged yet.
  const dearestCharged = new UserDayRates();
  // Running token total per contract year (the context's year object stands for it), starting
  // from what was drawn before the batch.
  const drawn = new Map<RatingContractYear, number>();
  const charges: RatedCharge[] = new Array<RatedCharge>(records.length);
  for (const item of ordered) {
    const { chargeCategory, tokens } = chargeOf(item, casualMs, dearestCharged);
    const year = item.contractYear;
    const total = (drawn.get(year) ?? year.tokensConsumedBefore ?? 0) + tokens;
    drawn.set(year, total);
    charges[item.index] = Object.freeze({
      id: item.id,
      usageDate: item.usageDate,
      contractYear: year.year,
      chargeCategory,
      tokenPool: total <= year.provisionedTokens ? 'CY' : 'MY',
      tokensConsumed: tokens,
      isChargedEvent: chargeCategory === 'CHARGED' || chargeCategory === 'INCREMENTAL',
      // Two decimals, as the seed's round(secs / 60.0, 2).
      usageMinutes: Math.round(item.durationMs / 600) / 100,
    });
  }
  return Object.freeze(charges);
}

/**
 * Rates by (contract, user, day), as nested maps of the records' own strings rather than one map
 * of joined keys: a joined key is a new string to build and hash per record, the records' strings
 * are hashed once (a fifth of the rating time at a million records).
 */
class UserDayRates {
  private readonly byContract = new Map<string, Map<string, Map<string, number>>>();

  /** The rates by day of one user of one contract, created empty on first use. */
  day(contractNumber: string, userName: string): Map<string, number> {
    let byUser = this.byContract.get(contractNumber);
    if (byUser === undefined) {
      byUser = new Map();
      this.byContract.set(contractNumber, byUser);
    }
    let byDay = byUser.get(userName);
    if (byDay === undefined) {
      byDay = new Map();
      byUser.set(userName, byDay);
    }
    return byDay;
  }
}

function compareRatingOrder(a: PreparedRecord, b: PreparedRecord): number {
  return a.at - b.at || compareText(a.id, b.id);
}

function compareById(a: RatedCharge, b: RatedCharge): number {
  return compareText(a.id, b.id);
}

/**
 * The records in the rating order (usage time, then id). A least-significant-digit radix sort of
 * the times (16-bit digits over typed arrays), then a comparison sort of each run of equal times
 * by id, far cheaper than a comparison sort of the objects since equal times are rare
 * (docs/measurements.md). Spans beyond 2^48 ms (8,900 years) fall back to the plain sort.
 */
function sortInRatingOrder(prepared: readonly PreparedRecord[]): PreparedRecord[] {
  const n = prepared.length;
  let min = Infinity;
  let max = -Infinity;
  for (const item of prepared) {
    if (item.at < min) min = item.at;
    if (item.at > max) max = item.at;
  }
  if (n < 64 || !(max - min < 2 ** 48)) return [...prepared].sort(compareRatingOrder);
  let order = new Uint32Array(n);
  let next = new Uint32Array(n);
  const digits = [new Uint16Array(n), new Uint16Array(n), new Uint16Array(n)] as const;
  for (let i = 0; i < n; i++) {
    order[i] = i;
    const relative = (prepared[i] as PreparedRecord).at - min;
    digits[0][i] = relative % 65_536;
    digits[1][i] = Math.floor(relative / 65_536) % 65_536;
    digits[2][i] = Math.floor(relative / 4_294_967_296);
  }
  const counts = new Uint32Array(65_537);
  for (const digit of digits) {
    counts.fill(0);
    for (let i = 0; i < n; i++) (counts[(digit[i] as number) + 1] as number)++;
    if (counts[(digit[0] as number) + 1] === n) continue; // every key has this digit: nothing to move
    for (let d = 1; d < counts.length; d++) counts[d] = (counts[d] as number) + (counts[d - 1] as number);
    for (let i = 0; i < n; i++) {
      const item = order[i] as number;
      const slot = (digit[item] as number);
      next[counts[slot] as number] = item;
      counts[slot] = (counts[slot] as number) + 1;
    }
    [order, next] = [next, order];
  }
  const sorted = Array.from(order, (i) => prepared[i] as PreparedRecord);
  // Equal times: by id, which makes the order total.
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && (sorted[end] as PreparedRecord).at === (sorted[start] as PreparedRecord).at) end++;
    if (end - start > 1) {
      const run = sorted.slice(start, end).sort(compareRatingOrder);
      for (let k = 0; k < run.length; k++) sorted[start + k] = run[k] as PreparedRecord;
    }
    start = end;
  }
  return sorted;
}

function chargeOf(item: PreparedRecord, casualMs: number, dearestCharged: UserDayRates): { chargeCategory: ChargeCategory; tokens: number } {
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
      const day = dearestCharged.day(record.contractNumber, record.userName);
      const dearest = day.get(item.usageDate);
      if (dearest === undefined) {
        day.set(item.usageDate, item.rate);
        return { chargeCategory: 'CHARGED', tokens: item.rate };
      }
      if (item.rate > dearest) {
        day.set(item.usageDate, item.rate);
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
 * after S (the batch included), and also, as context, the records before S of the user-days
 * those records are on (a day that began before S: its later sessions' charges depend on its
 * earlier ones); `tokensConsumedBefore` = the tokens of the year's records before S less the
 * context's, which the rating counts again. Every charge returned for a record at or after S is
 * then exact; no record before S changes, so the context's charges are not to be written back.
 */
export function affectedUserDays(records: readonly RatingSession[]): readonly AffectedUserDay[] {
  const problems = new Problems();
  const found = new Map<string, AffectedUserDay>();
  const days = new DayCache();
  records.forEach((record, index) => {
    const times = prepareTimes(record, index, problems, days);
    if (!times) return;
    const day = { contractNumber: record.contractNumber, userName: record.userName, usageDate: times.usageDate };
    found.set(key(day.contractNumber, day.userName, day.usageDate), Object.freeze(day));
  });
  problems.throwIfAny('Cannot find the days these records touch');
  return Object.freeze([...found.values()].sort((a, b) =>
    compareText(a.contractNumber, b.contractNumber) || compareText(a.userName, b.userName) || compareText(a.usageDate, b.usageDate)));
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

/** Reports a problem of record `index`; a plain function so the hot loop allocates no closures. */
function reportRecord(problems: Problems, id: string, index: number, field: string, message: string): undefined {
  problems.add(id, `/records/${index}${field}`, `record '${id}': ${message}`);
  return undefined;
}

function prepareRecords(
  records: readonly RatingSession[],
  context: RatingContext,
  products: ReadonlyMap<string, readonly RatingProduct[]>,
): PreparedRecord[] {
  const problems = new Problems();
  const seen = new Set<string>();
  const prepared: PreparedRecord[] = [];
  const days = new DayCache();
  for (let index = 0; index < records.length; index++) {
    const record = records[index] as RatingSession;
    const id = typeof record.id === 'string' ? record.id : '';
    const before = problems.size;
    if (id === '') reportRecord(problems, id, index, '/id', 'the id must be a non-empty string');
    else if (seen.has(id)) reportRecord(problems, id, index, '/id', 'the id appears more than once in the batch');
    seen.add(id);
    if (!USAGE_CATEGORIES.includes(record.usageCategory)) reportRecord(problems, id, index, '/usageCategory', `unknown usage category '${String(record.usageCategory)}'`);
    if (!SOURCES.includes(record.source)) reportRecord(problems, id, index, '/source', `unknown source '${String(record.source)}'`);
    if (record.usageType !== null && record.usageType !== undefined && !USAGE_TYPES.includes(record.usageType)) {
      reportRecord(problems, id, index, '/usageType', `unknown usage type '${String(record.usageType)}'`);
    }
    if (record.jobStatus !== null && record.jobStatus !== undefined && !JOB_STATUSES.includes(record.jobStatus)) {
      reportRecord(problems, id, index, '/jobStatus', `unknown job status '${String(record.jobStatus)}'`);
    }
    if (record.tokens !== null && record.tokens !== undefined && !isFiniteNumber(record.tokens)) {
      reportRecord(problems, id, index, '/tokens', `tokens must be a finite number, got ${String(record.tokens)}`);
    }
    if (problems.size > before) continue;

    const times = prepareTimes(record, index, problems, days);
    if (!times) continue;
    const kind = kindOf(record);
    const usageDate = times.usageDate;

    const contractYear = findContractYear(context.contractYears.get(record.contractNumber), usageDate);
    if (!contractYear) {
      reportRecord(problems, id, index, '/contractNumber', context.contractYears.has(record.contractNumber)
        ? `no year of contract ${record.contractNumber} covers its usage date ${usageDate}`
        : `unknown contract ${record.contractNumber}`);
    }

    let rate = 0;
    if (kind === 'flex-desktop') {
      const found = findProduct(record, usageDate, products);
      if (typeof found === 'string') reportRecord(problems, id, index, '/productVersion', found);
      else rate = found.dailyTokenRate;
    } else if (kind === 'cloud' && record.source === 'flex' && record.jobStatus !== 'Failed' && !isFiniteNumber(record.tokens)) {
      reportRecord(problems, id, index, '/tokens', 'a charged cloud event needs its tokens');
    } else if (kind === 'cloud' && isFiniteNumber(record.tokens) && record.tokens < 0) {
      reportRecord(problems, id, index, '/tokens', `a cloud event cannot have negative tokens (${record.tokens})`);
    } else if (kind === 'manual' && !isFiniteNumber(record.tokens)) {
      reportRecord(problems, id, index, '/tokens', 'a manual record needs its tokens');
    }

    if (problems.size > before || !contractYear) continue;
    prepared.push({ record, index, id, kind, at: times.at, usageDate, durationMs: times.durationMs, contractYear, rate });
  }
  problems.throwIfAny(problems.size === 1 ? 'Cannot rate a record' : 'Cannot rate these records');
  return prepared;
}

/** The year whose range holds the day ('YYYY-MM-DD' strings compare in calendar order). */
function findContractYear(years: readonly RatingContractYear[] | undefined, usageDate: string): RatingContractYear | undefined {
  if (years === undefined) return undefined;
  for (const year of years) {
    if (year.startDate <= usageDate && usageDate <= year.endDate) return year;
  }
  return undefined;
}

/**
 * Day strings by day number, and offsets by their text: a batch has few distinct days and
 * offsets, so formatting and parsing each once saves most of the per-record date work.
 */
class DayCache {
  private readonly daysByNumber = new Map<number, string>();
  private readonly offsets = new Map<string, number | undefined>();

  day(epochMs: number, offsetMinutes: number): string {
    const n = localDayNumber(epochMs, offsetMinutes);
    let text = this.daysByNumber.get(n);
    if (text === undefined) {
      text = formatDayNumber(n);
      this.daysByNumber.set(n, text);
    }
    return text;
  }

  offset(text: string): number | undefined {
    if (this.offsets.has(text)) return this.offsets.get(text);
    const minutes = parseOffsetMinutes(text);
    this.offsets.set(text, minutes);
    return minutes;
  }
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
  days: DayCache,
): { at: number; usageDate: string; durationMs: number } | undefined {
  const id = typeof record.id === 'string' ? record.id : '';
  // No offset: the UTC day. Cloud and manual records seldom carry one, so they are dated in UTC.
  let offset = 0;
  if (record.licenseServerTzOffset !== null && record.licenseServerTzOffset !== undefined) {
    const parsed = typeof record.licenseServerTzOffset === 'string' ? days.offset(record.licenseServerTzOffset) : undefined;
    if (parsed === undefined) return reportRecord(problems, id, index, '/licenseServerTzOffset', `licenseServerTzOffset '${String(record.licenseServerTzOffset)}' is not an offset like +01:00`);
    offset = parsed;
  }

  switch (record.usageCategory) {
    case 'DESKTOP_PRODUCT': {
      const start = instantOf(record, index, problems, 'sessionStart', record.sessionStart);
      const end = instantOf(record, index, problems, 'sessionEnd', record.sessionEnd);
      if (start === undefined || end === undefined) return undefined;
      if (end < start) return reportRecord(problems, id, index, '/sessionEnd', `the session ends (${String(record.sessionEnd)}) before it starts (${String(record.sessionStart)})`);
      return { at: start, usageDate: days.day(start, offset), durationMs: end - start };
    }
    case 'CLOUD_PRODUCT':
    case 'CLOUD_SERVICE': {
      const at = instantOf(record, index, problems, 'usageTimestamp', record.usageTimestamp);
      return at === undefined ? undefined : { at, usageDate: days.day(at, offset), durationMs: 0 };
    }
    case 'MANUAL_ADJUSTMENT':
    case 'MANUAL_CONSUMPTION': {
      const at = instantOf(record, index, problems, 'transactionDate', record.transactionDate);
      return at === undefined ? undefined : { at, usageDate: days.day(at, offset), durationMs: 0 };
    }
    default:
      return reportRecord(problems, id, index, '/usageCategory', `unknown usage category '${String(record.usageCategory)}'`);
  }
}

/** Epoch ms of one of a record's date-times, or undefined after reporting why not. */
function instantOf(record: RatingSession, index: number, problems: Problems, field: string, value: string | null | undefined): number | undefined {
  const id = typeof record.id === 'string' ? record.id : '';
  if (value === null || value === undefined) return reportRecord(problems, id, index, `/${field}`, `${field} is missing`);
  const ms = typeof value === 'string' ? parseInstant(value) : undefined;
  return ms ?? reportRecord(problems, id, index, `/${field}`, `${field} '${String(value)}' is not an ISO date-time`);
}
