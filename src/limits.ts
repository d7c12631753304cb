/**
 * The documented bounds of what the service accepts (README "Limits"): page sizes, dates, body
 * sizes, CSV records, numeric values of usage records. One place, so the HTTP schemas, the
 * ingestion readers (src/ingest and src/ingest/sources) and the README say the same thing.
 */
import { AppError } from './errors.js';

/** `limit` of a page: at most this many items (a larger `limit` is clamped on compatible routes). */
export const MAX_PAGE_LIMIT = 1000;
/** `offset` of a page, and every other integer parameter at most: 2^31 − 1, which both databases hold. */
export const MAX_INTEGER_PARAMETER = 2_147_483_647;

/** The dates the service accepts anywhere (requests, bodies, records): years 1970 to 9999. */
export const FIRST_DAY = '1970-01-01';
export const LAST_DAY = '9999-12-31';
const FIRST_MS = Date.UTC(1970, 0, 1);
const END_MS = Date.UTC(10_000, 0, 1);
/** The years 1970–9999 of a `YYYY-MM-DD` text, for JSON schemas (`format: date` takes 0000–9999). */
export const DAY_PATTERN = '^(19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$';

/** The inflated size of a compressed request body (`Content-Encoding: gzip`), whatever its ratio. */
export const MAX_INFLATED_BODY_BYTES = 512 * 1024 * 1024;

/**
 * A date (`YYYY-MM-DD`) or date-time (ISO 8601) in the supported range, as an instant; a date-time
 * with no zone is UTC. `path` names the parameter in the error (`querystring/fromDate`).
 */
export function parseDateInRange(value: string, path: string): Date {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const millis = Date.parse(/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text);
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (Number.isNaN(millis)) {
    throw new AppError('REQUEST_INVALID', `${name} must be a date (YYYY-MM-DD) or an ISO 8601 date-time, got '${value}'.`, {
      errors: [{ path, message: 'is not a date or date-time' }],
    });
  }
  if (millis < FIRST_MS || millis >= END_MS) {
    throw new AppError('REQUEST_INVALID', `${name} must be between ${FIRST_DAY} and ${LAST_DAY}, got '${value}'.`, {
      errors: [{ path, message: `is outside ${FIRST_DAY} to ${LAST_DAY}` }],
    });
  }
  return new Date(millis);
}

/**
 * Numbers of a usage record: what the store and the rating hold exactly. A token or quantity value
 * has at most 6 decimals and a magnitude of at most 10^9, so its millionths (the rating's unit) stay
 * integers below 2^53; a desktop session lasts at most 366 days.
 */
export const RECORD_NUMBER_BOUNDS: Readonly<Record<'tokens' | 'quantity', { readonly maxAbs: number; readonly decimals: number }>> = {
  tokens: { maxAbs: 1e9, decimals: 6 },
  quantity: { maxAbs: 1e9, decimals: 6 },
};
export const MAX_SESSION_MS = 366 * 86_400_000;

/** The number of decimals a number is written with (shortest round-trip form: `0.1` has 1, `1e-7` has 7). */
export function decimalsOf(value: number): number {
  const m = /^-?\d+(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!m) return Number.POSITIVE_INFINITY;
  return Math.max(0, (m[1]?.length ?? 0) - Number(m[2] ?? 0));
}

/** A CSV record (one row, all its lines when a quoted cell spans several): at most this many bytes. */
export const MAX_CSV_RECORD_BYTES = 1 << 20;
/** A CSV record: at most this many cells (the usage format has 39 columns; a Token Flex export about 30). */
export const MAX_CSV_COLUMNS = 200;
