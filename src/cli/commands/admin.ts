import { existsSync } from 'node:fs';
import { runAdminCommand } from '../../admin/index.js';
import { controlSocketPath, type Config } from '../../config.js';
import { openStore, type ContractDefinition, type ProductDetail, type TeamDetail } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import { formatRows, type OutputFormat } from '../table.js';
import { askRunningServer } from './accounts.js';

export { parseContractYear } from '../contract-year.js';

/**
 * Runs a team or contract command: through the running server's control socket when one holds
 * the database (DuckDB allows one writer), else on the database directly. The same code as the
 * admin API (`src/admin`) checks and writes, so both refuse the same things.
 */
export async function runAdminCliCommand(config: Config, command: string, body: object): Promise<unknown> {
  const socketPath = controlSocketPath(config.dataDir);
  if (existsSync(socketPath)) {
    try {
      return await askRunningServer(socketPath, `/admin/${command}`, body);
    } catch (error) {
      if (error instanceof CliError) throw error;
      // A socket left by a server that died: open the database ourselves.
    }
  }
  const store = await openStore(config);
  try {
    await store.migrate();
    return await runAdminCommand(store, command, body);
  } finally {
    await store.close();
  }
}

/** `--year 1:2025-01-01:2025-12-31:10000` → a contract year (number, first day, last day, provisioned tokens). */
export function formatTeams(format: OutputFormat, teams: readonly TeamDetail[]): string {
  if (format === 'json') return JSON.stringify(teams, null, 2);
  return formatRows(format, ['teamId', 'name', 'reportingBenefits', 'personalData', 'administrators', 'members'],
    teams.map((t) => [t.teamId, t.name, t.reportingBenefits.join(' '), t.personalData ? 'on' : 'off', t.administrators.length, t.members.length]));
}

export function formatContracts(format: OutputFormat, contracts: readonly ContractDefinition[]): string {
  if (format === 'json') return JSON.stringify(contracts, null, 2);
  return formatRows(format, ['contractNumber', 'contractName', 'teamId', 'contractStartDate', 'contractEndDate', 'years', 'managers'],
    contracts.map((c) => [c.contractNumber, c.contractName, c.teamId, c.contractStartDate, c.contractEndDate, c.contractYears.length, c.contractManagers.length]));
}

export function formatProducts(format: OutputFormat, products: readonly ProductDetail[]): string {
  if (format === 'json') return JSON.stringify(products, null, 2);
  return formatRows(format, ['productLineCode', 'version', 'productName', 'dailyTokenRate', 'seatTokensPerYear', 'effectiveFrom', 'effectiveTo'],
    products.map((p) => [p.productLineCode, p.version, p.productName, p.dailyTokenRate, p.seatTokensPerYear, p.effectiveFrom, p.effectiveTo]));
}
