/**
 * Rounds of a property or race test: all of them under `npm test`, a fifth (at least 3) under
 * `npm run test:quick` (TEST_QUICK=1), which checks the same properties on fewer samples.
 */
export function rounds(full: number): number {
  return process.env.TEST_QUICK === '1' ? Math.max(3, Math.ceil(full / 5)) : full;
}
