import type { ChargesFrom, ContractDefinition, ContractYearDefinition, PageRequest } from '../../contract/index.js';
import type { Queryable } from './db.js';

/** A contract row without its years and managers; the store joins them. */
export type ContractRow = Omit<ContractDefinition, 'contractYears' | 'contractManagers'> & { readonly isActive: boolean };

const CONTRACT_COLUMNS = `contract_number, name, team_id, to_char(start_date, 'YYYY-MM-DD') as start_date,
  to_char(end_date, 'YYYY-MM-DD') as end_date, current_date between start_date and end_date as is_active,
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

export async function insertContract(db: Queryable, contract: ContractDefinition): Promise<void> {
  await db.query(
    `insert into contracts (contract_number, name, team_id, start_date, end_date, multiyear_provisioned_tokens, enrichment_categories, charges_from)
     values ($1, $2, $3, $4::date, $5::date, $6, $7, $8)`,
    [contract.contractNumber, contract.contractName, contract.teamId, contract.contractStartDate, contract.contractEndDate,
      contract.multiyearProvisionedTokens, joinCategories(contract.enrichmentCategories), contract.chargesFrom ?? 'rating']);
}

export async function selectContractRow(db: Queryable, contractNumber: string): Promise<ContractRow | undefined> {
  const row = (await db.query(`select ${CONTRACT_COLUMNS} from contracts where contract_number = $1`, [contractNumber])).rows[0];
  return row ? toContractRow(row) : undefined;
}

export async function selectContractsPage(db: Queryable, page: PageRequest): Promise<ContractRow[]> {
  const result = await db.query(`select ${CONTRACT_COLUMNS} from contracts order by contract_number limit $1 offset $2`, [page.limit, page.offset]);
  return result.rows.map(toContractRow);
}

export async function countContracts(db: Queryable): Promise<number> {
  return Number((await db.query('select count(*)::int as n from contracts')).rows[0]?.n ?? 0);
}

/** Sets the members given (null leaves a column as it is); false when there is no such contract. */
export async function updateContractRow(
  db: Queryable, contractNumber: string,
  patch: { contractName?: string; teamId?: string; contractStartDate?: string; contractEndDate?: string; multiyearProvisionedTokens?: number; enrichmentCategories?: readonly string[]; chargesFrom?: ChargesFrom },
): Promise<boolean> {
  const result = await db.query(
    `update contracts set name = coalesce($2, name), team_id = coalesce($3, team_id),
            start_date = coalesce($4::date, start_date), end_date = coalesce($5::date, end_date),
            multiyear_provisioned_tokens = coalesce($6, multiyear_provisioned_tokens),
            enrichment_categories = coalesce($7, enrichment_categories), charges_from = coalesce($8, charges_from, 'rating')
      where contract_number = $1`,
    [contractNumber, patch.contractName ?? null, patch.teamId ?? null, patch.contractStartDate ?? null, patch.contractEndDate ?? null,
      patch.multiyearProvisionedTokens ?? null, patch.enrichmentCategories ? joinCategories(patch.enrichmentCategories) : null, patch.chargesFrom ?? null]);
  return result.rowCount === 1;
}

/** The years of some contracts, ordered by contract and year. */
export async function selectContractYearDefinitions(
  db: Queryable, contractNumbers: readonly string[],
): Promise<{ contractNumber: string; year: ContractYearDefinition }[]> {
  if (contractNumbers.length === 0) return [];
  const result = await db.query(
    `select contract_number, year, to_char(start_date, 'YYYY-MM-DD') as start_date, to_char(end_date, 'YYYY-MM-DD') as end_date,
            provisioned_tokens
       from contract_years where contract_number = any($1::text[]) order by contract_number, year`,
    [[...contractNumbers]]);
  return result.rows.map((row) => ({
    contractNumber: String(row.contract_number),
    year: Object.freeze({ year: Number(row.year), startDate: String(row.start_date), endDate: String(row.end_date), provisionedTokens: Number(row.provisioned_tokens) }),
  }));
}

export async function deleteContractYears(db: Queryable, contractNumber: string): Promise<void> {
  await db.query('delete from contract_years where contract_number = $1', [contractNumber]);
}

export async function insertContractYears(db: Queryable, contractNumber: string, years: readonly ContractYearDefinition[]): Promise<void> {
  if (years.length === 0) return;
  await db.query(
    `insert into contract_years (contract_number, year, start_date, end_date, provisioned_tokens)
     select $1, y.year, y.start_date, y.end_date, y.provisioned_tokens
       from unnest($2::int[], $3::date[], $4::date[], $5::float8[]) y(year, start_date, end_date, provisioned_tokens)`,
    [contractNumber, years.map((y) => y.year), years.map((y) => y.startDate), years.map((y) => y.endDate), years.map((y) => y.provisionedTokens)]);
}

/** The managers of some contracts, ordered by contract and user id. */
export async function selectContractManagers(db: Queryable, contractNumbers: readonly string[]): Promise<{ contractNumber: string; userId: string }[]> {
  if (contractNumbers.length === 0) return [];
  const result = await db.query(
    `select contract_number, user_id from contract_managers where contract_number = any($1::text[]) order by contract_number, user_id`,
    [[...contractNumbers]]);
  return result.rows.map((row) => ({ contractNumber: String(row.contract_number), userId: String(row.user_id) }));
}

export async function deleteContractManagers(db: Queryable, contractNumber: string): Promise<void> {
  await db.query('delete from contract_managers where contract_number = $1', [contractNumber]);
}

export async function insertContractManagers(db: Queryable, contractNumber: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.query(
    'insert into contract_managers (contract_number, user_id) select $1, u from unnest($2::text[]) u', [contractNumber, [...userIds]]);
}

/** Whether a subscription, usage record or export schedule belongs to the contract. */
export async function selectContractInUse(db: Queryable, contractNumber: string): Promise<boolean> {
  const result = await db.query(
    `select exists (select 1 from subscriptions where contract_number = $1)
         or exists (select 1 from usage_records where contract_number = $1)
         or exists (select 1 from export_schedules where contract_number = $1) as in_use`, [contractNumber]);
  return Boolean(result.rows[0]?.in_use);
}

export async function deleteUserEnrichmentOfContract(db: Queryable, contractNumber: string): Promise<void> {
  await db.query('delete from user_enrichment where contract_number = $1', [contractNumber]);
}

export async function deleteContractRow(db: Queryable, contractNumber: string): Promise<boolean> {
  return (await db.query('delete from contracts where contract_number = $1', [contractNumber])).rowCount === 1;
}
