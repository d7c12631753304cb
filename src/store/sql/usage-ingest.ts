import type {
  AffectedContractYear, ChargesFrom, ContractYearDefinition, DenialInput, Product, StagedField, StagedLayout, StagedType, StagedUsageBatch,
  UsageBatchWriter, UsageReferences,
} from '../contract/index.js';
import { USAGE_REFERENCE_CTES } from '../usage-reference-sql.js';
import { zonelessUtc, type Db, type SqlDialect } from './dialect.js';
import {
  createRatingInputTableSql, rateInputsInSql, ratedChargeSql, ratingInputSql, STORED_USAGE_INSTANT_SQL,
} from './rating-sql.js';

// Usage ingestion after staging (spec §6), for both backends: a backend stages a batch its own way
// (DuckDB: chunk files read by read_json; PostgreSQL: COPY) as the view `ingest_staging` of typed
// records (`stagedRecordsSql`), then src/ingest runs the batch's algorithm over a
// SqlStagedBatch: the new ids into `ingest_new`, the rating's input (`rerate_input`,
// `rerate_new_input`, `rerate_base`), the charges (`rerate_charges`), the writes. Every table is a
// temporary one of the session, so two batches on two sessions never see each other's.

export async function selectUsageReferences(db: Db): Promise<UsageReferences> {
  const { isoDate } = db.dialect;
  const contracts = (await db.query(`
    select c.contract_number, c.team_id, y.year, ${isoDate('y.start_date')} as start_date, ${isoDate('y.end_date')} as end_date,
      y.provisioned_tokens, c.charges_from
    from contracts c left join contract_years y on y.contract_number = c.contract_number
    order by c.contract_number, y.year`)).rows;
  const byNumber = new Map<string, { contractNumber: string; teamId: string; years: ContractYearDefinition[]; chargesFrom: ChargesFrom }>();
  for (const row of contracts) {
    let contract = byNumber.get(String(row.contract_number));
    if (!contract) {
      contract = {
        contractNumber: String(row.contract_number), teamId: String(row.team_id), years: [], chargesFrom: row.charges_from === 'autodesk' ? 'autodesk' : 'rating',
      };
      byNumber.set(contract.contractNumber, contract);
    }
    if (row.year !== null && row.year !== undefined) {
      contract.years.push({ year: Number(row.year), startDate: String(row.start_date), endDate: String(row.end_date), provisionedTokens: Number(row.provisioned_tokens) });
    }
  }
  const teamIds = (await db.query('select id from teams order by id')).rows.map((row) => String(row.id));
  const products = (await db.query(`
    select product_line_code, version, product_name, feature_code, daily_token_rate,
      ${isoDate('effective_from')} as effective_from, ${isoDate('effective_to')} as effective_to
    from products order by product_line_code, version`)).rows.map((row): Product => ({
    productLineCode: String(row.product_line_code), version: String(row.version), productName: String(row.product_name),
    featureCode: String(row.feature_code), dailyTokenRate: Number(row.daily_token_rate),
    effectiveFrom: textOrNull(row.effective_from), effectiveTo: textOrNull(row.effective_to),
  }));
  return { contracts: [...byNumber.values()], teamIds, products };
}

const textOrNull = (value: unknown) => (value === null || value === undefined ? null : String(value));

/** The numbers of the ten custom fields. */
const CUSTOM_FIELDS = Array.from({ length: 10 }, (_, k) => k + 1);

/** The given charge of a record of a Token Flex export, as columns of `ingest_new`. */
const GIVEN_COLUMNS: readonly (readonly [StagedField, string])[] = [
  ['givenUsageDate', 'given_usage_date'], ['givenContractYear', 'given_contract_year'], ['givenChargeCategory', 'given_charge_category'],
  ['givenTokenPool', 'given_token_pool'], ['givenTokensConsumed', 'given_tokens_consumed'], ['givenUsageMinutes', 'given_usage_minutes'],
  ['givenIsChargedEvent', 'given_is_charged_event'],
];

/**
 * The select list of the staged records of `from`, typed as usage_records types them. `element`
 * is the backend's SQL of a staged line's element (its place from 1, and how it is read). The user
 * id of a record sent by name only and the custom fields left out are filled in by the insert
 * (`insertNewRecords`), not here: DuckDB estimates a JSON scan at a few dozen rows, so a join here
 * built its hash table on the batch rather than on the enrichment values; joined to `ingest_new`,
 * whose size it knows, it does not.
 */
export function stagedRecordsSql(layout: StagedLayout, element: (index: number, type: StagedType) => string, from: string): string {
  const value = (field: StagedField) => element(...layout[field]);
  const column = (field: StagedField, name: string) => `${value(field)} as ${name}`;
  const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const plain: readonly StagedField[] = [
    'line', 'id', 'usageDate', 'contractYear', 'tokens', 'contractNumber', 'teamId', 'usageCategory', 'source', 'userId', 'userName',
    'productLineCode', 'productName', 'parentProductName', 'productVersion', 'productFeatureCode', 'licenseServerTzOffset', 'usageType',
    'machineName', 'licenseServerName', 'hubId', 'hubName', 'jobStatus', 'reasonType', 'reasonComment',
    'sessionStart', 'sessionEnd', 'transactionDate',
  ];
  return `select ${plain.map((field) => column(field, snake(field))).join(', ')},
      coalesce(${value('chargedItemId')}, ${value('id')}) as charged_item_id, coalesce(${value('quantity')}, 0) as quantity,
      ${column('usageAt', 'usage_at')},
      ${GIVEN_COLUMNS.map(([field, name]) => column(field, name)).join(', ')},
      ${CUSTOM_FIELDS.map((k) => column(`customField${k}` as StagedField, `custom_field_${k}`)).join(', ')}
    from ${from}`;
}

/** What a backend's session does its own way for a staged batch. */
export interface StagedBatchSession {
  /** The session's connection. */
  readonly db: Db;
  readonly casualThresholdMinutes: number | undefined;
  /** Runs statements whose row order is not content (DuckDB: lets its threads write without merging back into scan order). */
  unordered<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs the batch's writes as one transaction (PostgreSQL: the one the whole batch is applied in). */
  writeTransaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Before new records are inserted; `usageDates` is SQL of their rating days, one column (PostgreSQL: their months' partitions). */
  beforeInsert(usageDates: string): Promise<void>;
}

/** Drops the temporary tables and views of a batch. */
export async function dropIngestTables(db: Db): Promise<void> {
  for (const view of ['ingest_staging', 'rerate_new_input']) await db.query(`drop view if exists ${view}`);
  for (const table of ['ingest_new', 'rerate_input', 'rerate_base', 'rerate_charges']) await db.query(`drop table if exists ${table}`);
}

const count = (value: unknown) => Number(value ?? 0);

/** The columns of license_denials a batch writes, and how many denials one insert statement takes. */
const DENIAL_COLUMNS = [
  'id', 'contract_number', 'team_id', 'license_server_name', 'license_server_tz_offset', 'product_feature_code', 'product_line_code',
  'product_version', 'product_name', 'user_name', 'machine_name', 'licenses', 'denied_at', 'usage_date', 'contract_year', 'reason',
  'reason_code', 'processed_at',
] as const;
const DENIALS_PER_STATEMENT = 200;

/** The `values` rows of an insert of `count` denials, in DENIAL_COLUMNS order, the timestamps and date cast. */
function denialValueRows(rows: number): string {
  const width = DENIAL_COLUMNS.length;
  return Array.from({ length: rows }, (_, i) => `(${DENIAL_COLUMNS.map((column, j) => {
    const p = `$${i * width + j + 1}`;
    return column === 'denied_at' || column === 'processed_at' ? `cast(${p} as timestamp)` : column === 'usage_date' ? `cast(${p} as date)` : p;
  }).join(', ')})`).join(', ');
}

/** The steps of src/ingest's algorithm over a batch staged as `ingest_staging`, in SQL written once. */
export class SqlStagedBatch implements StagedUsageBatch {
  readonly #session: StagedBatchSession;
  readonly #db: Db;
  readonly #dialect: SqlDialect;
  /** Rows in rerate_input (its k numbers the next), and how many of them are context. */
  #storedRows = 0;
  #contextRows = 0;

  constructor(session: StagedBatchSession, readonly records: number) {
    this.#session = session;
    this.#db = session.db;
    this.#dialect = session.db.dialect;
  }

  /**
   * The staged records are read once, into `ingest_new`, and it is checked for ids stored or
   * repeated (most batches have neither, and then nothing more is done).
   */
  async keepNewRecords(): Promise<number> {
    const db = this.#db;
    await db.query('drop table if exists ingest_new');
    await this.#session.unordered(() => db.query('create temp table ingest_new as select * from ingest_staging'));
    const [row] = (await db.query(`select
        (select count(*) from ingest_new) as records, (select count(*) - count(distinct id) from ingest_new) as repeated,
        (select count(*) from ingest_new n where exists (select 1 from usage_records r where r.id = n.id)) as stored`)).rows;
    if (count(row?.repeated) === 0 && count(row?.stored) === 0) return count(row?.records);
    const deleted = await db.query(`delete from ingest_new
      where exists (select 1 from usage_records r where r.id = ingest_new.id)
        or exists (select 1 from ingest_new m where m.id = ingest_new.id and m.line < ingest_new.line)`);
    return count(row?.records) - deleted.rowCount;
  }

  async countNewDenials(denials: readonly DenialInput[]): Promise<number> {
    const ids = [...new Set(denials.map((d) => d.id))];
    let stored = 0;
    for (let start = 0; start < ids.length; start += DENIALS_PER_STATEMENT) {
      const list = this.#dialect.inList('id', 1, ids.slice(start, start + DENIALS_PER_STATEMENT));
      stored += count((await this.#db.query(`select count(*) as n from license_denials where ${list.sql}`, list.values)).rows[0]?.n);
    }
    return ids.length - stored;
  }

  async prepareRating(): Promise<readonly AffectedContractYear[]> {
    const db = this.#db;
    const text = this.#dialect.textType;
    await db.query('drop table if exists rerate_input');
    await db.query(createRatingInputTableSql('rerate_input', this.#dialect));
    await db.query('drop table if exists rerate_base');
    await db.query(`create temp table rerate_base (contract_number ${text}, contract_year integer, before double precision)`);
    // The new records keyed by their line (unique once repeats are dropped; on DuckDB a row number
    // over a million rows was a single-threaded window of 4 s).
    await db.query(`create or replace temp view rerate_new_input as
      select line as k, false as is_context, ${ratingInputSql(this.#dialect, 'usage_at', 'tokens', 'cast(null as double precision)')} from ingest_new`);
    const rows = (await db.query(`
      with days as (select distinct contract_number, coalesce(user_name, '') as user_name, usage_date from ingest_new),
      stored as (
        select r.contract_number, r.contract_year, min(r.usage_timestamp) as since
        from usage_records r join days d
          on r.contract_number = d.contract_number and coalesce(r.user_name, '') = d.user_name and r.usage_date = d.usage_date
        group by r.contract_number, r.contract_year
      ),
      fresh as (select contract_number, contract_year, min(usage_at) as since from ingest_new group by contract_number, contract_year)
      select f.contract_number, f.contract_year, ${this.#dialect.epochMs('least(f.since, coalesce(s.since, f.since))')} as since_ms
      from fresh f left join stored s on s.contract_number = f.contract_number and s.contract_year = f.contract_year
      order by 1, 2`)).rows;
    return rows.map((row) => ({ contractNumber: String(row.contract_number), year: Number(row.contract_year), sinceMs: Number(row.since_ms) }));
  }

  /**
   * The year's tokens before S, less the context's (which the rating counts again), are what the
   * year had drawn before (`rerate_base`). Nothing before S changes, so the context's charges are
   * not written back.
   */
  async addStoredRecords(affected: AffectedContractYear): Promise<void> {
    const db = this.#db;
    const values = [affected.contractNumber, affected.year, zonelessUtc(new Date(affected.sinceMs))];
    const before = count((await db.query(`select coalesce(sum(tokens_consumed), 0) as tokens from usage_records
      where contract_number = $1 and contract_year = $2 and usage_timestamp < cast($3 as timestamp)`, values)).rows[0]?.tokens);
    // What the rating was given: the tokens of a cloud event or manual record are kept as consumed,
    // except those the rating zeroed (failed jobs, non-Flex events), which it would zero again.
    const stored = ratingInputSql(this.#dialect, STORED_USAGE_INSTANT_SQL,
      "case when usage_category <> 'DESKTOP_PRODUCT' then tokens_consumed end", 'tokens_consumed');
    const k = this.#storedRows;
    await db.query(`insert into rerate_input
      with year_records as (select * from usage_records where contract_number = $1 and contract_year = $2),
      later as (select * from year_records where usage_timestamp >= cast($3 as timestamp)),
      days as (select distinct coalesce(user_name, '') as user_name, usage_date from later),
      context as (
        select r.* from year_records r
        where r.usage_timestamp < cast($3 as timestamp)
          and exists (select 1 from days d where d.user_name = coalesce(r.user_name, '') and d.usage_date = r.usage_date)
      )
      select ${k} + row_number() over () - 1 as k, x.*
      from (
        select false as is_context, ${stored} from later
        union all
        select true, ${stored} from context
      ) x`, values);
    const [row] = (await db.query(`select count(*) as n, count(*) filter (where is_context) as context,
      coalesce(sum(tokens_consumed) filter (where is_context), 0) as context_tokens from rerate_input where k >= $1`, [k])).rows;
    await db.query('insert into rerate_base values ($1, $2, $3)', [affected.contractNumber, affected.year, before - count(row?.context_tokens)]);
    this.#storedRows += count(row?.n);
    this.#contextRows += count(row?.context);
  }

  async rate(): Promise<number> {
    const db = this.#db;
    const casual = this.#session.casualThresholdMinutes;
    await rateInputsInSql(db, casual === undefined ? {} : { casualThresholdMinutes: casual });
    const [row] = (await db.query(`select (select count(*) from rerate_charges) as charged,
      (select count(*) from rerate_input) + (select count(*) from rerate_new_input) as inputs`)).rows;
    // Every input has its charge (the joins of the rating drop none); a record without one would
    // be left out of the insert while counted as inserted.
    if (count(row?.charged) !== count(row?.inputs)) throw new Error(`the rating charged ${String(row?.charged)} of ${String(row?.inputs)} records`);
    return count(row?.charged) - this.#contextRows;
  }

  write<T>(fn: (writer: UsageBatchWriter) => Promise<T>): Promise<T> {
    const writer: UsageBatchWriter = {
      insertNewRecords: (processedAt, charges) => this.#insertNewRecords(processedAt, charges),
      updateChangedCharges: (processedAt) => this.#updateChangedCharges(processedAt),
      insertDenials: (denials, processedAt) => this.#insertDenials(denials, processedAt),
    };
    return this.#session.writeTransaction(() => fn(writer));
  }

  async #insertNewRecords(processedAt: string, charges: 'rated' | 'given'): Promise<number> {
    // A Token Flex export's records keep the charges Autodesk gave them (docs/sources.md): nothing was rated.
    const o = charges === 'given' ? GIVEN_CHARGE_SQL : ratedChargeSql('o');
    await this.#session.beforeInsert(`select ${charges === 'given' ? 'given_usage_date' : 'usage_date'} from ingest_new`);
    const result = await this.#session.unordered(() => this.#db.query(`insert into usage_records (
        id, contract_number, team_id, usage_category, source, user_id, user_name, product_line_code, product_name,
        parent_product_name, product_version, product_feature_code, usage_date, contract_year, charge_category, token_pool,
        tokens_consumed, usage_minutes, quantity, is_charged_event, machine_name, license_server_name, license_server_tz_offset,
        session_start, session_end, usage_type, hub_id, hub_name, job_status, transaction_date, reason_type, reason_comment,
        charged_item_id, usage_timestamp,
        ${CUSTOM_FIELDS.map((k) => `custom_field_${k}`).join(', ')}, processed_at)
      with ${USAGE_REFERENCE_CTES}
      select n.id, n.contract_number, n.team_id, n.usage_category, n.source, coalesce(n.user_id, u.id), n.user_name, n.product_line_code, n.product_name,
        n.parent_product_name, n.product_version, n.product_feature_code, ${o.usageDate}, ${o.contractYear}, ${o.chargeCategory}, ${o.tokenPool},
        ${o.tokensConsumed}, ${o.usageMinutes}, n.quantity, ${o.isChargedEvent}, n.machine_name, n.license_server_name, n.license_server_tz_offset,
        n.session_start, n.session_end, n.usage_type, n.hub_id, n.hub_name, n.job_status, n.transaction_date, n.reason_type, n.reason_comment,
        n.charged_item_id, n.usage_at,
        ${CUSTOM_FIELDS.map((k) => `coalesce(n.custom_field_${k}, e.f${k})`).join(', ')}, cast($1 as timestamp)
      from ingest_new n ${charges === 'given' ? '' : 'join rerate_charges o on o.is_new and o.k = n.line'}
      -- Keys only in the join condition: "n.user_id is null and …" made it a nested-loop join on DuckDB (3 s per 100k rows).
      left join unique_names u on u.user_name = n.user_name
      left join enrichment e on e.contract_number = n.contract_number and e.user_id = coalesce(n.user_id, u.id)`, [zonelessUtc(new Date(processedAt))]));
    return result.rowCount;
  }

  async #updateChangedCharges(processedAt: string): Promise<number> {
    const o = ratedChargeSql('o');
    const result = await this.#db.query(`update usage_records set
        usage_date = x.usage_date, contract_year = x.contract_year, charge_category = x.charge_category, token_pool = x.token_pool,
        tokens_consumed = x.tokens_consumed, usage_minutes = x.usage_minutes, is_charged_event = x.is_charged_event,
        processed_at = cast($1 as timestamp)
      from (
        select i.id, ${o.usageDate} as usage_date, ${o.contractYear} as contract_year, ${o.chargeCategory} as charge_category,
          ${o.tokenPool} as token_pool, ${o.tokensConsumed} as tokens_consumed, ${o.usageMinutes} as usage_minutes, ${o.isChargedEvent} as is_charged_event
        from rerate_input i join rerate_charges o on not o.is_new and o.k = i.k
        where not i.is_context
      ) x
      where usage_records.id = x.id and (
        usage_records.charge_category <> x.charge_category or usage_records.token_pool <> x.token_pool
        or usage_records.tokens_consumed <> x.tokens_consumed or usage_records.is_charged_event <> x.is_charged_event
        or usage_records.usage_minutes <> x.usage_minutes or usage_records.usage_date <> x.usage_date
        or usage_records.contract_year <> x.contract_year)`, [zonelessUtc(new Date(processedAt))]);
    return result.rowCount;
  }

  async #insertDenials(denials: readonly DenialInput[], processedAt: string): Promise<number> {
    const db = this.#db;
    const stored = async () => count((await db.query('select count(*) as n from license_denials')).rows[0]?.n);
    const before = await stored();
    const at = (epochMs: number) => zonelessUtc(new Date(epochMs));
    for (let start = 0; start < denials.length; start += DENIALS_PER_STATEMENT) {
      const chunk = denials.slice(start, start + DENIALS_PER_STATEMENT);
      await db.query(`insert into license_denials (${DENIAL_COLUMNS.join(', ')}) values ${denialValueRows(chunk.length)} on conflict (id) do nothing`,
        chunk.flatMap((d) => [d.id, d.contractNumber, d.teamId, d.licenseServerName, d.licenseServerTzOffset, d.productFeatureCode, d.productLineCode,
          d.productVersion, d.productName, d.userName, d.machineName, d.licenses, at(d.deniedAt), d.usageDate, d.contractYear, d.reason,
          d.reasonCode, at(Date.parse(processedAt))]));
    }
    return (await stored()) - before;
  }
}

/** The charge of a new record as given (`n`: ingest_new), in the shape of `ratedChargeSql`. */
const GIVEN_CHARGE_SQL = {
  usageDate: 'n.given_usage_date', contractYear: 'n.given_contract_year', chargeCategory: 'n.given_charge_category', tokenPool: 'n.given_token_pool',
  tokensConsumed: 'n.given_tokens_consumed', usageMinutes: 'n.given_usage_minutes', isChargedEvent: 'n.given_is_charged_event',
} as const;
