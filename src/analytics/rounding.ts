/** Tokens and days to the hundredth (and never −0). */
export function round2(value: number): number {
  return Math.round(value * 100) / 100 + 0;
}

/** Ratios and parameters to four decimals. */
export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000 + 0;
}
