/**
 * Daily token series of a known shape (level, weekday pattern, growth, steps, holidays, noise), for
 * the tests that check the model recovers that shape and for the evaluation harness (bench/).
 * Deterministic: the same shape and seed give the same series.
 */
import { dayNumber, formatDay, weekdayOf } from './calendar.js';
import type { DailyConsumption } from './forecast-types.js';

export interface SyntheticShape {
  /** First day, YYYY-MM-DD. */
  readonly start: string;
  readonly days: number;
  /** Tokens on an average day at the start (the weekday factors average 1). */
  readonly level: number;
  /** Monday first; normalised to average 1. Default: five working days, quiet weekends. */
  readonly weekdayFactors?: readonly number[];
  /** Growth of the level per day as a share of the starting level (linear), e.g. 0.5 / 365. */
  readonly growthPerDay?: number;
  /** From day index `day` on, the level is multiplied by `factor` (a team joining: > 1). */
  readonly steps?: readonly { readonly day: number; readonly factor: number }[];
  /** Days `from` … `to` (indices, inclusive) are multiplied by `factor` (a holiday: < 1). */
  readonly quietSpells?: readonly { readonly from: number; readonly to: number; readonly factor: number }[];
  /** Standard deviation of the multiplicative day-to-day noise (default 0.1). */
  readonly noise?: number;
  readonly seed?: number;
}

export interface SyntheticSeries {
  readonly days: readonly DailyConsumption[];
  /** The noise-free value of each day. */
  readonly expected: readonly number[];
}

export const WORKWEEK_FACTORS: readonly number[] = [1.36, 1.36, 1.36, 1.36, 1.36, 0.1, 0.1];

/** @internal A series of the given shape. */
export function syntheticSeries(shape: SyntheticShape): SyntheticSeries {
  const start = dayNumber(shape.start);
  const factors = normalised(shape.weekdayFactors ?? WORKWEEK_FACTORS);
  const random = mulberry32(shape.seed ?? 1);
  const noise = shape.noise ?? 0.1;
  const days: DailyConsumption[] = [];
  const expected: number[] = [];
  for (let t = 0; t < shape.days; t++) {
    let level = shape.level * (1 + (shape.growthPerDay ?? 0) * t);
    for (const step of shape.steps ?? []) if (t >= step.day) level *= step.factor;
    for (const spell of shape.quietSpells ?? []) if (t >= spell.from && t <= spell.to) level *= spell.factor;
    const value = level * factors[weekdayOf(start + t)]!;
    expected.push(value);
    const noisy = Math.max(0, value * (1 + noise * gaussian(random)));
    days.push({ date: formatDay(start + t), usageTokens: Math.round(noisy * 100) / 100, adjustmentTokens: 0 });
  }
  return { days, expected };
}

function normalised(factors: readonly number[]): number[] {
  const mean = factors.reduce((a, b) => a + b, 0) / factors.length;
  return factors.map((f) => f / mean);
}

/** A small, well-known 32-bit generator (Tommy Ettinger's Mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Standard normal by Box–Muller. */
function gaussian(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
