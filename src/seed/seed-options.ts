import { AppError } from '../errors.js';

export interface SeedOptions {
  /** Number of usage records to generate, exactly. */
  readonly rows: number;
  /** Same seed and options ⇒ the same table contents. */
  readonly seed: number;
  /** First usage day, YYYY-MM-DD. */
  readonly from: string;
  /** Last usage day (inclusive), YYYY-MM-DD. */
  readonly to: string;
  /** Desktop sessions shorter than this are rated CASUAL (default: the rating's, 5 minutes). */
  readonly casualThresholdMinutes?: number;
  /** Threads of the generator's DuckDB (default: DuckDB's, one per core); the output does not depend on it. */
  readonly threads?: number;
}

export interface SeedSummary {
  readonly users: number;
  readonly teams: number;
  readonly contracts: number;
  readonly products: number;
  readonly subscriptions: number;
  readonly usageRecords: number;
  readonly millis: number;
}

/** A fixed two-year window, not "the last two years", so the default output never changes. */
export const DEFAULT_SEED_OPTIONS: SeedOptions = Object.freeze({
  rows: 200_000,
  seed: 42,
  from: '2024-11-01',
  to: '2026-10-31',
});

export const DEMO_ADMIN_EMAIL = 'admin@example.com';
export const DEMO_ALICE_EMAIL = 'alice@example.com';
/** User 1: admin of every team and manager of every contract. */
export const DEMO_ADMIN_USER_ID = 'U000001';
/** User 2: admin of the London Studio team only and manager of its contract only. */
export const DEMO_ALICE_USER_ID = 'U000002';

/** The options, checked, and the sizes that follow from them. */
export interface SeedPlan {
  readonly rows: number;
  readonly seed: number;
  readonly from: string;
  readonly to: string;
  readonly days: number;
  readonly months: number;
  readonly users: number;
  /** Manual transactions (adjustments, offline usage): the first `manual` record numbers. */
  readonly manual: number;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

function parseDay(name: string, value: string): number {
  const ms = DATE_RE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new AppError('REQUEST_INVALID', `Seed option ${name} must be a date YYYY-MM-DD, got '${value}'.`);
  }
  return ms;
}

/** Checks the options (REQUEST_INVALID naming the bad one) and sizes the dataset. */
export function planSeed(options: SeedOptions): SeedPlan {
  const { rows, seed, from, to } = options;
  if (!Number.isSafeInteger(rows) || rows < 0 || rows > 9_999_999_999) {
    throw new AppError('REQUEST_INVALID', `Seed option rows must be a whole number from 0 to 9999999999, got ${rows}.`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new AppError('REQUEST_INVALID', `Seed option seed must be a whole number, got ${seed}.`);
  }
  if (options.threads !== undefined && (!Number.isSafeInteger(options.threads) || options.threads < 1)) {
    throw new AppError('REQUEST_INVALID', `Seed option threads must be a whole number from 1, got ${options.threads}.`);
  }
  const fromMs = parseDay('from', from);
  const toMs = parseDay('to', to);
  if (toMs < fromMs) throw new AppError('REQUEST_INVALID', `Seed option to (${to}) is before from (${from}).`);
  const days = Math.round((toMs - fromMs) / 86_400_000) + 1;
  const months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12
    + Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
  // Users grow with the square root of the rows: 300 at 200k, about 2,100 at 10M, as a customer
  // with more usage has more people but also more usage per person.
  const users = Math.max(25, Math.round(300 * Math.sqrt(rows / 200_000)));
  // Manual transactions are made by hand, so about a dozen a month whatever the volume.
  const manual = Math.min(Math.floor(rows * 0.002), 12 * months);
  return { rows, seed, from, to, days, months, users, manual };
}
