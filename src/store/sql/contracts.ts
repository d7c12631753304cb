import type { Db } from './dialect.js';
import type { ContractDetail, ContractYear } from '../contract/index.js';
import { toContract } from './users.js';

export async function selectContract(db: Db, contractNumber: string) {
  const result = await db.query(
    `select contract_number, name, ${db.dialect.isoDate('start_date')} as start_date,
            ${db.dialect.isoDate('end_date')} as end_date, current_date between start_date and end_date as is_active,
            multiyear_provisioned_tokens
       from contracts where contract_number = $1`,
    [contractNumber],
  );
  const row = result.rows[0];
  return row ? { contract: toContract(row), multiyearProvisionedTokens: Number(row.multiyear_provisioned_tokens) } : undefined;
}

/**
 * Each contract year with what was drawn from its own pool (CY) and from the multi-year pool (MY).
 * The multi-year balance at the start of a year is the provision minus every earlier year's MY draw.
 */
export async function selectContractYears(
  db: Db, contractNumber: string, multiyearProvisioned: number,
): Promise<ContractYear[]> {
  const result = await db.query(
    `with used as (
       select contract_year,
              coalesce(sum(tokens_consumed) filter (where token_pool = 'CY'), 0) as cy,
              coalesce(sum(tokens_consumed) filter (where token_pool = 'MY'), 0) as my
         from usage_records where contract_number = $1 group by contract_year
     )
     select y.year, ${db.dialect.isoDate('y.start_date')} as start_date, ${db.dialect.isoDate('y.end_date')} as end_date,
            y.provisioned_tokens, coalesce(u.cy, 0) as cy, coalesce(u.my, 0) as my,
            coalesce(sum(coalesce(u.my, 0)) over (order by y.year rows between unbounded preceding and 1 preceding), 0) as my_before
       from contract_years y left join used u on u.contract_year = y.year
      where y.contract_number = $1
      order by y.year`,
    [contractNumber],
  );
  return result.rows.map((row) => {
    const provisioned = Number(row.provisioned_tokens);
    const consumed = round(Number(row.cy));
    return Object.freeze({
      year: Number(row.year),
      startDate: String(row.start_date),
      endDate: String(row.end_date),
      provisionedTokens: provisioned,
      consumedTokens: consumed,
      remainingTokens: round(Math.max(0, provisioned - consumed)),
      multiyearTokensAtStart: round(multiyearProvisioned - Number(row.my_before)),
      multiyearConsumedTokens: round(Number(row.my)),
    });
  });
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export async function selectContractDetail(db: Db, contractNumber: string): Promise<ContractDetail | undefined> {
  const found = await selectContract(db, contractNumber);
  if (!found) return undefined;
  const contractYears = await selectContractYears(db, contractNumber, found.multiyearProvisionedTokens);
  return Object.freeze({ ...found.contract, multiyearProvisionedTokens: found.multiyearProvisionedTokens, contractYears: Object.freeze(contractYears) });
}
