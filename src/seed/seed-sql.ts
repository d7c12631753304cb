import type { SeedPlan } from './seed-options.js';

// The building blocks every phase of the generator writes its SQL with.

/** Sessions shorter than this are CASUAL and free (spec §6, "casual threshold"). */
export const CASUAL_SECONDS = 300;

// Sizes of the lookup tables that turn a uniform hash into a weighted choice by an equi-join
// (slot → item). An equi-join on a small table is a hash join DuckDB runs at full speed; a range
// join against cumulative weights was the alternative and needs a sort of all rows.
export const USER_SLOTS = 1 << 17;
export const DAY_SLOTS = 1 << 16;
export const HOUR_SLOTS = 1 << 10;
export const PRODUCT_SLOTS = 1 << 12;
export const CLOUD_SLOTS = 1 << 8;
export const TEAM_SLOTS = 1 << 10;

/** A SQL string literal. Only our own constants and validated options go through here. */
export function lit(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The rows of a `values` list. */
export function values(rows: readonly (readonly (string | number | null)[])[]): string {
  return rows
    .map((row) => `(${row.map((v) => (v === null ? 'null' : typeof v === 'number' ? String(v) : lit(v))).join(', ')})`)
    .join(',\n  ');
}

/**
 * A weighted-choice table: for each partition, slots 0..size-1 are split between items in
 * proportion to their integer weights (integers, so the running sums are exact and the slots tile
 * the range with no gap or overlap whatever the summation order).
 */
export function slotTable(name: string, weightsSql: string, partition: string, item: string, size: number): string {
  const part = partition === '' ? '' : `partition by ${partition}`;
  const keys = partition === '' ? item : `${partition}, ${item}`;
  return `create temp table ${name} as
with w as (${weightsSql}),
c as (select *, sum(weight) over (${part} order by ${item} rows between unbounded preceding and current row) as hi from w),
b as (select *, coalesce(lag(hi) over (${part} order by ${item}), 0) as lo, max(hi) over (${part}) as total from c)
select ${keys}, unnest(range(cast(lo * ${size} // total as bigint), cast(hi * ${size} // total as bigint))) as slot
from b where total > 0`;
}

/**
 * Deterministic draws: SQL expressions of hashes of an integer and the seed, never random(), so
 * the same options give the same rows whatever the thread count.
 */
export interface Draws {
  /**
   * 64-bit hash of draw k (< 1024) of the integer `expr`, salted by the seed. The draws are hashes
   * of distinct integers (expr * 1024 + k): DuckDB's variadic hash(a, b, c) combines the hashes of
   * its arguments, so hash(i, s, 1) and hash(i, s, 3) were correlated and every draw of a row
   * leaned the same way.
   */
  hash(expr: string, k: number | string): string;
  /**
   * Uniform integer in [0, m) as BIGINT (hash() is UBIGINT, whose arithmetic must not go negative).
   * From the high 32 bits: the low bits of hash() of consecutive integers were visibly uneven.
   */
  int(expr: string, k: number | string, m: number): string;
  /** Uniform double in [0, 1) from the top 53 bits of the hash. */
  uniform(expr: string, k: number | string): string;
  /** Standard normal by Box–Muller from two draws. */
  normal(expr: string, k1: number, k2: number): string;
}

export function drawsOf(seed: number): Draws {
  const salt = `${seed}::BIGINT`;
  const hash = (expr: string, k: number | string) => `hash((${expr}) * 1024 + ${k}, ${salt})`;
  const uniform = (expr: string, k: number | string) => `((${hash(expr, k)} >> 11)::DOUBLE / 9007199254740992.0)`;
  return {
    hash,
    int: (expr, k, m) => `cast((${hash(expr, k)} >> 32) % ${m} as bigint)`,
    uniform,
    normal: (expr, k1, k2) => `(sqrt(-2 * ln(greatest(${uniform(expr, k1)}, 1e-12))) * cos(2 * pi() * ${uniform(expr, k2)}))`,
  };
}

/**
 * Per-record draws used in more than one statement (generating the sessions, writing the
 * records), so both compute the same value from the record number `i`.
 */
export interface RecordDraws {
  /** Index into USAGE_CATEGORIES. The first `manual` ids are the manual transactions, the rest split 85 / 8 / 7. */
  category(i: string): string;
  borrowed(i: string): string;
  laptop(i: string): string;
  failed(i: string): string;
  misc(i: string): string;
  /** Index into REASON_TYPES: adjustments are corrections, refunds or service credits; consumptions mostly offline usage. */
  reason(category: string, i: string): string;
  /** Tokens of an adjustment (refunds and credits negative), days of offline use for a consumption. */
  manualQuantity(i: string): string;
}

export function recordDrawsOf(plan: SeedPlan, d: Draws): RecordDraws {
  const misc = (i: string) => `cast(${d.hash(i, 18)} >> 11 as bigint)`;
  const category = (i: string) => `case when ${i} < ${plan.manual} then case when ${d.uniform(i, 1)} < 0.5 then 3 else 4 end
      else case when ${d.uniform(i, 1)} < 0.85 then 0 when ${d.uniform(i, 1)} < 0.93 then 1 else 2 end end`;
  return {
    category,
    borrowed: (i) => `${d.uniform(i, 9)} < 0.02`,
    laptop: (i) => `${d.uniform(i, 14)} < 0.15`,
    failed: (i) => `${d.uniform(i, 16)} < 0.04`,
    misc,
    reason: (cat, i) => `case ${cat} when 3 then case when ${misc(i)} % 100 < 40 then 0 when ${misc(i)} % 100 < 75 then 1 else 2 end
      when 4 then case when ${misc(i)} % 100 < 85 then 3 else 0 end end`,
    manualQuantity: (i) => `case ${category(i)}
      when 3 then case when ${misc(i)} % 100 < 40 then (5 + (${misc(i)} // 100) % 200) * case when ${d.uniform(i, 19)} < 0.5 then -1 else 1 end
                       when ${misc(i)} % 100 < 75 then -(10 + (${misc(i)} // 100) % 490)
                       else -(50 + (${misc(i)} // 100) % 950) end
      when 4 then 1 + (${misc(i)} // 100) % 20 end`,
  };
}

/** What every phase gets: the plan, its draws, and the window's first and last day as SQL. */
export interface PhaseContext {
  readonly plan: SeedPlan;
  readonly d: Draws;
  readonly draw: RecordDraws;
  readonly firstDay: string;
  readonly lastDay: string;
}

export function phaseContext(plan: SeedPlan): PhaseContext {
  const d = drawsOf(plan.seed);
  return { plan, d, draw: recordDrawsOf(plan, d), firstDay: `DATE ${lit(plan.from)}`, lastDay: `DATE ${lit(plan.to)}` };
}
