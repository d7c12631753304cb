import type { ContractYearDefinition } from '../store/index.js';
import { CliError } from './cli-error.js';

/** `--year YEAR:START:END:TOKENS` of `insights contract create` (a light module: parsed before any command loads). */
export function parseContractYear(value: string): ContractYearDefinition {
  const match = /^(\d{1,3}):(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2}):(\d+(?:\.\d+)?)$/.exec(value);
  if (!match) throw new CliError(`--year must look like YEAR:START:END:TOKENS, e.g. 1:2025-01-01:2025-12-31:10000; got "${value}"`);
  return { year: Number(match[1]), startDate: match[2]!, endDate: match[3]!, provisionedTokens: Number(match[4]) };
}
