import { CHARGE_CATEGORIES, DEFAULT_CASUAL_THRESHOLD_MINUTES, type ChargeCategory } from '../../catalog/index.js';
import { AppError } from '../../errors.js';
import type { Db, SqlDialect } from './dialect.js';

// The Flex rules of spec §6 as one statement over two rating input tables, for both dialects: the
// ingestion (sql/usage-ingest.ts) and the demo generator (src/seed) fill the tables, so records
// are rated where they are instead of travelling to JavaScript and back (about three times faster,
// docs/measurements.md). src/rating is the rules' reference in TypeScript;
// src/ingest/ingest-order.test.ts holds the two to the same charges on both backends.
//
// The rules, as window functions over the rating order (usage time in ms, then id):
// - Flex desktop session: shorter than the casual threshold → CASUAL, 0. Otherwise, with D the
//   dearest daily rate of the non-casual Flex sessions before it on its (contract, user, rating
//   day): none → CHARGED its rate; a dearer rate → INCREMENTAL, the difference; else FREE, 0. (D is
//   the running maximum of the rates before it: exactly the "dearest charged so far" of the
//   reference, which only moves when a dearer session is charged.)
// - Desktop sessions and cloud events from `sus`/`ppu`: N/A, 0. Flex cloud events: CHARGED their
//   tokens, or FREE, 0, for a Failed job. Manual records: N/A with their tokens.
// - Pool: the running total of the contract year's tokens (from what was drawn before the batch)
//   up to and including the record, at most the provisioned tokens → CY, else MY. The running
//   total is exact (TOKEN_SCALE), so it does not depend on the order the window adds in.
//
// Where this differs from the reference, by design: a record's rating day and contract year are
// the ones stored with it (computed by the validator, or by the rating before, with the same rules)
// rather than computed again; and ids that tie at the same millisecond compare as UTF-8 bytes
// (dialect.textType), the reference's as UTF-16 code units, which differ only between characters
// above U+FFFF and those in U+E000–U+FFFF.

/** The typed rating input tables the statement reads (`rerate_input`, `rerate_new_input`); drop it first. */
export function createRatingInputTableSql(table: string, dialect: SqlDialect): string {
  const text = dialect.textType;
  return `create temp table ${table} (k bigint, is_context boolean, id ${text}, contract_number ${text},
    contract_year integer, usage_date date, user_name ${text}, usage_category ${text}, source ${text}, product_line_code ${text},
    product_version ${text}, at_ms bigint, duration_ms bigint, tokens double precision, job_status ${text}, tokens_consumed double precision)`;
}

/**
 * The select list of a rating input row from a table of usage records (usage_records or
 * ingest_new), after `k, is_context`. `at` is the SQL of the record's usage instant; a null user
 * name rates as '' (manual records have none), as in the reference.
 */
export function ratingInputSql(dialect: SqlDialect, at: string, tokens: string, tokensConsumed: string): string {
  return `id, contract_number, contract_year, usage_date, coalesce(user_name, '') as user_name, usage_category, source,
    product_line_code, product_version, ${dialect.epochMs(at)} as at_ms,
    case when usage_category = 'DESKTOP_PRODUCT' then ${dialect.epochMs('session_end')} - ${dialect.epochMs('session_start')} else 0 end as duration_ms,
    ${tokens} as tokens, job_status, ${tokensConsumed} as tokens_consumed`;
}

/** The usage instant of a stored record: when the session started, the event happened, the transaction was made. */
export const STORED_USAGE_INSTANT_SQL = `case when usage_category = 'DESKTOP_PRODUCT' then session_start
  when usage_category in ('CLOUD_PRODUCT', 'CLOUD_SERVICE') then usage_timestamp else transaction_date end`;

/**
 * Running totals are summed in millionths of a token, as integers held in doubles: exact (so the
 * same whatever order the window adds in) while totals stay under 2^53 millionths, 9 billion
 * tokens. (On DuckDB, DECIMAL(38,10) made the window twice as slow.)
 */
const TOKEN_SCALE = 1_000_000;

const code = (category: ChargeCategory): number => CHARGE_CATEGORIES.indexOf(category);

/** Minutes of a threshold option, checked as the reference checks it. */
function casualThresholdMs(minutes: number | undefined): number {
  const value = minutes ?? DEFAULT_CASUAL_THRESHOLD_MINUTES;
  if (!Number.isFinite(value) || value < 0) {
    throw new AppError('REQUEST_INVALID', `The casual threshold must be a number of minutes >= 0, got ${String(value)}.`);
  }
  return value * 60_000;
}

const RATING_INPUT = '(select false as is_new, * from rerate_input union all select true as is_new, * from rerate_new_input)';
const FLEX_DESKTOP = "i.usage_category = 'DESKTOP_PRODUCT' and i.source = 'flex'";

/**
 * Throws REQUEST_INVALID, naming the first such record, when a Flex session's product or a
 * record's contract year is not (or no longer) defined. Checked on the distinct keys (a join of
 * every record costs far more); the first record with a missing key is looked up only
 * to name it.
 */
async function assertRatingKeysDefined(db: Pick<Db, 'dialect' | 'query'>): Promise<void> {
  const missing = (await db.query(`
    with years as (select distinct contract_number, contract_year from ${RATING_INPUT} i),
    used as (select distinct product_line_code, product_version from ${RATING_INPUT} i where ${FLEX_DESKTOP})
    (select 'year' as what, contract_number, contract_year, null as product_line_code, null as product_version from years y
      where not exists (select 1 from contract_years c where c.contract_number = y.contract_number and c.year = y.contract_year)
      order by 2, 3 limit 1)
    union all
    (select 'product', null, null, product_line_code, product_version from used u
      where not exists (select 1 from products p where p.product_line_code = u.product_line_code and p.version = u.product_version)
      order by 4, 5 limit 1)
    order by 1 desc limit 1`)).rows[0];
  if (!missing) return;
  const { what, contract_number: contract, contract_year: year, product_line_code: line, product_version: version } = missing;
  const found = (await db.query(what === 'year'
    ? `select id, ${db.dialect.isoDate('usage_date')} as day from ${RATING_INPUT} i where contract_number = $1 and contract_year = $2 order by id limit 1`
    : `select id, null as day from ${RATING_INPUT} i where ${FLEX_DESKTOP} and product_line_code is not distinct from $1
        and product_version is not distinct from $2 order by id limit 1`,
  what === 'year' ? [contract, Number(year)] : [line ?? null, version ?? null])).rows[0] ?? {};
  const why = what === 'year'
    ? `contract ${String(contract)} has no year ${String(year)} for its usage date ${String(found.day)}`
    : line === null || version === null ? 'a Flex desktop session needs its product line code and version'
      : `unknown product ${String(line)} version ${String(version)}`;
  throw new AppError('REQUEST_INVALID', `Cannot rate a record: record '${String(found.id)}': ${why}.`);
}

/**
 * Rates every row of `rerate_input` (stored records, `is_context` ones included) and
 * `rerate_new_input` (the batch's new records) into the temp table `rerate_charges`: `is_new`,
 * `k`, and the columns `ratedChargeSql` decodes. `rerate_base` holds, per (contract, year) rated,
 * the tokens drawn before the first rated record. Throws REQUEST_INVALID, naming the first such
 * record, when a Flex session's product or a record's contract year is not (or no longer) defined.
 */
export async function rateInputsInSql(db: Pick<Db, 'dialect' | 'query'>, options: { readonly casualThresholdMinutes?: number }): Promise<void> {
  const casualMs = casualThresholdMs(options.casualThresholdMinutes);
  await assertRatingKeysDefined(db);
  await db.query('drop table if exists rerate_charges');
  await db.query(`create temp table rerate_charges as
    with priced as (
      select i.*, case when ${FLEX_DESKTOP} and i.duration_ms >= ${casualMs} then p.daily_token_rate end as chargeable
      from ${RATING_INPUT} i
      -- Keys only in the join condition: the category test there made it a nested-loop join (1.3 s per 1M records).
      left join products p on p.product_line_code = i.product_line_code and p.version = i.product_version
    ),
    dayed as (
      select *, max(chargeable) over (partition by contract_number, user_name, usage_date order by at_ms, id
        rows between unbounded preceding and 1 preceding) as dearest
      from priced
    ),
    charged as (
      select *,
        case
          when usage_category in ('MANUAL_ADJUSTMENT', 'MANUAL_CONSUMPTION') or source <> 'flex' then ${code('N/A')}
          when usage_category <> 'DESKTOP_PRODUCT' then case when job_status = 'Failed' then ${code('FREE')} else ${code('CHARGED')} end
          when chargeable is null then ${code('CASUAL')}
          when dearest is null then ${code('CHARGED')}
          when chargeable > dearest then ${code('INCREMENTAL')}
          else ${code('FREE')}
        end as charge,
        cast(case
          when usage_category in ('MANUAL_ADJUSTMENT', 'MANUAL_CONSUMPTION') then coalesce(tokens, 0)
          when source <> 'flex' then 0
          when usage_category <> 'DESKTOP_PRODUCT' then case when job_status = 'Failed' then 0 else coalesce(tokens, 0) end
          when chargeable is null then 0
          when dearest is null then chargeable
          when chargeable > dearest then chargeable - dearest
          else 0
        end as double precision) as charged_tokens
      from dayed
    )
    select c.is_new, c.k, cast(c.usage_date - date '1970-01-01' as integer) as usage_day, c.contract_year, c.charge,
      round(b.before * ${TOKEN_SCALE}) + sum(round(c.charged_tokens * ${TOKEN_SCALE})) over (partition by c.contract_number, c.contract_year
        order by c.at_ms, c.id rows between unbounded preceding and current row) > round(y.provisioned_tokens * ${TOKEN_SCALE}) as my,
      c.charged_tokens as tokens, c.charge in (${code('CHARGED')}, ${code('INCREMENTAL')}) as charged,
      round(cast(c.duration_ms as double precision) / 600) / 100 as minutes
    from charged c
    join rerate_base b on b.contract_number = c.contract_number and b.contract_year = c.contract_year
    join contract_years y on y.contract_number = c.contract_number and y.year = c.contract_year`);
}

/** SQL of the decoded columns of a rated charges table (`rerate_charges`, seed_charges) aliased `alias`. */
export function ratedChargeSql(alias: string): Readonly<Record<'usageDate' | 'contractYear' | 'chargeCategory' | 'tokenPool' | 'tokensConsumed' | 'isChargedEvent' | 'usageMinutes', string>> {
  return {
    usageDate: `(date '1970-01-01' + ${alias}.usage_day)`,
    contractYear: `${alias}.contract_year`,
    chargeCategory: `case ${alias}.charge ${CHARGE_CATEGORIES.map((c, k) => `when ${k} then '${c}'`).join(' ')} end`,
    tokenPool: `case when ${alias}.my then 'MY' else 'CY' end`,
    tokensConsumed: `${alias}.tokens`,
    isChargedEvent: `${alias}.charged`,
    usageMinutes: `${alias}.minutes`,
  };
}
