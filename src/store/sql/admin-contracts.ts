import type { Db, SqlDialect } from './dialect.js';
import type { ChargesFrom, ContractDefinition, ContractYearDefinition, PageRequest } from '../contract/index.js';
import { placeholders } from './admin-users.js';

/** A contract row without its years and managers; the store joins them. */
export type ContractRow = Omit<ContractDefinition, 'contractYears' | 'contractManagers'> & { readonly isActive: boolean };

const CONTRACT_COLUMNS = (d: SqlDialect) => `contract_number, name, team_id, ${d.isoDate('start_date')} as start_date,
  ${d.isoDate('end_date')} as end_date, current_date between start_date and end_date as is_active,
  multiyear_provisioned_tokens, enrichment_categories, coalesce(charges_from, 'rating') as charges_from`;

function toContractRow(row: Record<string, unknown>): ContractRow {
  const names = String(row.enrichment_categories ?? '').split('\t');
  return Object.freeze({
    contractNumber: String(row.contract_number),
    contractName: String(row.name),
    teamId: String(row.team_id),
    contractStartDate: String(row.start_date),
    contractEndDate: String(row.end_date),
    isActive: Boolean(row.is_active),
    multiyearProvisionedTokens: Number(row.multiyear_provisioned_tokens),
    enrichmentCategories: Object.freeze(Array.from({ length: 10 }, (_, i) => names[i] ?? '')),
    chargesFrom: row.charges_from === 'autodesk' ? 'autodesk' : 'rating',
  });
}

/** Ten names joined by a tab (the column's format, see 0001_init.sql). */
function joinCategories(names: readonly string[]): string {
  return Array.from({ length: 10 }, (_, i) => names[i] ?? '').join('\t');
}

export async function insertContract(db: Db, contract: ContractDefinition): Promise<void> {
  await db.query(
    `insert into contracts (contract_number, name, team_id, start_date, end_date, multiyear_provisioned_tokens, enrichment_categories, charges_from)
     values ($1, $2, $3, cast($4 as date), cast($5 as date), $6, $7, $8)`,
    [contract.contractNumber, contract.contractName, contract.teamId, contract.contractStartDate, contract.contractEndDate,
      contract.multiyearProvisionedTokens, joinCategories(contract.enrichmentCategories), contract.chargesFrom ?? 'rating']);
}

export async function selectContractRow(db: Db, contractNumber: string): Promise<ContractRow | undefined> {
  const row = (await db.query(`select ${CONTRACT_COLUMNS(db.dialect)} from contracts where contract_number = $1`, [contractNumber])).rows[0];
  return row ? toContractRow(row) : undefined;
}

export async function selectContractsPage(db: Db, page: PageRequest): Promise<ContractRow[]> {
  const result = await db.query(
    `select ${CONTRACT_COLUMNS(db.dialect)} from contracts order by contract_number limit $1 offset $2`, [page.limit, page.offset]);
  return result.rows.map(toContractRow);
}

export async function countContracts(db: Db): Promise<number> {
  const result = await db.query('select cast(count(*) as integer) as n from contracts');
  return Number(result.rows[0]?.n ?? 0);
}

/** Sets the members given (null leaves a column as it is); false when there is no such contract. */
export async function updateContractRow(
  db: Db, contractNumber: string,
  patch: { contractName?: string; teamId?: string; contractStartDate?: string; contractEndDate?: string; multiyearProvisionedTokens?: number; enrichmentCategories?: readonly string[]; chargesFrom?: ChargesFrom },
): Promise<boolean> {
  const result = await db.query(
    `update contracts set name = coalesce($2, name), team_id = coalesce($3, team_id),
            start_date = coalesce(cast($4 as date), start_date), end_date = coalesce(cast($5 as date), end_date),
            multiyear_provisioned_tokens = coalesce($6, multiyear_provisioned_tokens),
            enrichment_categories = coalesce($7, enrichment_categories), charges_from = coalesce(cast($8 as varchar), charges_from, 'rating')
      where contract_number = $1 returning contract_number`,
    [contractNumber, patch.contractName ?? null, patch.teamId ?? null, patch.contractStartDate ?? null, patch.contractEndDate ?? null,
      patch.multiyearProvisionedTokens ?? null, patch.enrichmentCategories ? joinCategories(patch.enrichmentCategories) : null, patch.chargesFrom ?? null]);
  return result.rows.length > 0;
}

/** The years of some contracts, ordered by contract and year. */
export async function selectContractYearDefinitions(
  db: Db, contractNumbers: readonly string[],
): Promise<{ contractNumber: string; year: ContractYearDefinition }[]> {
  if (contractNumbers.length === 0) return [];
  const result = await db.query(
    `select contract_number, year, ${db.dialect.isoDate('start_date')} as start_date, ${db.dialect.isoDate('end_date')} as end_date, provisioned_tokens
       from contract_years where contract_number in (${placeholders(contractNumbers.length)}) order by contract_number, year`,
    [...contractNumbers]);
  return result.rows.map((row) => ({
    contractNumber: String(row.contract_number),
    year: Object.freeze({ year: Number(row.year), startDate: String(row.start_date), endDate: String(row.end_date), provisionedTokens: Number(row.provisioned_tokens) }),
  }));
}

export async function deleteContractYears(db: Db, contractNumber: string): Promise<void> {
  await db.query('delete from contract_years where contract_number = $1', [contractNumber]);
}

export async function insertContractYears(db: Db, contractNumber: string, years: readonly ContractYearDefinition[]): Promise<void> {
  if (years.length === 0) return;
  await db.query(
    `insert into contract_years (contract_number, year, start_date, end_date, provisioned_tokens) values ${years.map((_, i) => {
      const n = 4 * i + 2;
      return `($1, $${n}, cast($${n + 1} as date), cast($${n + 2} as date), $${n + 3})`;
    }).join(', ')}`,
    [contractNumber, ...years.flatMap((y) => [y.year, y.startDate, y.endDate, y.provisionedTokens])]);
}

/** The managers of some contracts, ordered by contract and user id. */
export async function selectContractManagers(db: Db, contractNumbers: readonly string[]): Promise<{ contractNumber: string; userId: string }[]> {
  if (contractNumbers.length === 0) return [];
  const result = await db.query(
    `select contract_number, user_id from contract_managers where contract_number in (${placeholders(contractNumbers.length)})
      order by contract_number, user_id`,
    [...contractNumbers]);
  return result.rows.map((row) => ({ contractNumber: String(row.contract_number), userId: String(row.user_id) }));
}

export async function deleteContractManagers(db: Db, contractNumber: string): Promise<void> {
  await db.query('delete from contract_managers where contract_number = $1', [contractNumber]);
}

export async function insertContractManagers(db: Db, contractNumber: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.query(
    `insert into contract_managers (contract_number, user_id) values ${userIds.map((_, i) => `($1, $${i + 2})`).join(', ')}`,
    [contractNumber, ...userIds]);
}

/** Whether a subscription, usage record or export schedule belongs to the contract. */
export async function selectContractInUse(db: Db, contractNumber: string): Promise<boolean> {
  const result = await db.query(
    `select exists (select 1 from subscriptions where contract_number = $1)
         or exists (select 1 from usage_records where contract_number = $1)
         or exists (select 1 from export_schedules where contract_number = $1) as in_use`, [contractNumber]);
  return Boolean(result.rows[0]?.in_use);
}

export async function deleteUserEnrichmentOfContract(db: Db, contractNumber: string): Promise<void> {
  await db.query('delete from user_enrichment where contract_number = $1', [contractNumber]);
}

export async function deleteContractRow(db: Db, contractNumber: string): Promise<boolean> {
  const result = await db.query('delete from contracts where contract_number = $1 returning contract_number', [contractNumber]);
  return result.rows.length > 0;
}
