/**
 * What an ingested usage record takes from the references, as two common table expressions in SQL
 * that DuckDB and PostgreSQL both run as written: `unique_names` (user_name, id), the one user of a
 * name, whose id a record sent by name only gets; and `enrichment` (contract_number, user_id,
 * f1 … f10), each user's enrichment values for a contract, which fill the custom fields a record
 * leaves out. Both backends' ingestion joins them, and so does the bench's ingestion floor.
 */
export const USAGE_REFERENCE_CTES = `unique_names as (select user_name, min(id) as id from users group by user_name having count(*) = 1),
  enrichment as (
    select contract_number, user_id, ${Array.from({ length: 10 }, (_, k) => `max(value) filter (where field_index = ${k + 1}) as f${k + 1}`).join(', ')}
    from user_enrichment group by contract_number, user_id
  )`;
