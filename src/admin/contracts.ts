import { AppError } from '../errors.js';
import type { ChargesFrom, ContractDefinition, ContractPatch, ContractYearDefinition, Page, PageRequest, Store } from '../store/index.js';
import { checkOrder, checkTeam, checkUsers, createOnce, invalid, notFound } from './checks.js';

export interface ContractInput {
  readonly contractNumber: string;
  readonly contractName: string;
  readonly teamId: string;
  readonly contractStartDate: string;
  readonly contractEndDate: string;
  readonly multiyearProvisionedTokens?: number;
  readonly contractYears?: readonly ContractYearDefinition[];
  /** Up to ten names; position i names customField{i+1} ('' or absent: unused). */
  readonly enrichmentCategories?: readonly string[];
  readonly contractManagers?: readonly string[];
  /** Default `rating`. */
  readonly chargesFrom?: ChargesFrom;
}

/** The rules a whole contract meets, checked on the merged result of a create or an update. */
function checkContract(contract: Omit<ContractDefinition, 'contractManagers'>): void {
  if (!contract.contractName.trim()) throw invalid('body/contractName', 'must not be empty.');
  checkOrder('body/contractEndDate', contract.contractStartDate, contract.contractEndDate);
  const seen = new Set<number>();
  contract.contractYears.forEach((year, i) => {
    if (seen.has(year.year)) throw invalid(`body/contractYears/${i}/year`, `repeats contract year ${year.year}.`);
    seen.add(year.year);
    checkOrder(`body/contractYears/${i}/endDate`, year.startDate, year.endDate);
  });
  // Token Flex looks enrichment categories up by name (/contract/:c/enrichment/:category).
  const names = new Map<string, number>();
  contract.enrichmentCategories.forEach((name, i) => {
    if (!name) return;
    if (names.has(name.toLowerCase())) throw invalid(`body/enrichmentCategories/${i}`, `repeats the category name "${name}" (customField${names.get(name.toLowerCase())! + 1}).`);
    names.set(name.toLowerCase(), i);
  });
}

function sortYears(years: readonly ContractYearDefinition[]): ContractYearDefinition[] {
  return [...years].sort((a, b) => a.year - b.year);
}

/** Creates a contract of a team, with its years and managers (who then see it in Token Flex). */
export async function createContract(store: Store, input: ContractInput): Promise<ContractDefinition> {
  const contract: ContractDefinition = {
    contractNumber: input.contractNumber,
    contractName: input.contractName.trim(),
    teamId: input.teamId,
    contractStartDate: input.contractStartDate,
    contractEndDate: input.contractEndDate,
    multiyearProvisionedTokens: input.multiyearProvisionedTokens ?? 0,
    contractYears: input.contractYears ?? [],
    enrichmentCategories: Array.from({ length: 10 }, (_, i) => input.enrichmentCategories?.[i]?.trim() ?? ''),
    contractManagers: [...(input.contractManagers ?? [])],
    chargesFrom: input.chargesFrom ?? 'rating',
  };
  checkContract(contract);
  await checkTeam(store, 'body/teamId', input.teamId);
  await checkUsers(store, 'body/contractManagers', input.contractManagers);
  return createOnce(() => store.findContract(contract.contractNumber),
    () => store.createContract({ ...contract, contractYears: sortYears(contract.contractYears) }),
    `A contract with the number ${contract.contractNumber}`);
}

export async function getContract(store: Store, contractNumber: string): Promise<ContractDefinition> {
  const contract = await store.findContract(contractNumber);
  if (!contract) throw notFound(`contract has the number ${contractNumber}`);
  return contract;
}

export function listContracts(store: Store, page: PageRequest): Promise<Page<ContractDefinition>> {
  return store.listContracts(page);
}

/** Changes the members given; `contractYears` and `contractManagers` each replace their whole list. */
export async function updateContract(store: Store, contractNumber: string, patch: ContractPatch): Promise<ContractDefinition> {
  const current = await getContract(store, contractNumber);
  const enrichmentCategories = patch.enrichmentCategories
    ? Array.from({ length: 10 }, (_, i) => patch.enrichmentCategories?.[i]?.trim() ?? '')
    : undefined;
  checkContract({ ...current, ...patch, ...(enrichmentCategories ? { enrichmentCategories } : {}) });
  await checkTeam(store, 'body/teamId', patch.teamId);
  await checkUsers(store, 'body/contractManagers', patch.contractManagers);
  if (patch.chargesFrom !== undefined && patch.chargesFrom !== (current.chargesFrom ?? 'rating') && (await store.listLastUsage(contractNumber)).length > 0) {
    // Its stored records were charged the other way; rated and pre-rated records of one contract
    // year would be re-rated together, and Autodesk's charges overwritten.
    throw new AppError('CONFLICT', `The contract ${contractNumber} already has usage records charged by ${current.chargesFrom === 'autodesk' ? 'Autodesk (its Token Flex exports)' : 'our own rating'}; ` +
      'its chargesFrom cannot change. Create another contract for the other kind of records.');
  }
  const updated = await store.updateContract(contractNumber, {
    ...patch,
    ...(patch.contractName !== undefined ? { contractName: patch.contractName.trim() } : {}),
    ...(patch.contractYears ? { contractYears: sortYears(patch.contractYears) } : {}),
    ...(enrichmentCategories ? { enrichmentCategories } : {}),
  });
  if (!updated) throw notFound(`contract has the number ${contractNumber}`);
  return updated;
}

export async function deleteContract(store: Store, contractNumber: string): Promise<void> {
  const outcome = await store.deleteContract(contractNumber);
  if (outcome === 'not-found') throw notFound(`contract has the number ${contractNumber}`);
  if (outcome === 'in-use') {
    throw new AppError('CONFLICT', `The contract ${contractNumber} still has subscriptions, usage records or export schedules; it cannot be deleted.`);
  }
}
