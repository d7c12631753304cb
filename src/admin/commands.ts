import { AppError } from '../errors.js';
import type { ContractYearDefinition, Page, PageRequest, Store } from '../store/index.js';
import { createContract, listContracts, updateContract } from './contracts.js';
import { listProducts, setSeatPrice } from './products.js';
import { createTeam, listTeams, updateTeam } from './teams.js';

/** Every row of a paged list (the CLI prints whole lists). */
async function everything<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await list({ offset, limit: 1000 });
    items.push(...page.items);
    if (page.items.length < 1000) return items;
  }
}

/** The CLI names people by e-mail address; the store keeps ids. */
async function userIds(store: Store, option: string, emails: unknown): Promise<string[]> {
  if (emails === undefined) return [];
  if (!Array.isArray(emails)) throw new AppError('REQUEST_INVALID', `Expected "${option}" to be a list of e-mail addresses.`);
  const ids: string[] = [];
  for (const email of emails.map(String)) {
    const user = await store.findUserByEmail(email);
    if (!user) throw new AppError('NOT_FOUND', `${option}: no user has the e-mail address ${email}.`);
    ids.push(user.id);
  }
  return ids;
}

function text(args: Record<string, unknown>, name: string): string {
  const value = args[name];
  if (typeof value !== 'string') throw new AppError('REQUEST_INVALID', `Expected "${name}" to be a string.`);
  return value;
}

function optionalStrings(args: Record<string, unknown>, name: string): string[] | undefined {
  const value = args[name];
  return Array.isArray(value) ? value.map(String) : undefined;
}

/**
 * Runs one team, contract or product command by name with a JSON argument: the single entry point of the
 * CLI (on a database it opened itself) and of the control socket (with the server's store).
 * People are named by e-mail address, as in the other CLI commands.
 */
export async function runAdminCommand(store: Store, command: string, input: unknown): Promise<unknown> {
  const args = (input ?? {}) as Record<string, unknown>;
  switch (command) {
    case 'team-create':
      return createTeam(store, {
        ...(typeof args.teamId === 'string' ? { teamId: args.teamId } : {}),
        name: text(args, 'name'),
        reportingBenefits: optionalStrings(args, 'reportingBenefits') ?? [],
        ...(typeof args.personalData === 'boolean' ? { personalData: args.personalData } : {}),
        administrators: await userIds(store, '--admin', args.administrators),
        members: await userIds(store, '--member', args.members),
      });
    case 'team-update':
      return updateTeam(store, text(args, 'teamId'), {
        ...(typeof args.name === 'string' ? { name: args.name } : {}),
        ...(typeof args.personalData === 'boolean' ? { personalData: args.personalData } : {}),
      });
    case 'team-list':
      return everything((page) => listTeams(store, page));
    case 'contract-create':
      return createContract(store, {
        contractNumber: text(args, 'contractNumber'),
        contractName: text(args, 'contractName'),
        teamId: text(args, 'teamId'),
        contractStartDate: text(args, 'contractStartDate'),
        contractEndDate: text(args, 'contractEndDate'),
        ...(typeof args.multiyearProvisionedTokens === 'number' ? { multiyearProvisionedTokens: args.multiyearProvisionedTokens } : {}),
        contractYears: Array.isArray(args.contractYears) ? args.contractYears as ContractYearDefinition[] : [],
        enrichmentCategories: optionalStrings(args, 'enrichmentCategories') ?? [],
        contractManagers: await userIds(store, '--manager', args.contractManagers),
        ...(args.chargesFrom === 'rating' || args.chargesFrom === 'autodesk' ? { chargesFrom: args.chargesFrom } : {}),
      });
    case 'contract-set-charges-from': {
      const chargesFrom = text(args, 'chargesFrom');
      if (chargesFrom !== 'rating' && chargesFrom !== 'autodesk') throw new AppError('REQUEST_INVALID', 'Expected "chargesFrom" to be rating or autodesk.');
      return updateContract(store, text(args, 'contractNumber'), { chargesFrom });
    }
    case 'contract-list':
      return everything((page) => listContracts(store, page));
    case 'product-list':
      return everything((page) => listProducts(store, page));
    case 'product-set-seat-price': {
      const tokens = args.seatTokensPerYear;
      if (tokens !== null && typeof tokens !== 'number') throw new AppError('REQUEST_INVALID', 'Expected "seatTokensPerYear" to be a number or null.');
      return setSeatPrice(store, text(args, 'productLineCode'), tokens);
    }
    default:
      throw new AppError('NOT_FOUND', `No admin command "${command}".`);
  }
}
