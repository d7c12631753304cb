import { once } from 'node:events';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RatedCharge, RatingSession } from '../../../rating/index.js';
import type { ChargesFrom, ContractYearDefinition, DenialInput, Product, UsageIngestSummary, UsageRecordInput, UsageReferences } from '../../contract/index.js';
import { textOrNull, type Queryable } from './db.js';
import { DENIAL_COLUMNS, DENIALS_PER_STATEMENT, denialValueRows } from '../../denial-sql.js';
import { USAGE_REFERENCE_CTES } from '../../usage-reference-sql.js';

// Usage ingestion on PostgreSQL (spec §6), the twin of duckdb/sql/usage-ingest.ts: stage a batch
// with COPY FROM STDIN into a temp table, then, in one transaction, insert the new ids and re-rate
// everything they can change. Temp tables belong to the session, so batches on other connections
// (or other server processes) never see each other's; the apply step is serialised across
// processes by an advisory lock.

export async function selectUsageReferences(db: Queryable): Promise<UsageReferences> {
  const contracts = (await db.query(`
    select c.contract_number, c.team_id, y.year, to_char(y.start_date, 'YYYY-MM-DD') as start_date,
           to_char(y.end_date, 'YYYY-MM-DD') as end_date, y.provisioned_tokens, c.charges_from
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
    if (row.year !== null) {
      contract.years.push({ year: Number(row.year), startDate: String(row.start_date), endDate: String(row.end_date), provisionedTokens: Number(row.provisioned_tokens) });
    }
  }
  const teamIds = (await db.query('select id from teams order by id')).rows.map((row) => String(row.id));
  const products = (await db.query(`
    select product_line_code, version, product_name, feature_code, daily_token_rate,
           to_char(effective_from, 'YYYY-MM-DD') as effective_from, to_char(effective_to, 'YYYY-MM-DD') as effective_to
      from products order by product_line_code, version`)).rows.map((row): Product => ({
    productLineCode: String(row.product_line_code), version: String(row.version), productName: String(row.product_name),
    featureCode: String(row.feature_code), dailyTokenRate: Number(row.daily_token_rate),
    effectiveFrom: textOrNull(row.effective_from), effectiveTo: textOrNull(row.effective_to),
  }));
  return { contracts: [...byNumber.values()], teamIds, products };
}

/** Text columns of a staged record, in staging-table order after the fixed ones. */
const TEXT_COLUMNS = [
  'contract_number', 'team_id', 'usage_category', 'source', 'user_id', 'user_name', 'product_line_code', 'product_name',
  'parent_product_name', 'product_version', 'product_feature_code', 'license_server_tz_offset', 'usage_type', 'machine_name',
  'license_server_name', 'hub_id', 'hub_name', 'job_status', 'reason_type', 'reason_comment',
  ...Array.from({ length: 10 }, (_, k) => `custom_field_${k + 1}`),
] as const;

/** Instants are `timestamp` (UTC by convention, as in usage_records). */
const INSTANT_COLUMNS = ['usage_at', 'session_start', 'session_end', 'transaction_date'] as const;

/** A record's given charge (a Token Flex export's: store.ts GivenCharge), null for the others. */
const GIVEN_COLUMNS = [
  'given_usage_date', 'given_contract_year', 'given_charge_category', 'given_token_pool', 'given_tokens_consumed', 'given_usage_minutes',
  'given_is_charged_event',
] as const;

export async function createStagingTable(db: Queryable): Promise<void> {
  await db.query(`create temp table ingest_staging (
    line integer not null, id text collate "C" not null, charged_item_id text collate "C", usage_date date not null,
    contract_year integer not null, tokens double precision, quantity double precision not null,
    ${INSTANT_COLUMNS.map((c) => `${c} timestamp`).join(', ')},
    ${TEXT_COLUMNS.map((c) => `${c} text collate "C"`).join(', ')},
    given_usage_date date, given_contract_year integer, given_charge_category text collate "C", given_token_pool text collate "C",
    given_tokens_consumed double precision, given_usage_minutes double precision, given_is_charged_event boolean)`);
}

function givenValues(record: UsageRecordInput): (string | number | null)[] {
  const c = record.givenCharge;
  if (!c) return [null, null, null, null, null, null, null];
  return [c.usageDate, c.contractYear, c.chargeCategory, c.tokenPool, c.tokensConsumed, c.usageMinutes, c.isChargedEvent ? 't' : 'f'];
}

/** A value in COPY's text format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2). */
function copyText(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

const instantText = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function textValue(record: UsageRecordInput, column: (typeof TEXT_COLUMNS)[number]): string | null {
  switch (column) {
    case 'contract_number': return record.contractNumber;
    case 'team_id': return record.teamId;
    case 'usage_category': return record.usageCategory;
    case 'source': return record.source;
    case 'user_id': return record.userId;
    case 'user_name': return record.userName;
    case 'product_line_code': return record.productLineCode;
    case 'product_name': return record.productName;
    case 'parent_product_name': return record.parentProductName;
    case 'product_version': return record.productVersion;
    case 'product_feature_code': return record.productFeatureCode;
    case 'license_server_tz_offset': return record.licenseServerTzOffset;
    case 'usage_type': return record.usageType;
    case 'machine_name': return record.machineName;
    case 'license_server_name': return record.licenseServerName;
    case 'hub_id': return record.hubId;
    case 'hub_name': return record.hubName;
    case 'job_status': return record.jobStatus;
    case 'reason_type': return record.reasonType;
    case 'reason_comment': return record.reasonComment;
    default: return record.customFields[Number(column.slice('custom_field_'.length)) - 1] ?? null;
  }
}

/**
 * Streams every batch into the staging table with one `COPY … FROM STDIN`, honouring back-pressure.
 * If reading the batches throws (a bad row), the COPY is aborted and the error propagates.
 */
export async function copyBatchesIntoStaging(client: PoolClient, batches: AsyncIterable<readonly UsageRecordInput[]>): Promise<number> {
  const stream = client.query(copyFrom(`copy ingest_staging (line, id, charged_item_id, usage_date, contract_year, tokens, quantity,
    ${INSTANT_COLUMNS.join(', ')}, ${TEXT_COLUMNS.join(', ')}, ${GIVEN_COLUMNS.join(', ')}) from stdin`));
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  let rows = 0;
  try {
    for await (const batch of batches) {
      let text = '';
      for (const r of batch) {
        const values: (string | number | null)[] = [
          r.line, r.id, r.chargedItemId, r.usageDate, r.contractYear, r.tokens, r.quantity,
          instantText(r.usageAt), instantText(r.sessionStart), instantText(r.sessionEnd), instantText(r.transactionDate),
          ...TEXT_COLUMNS.map((column) => textValue(r, column)), ...givenValues(r),
        ];
        text += `${values.map(copyText).join('\t')}\n`;
      }
      rows += batch.length;
      if (!stream.write(text)) await once(stream, 'drain');
    }
  } catch (error) {
    stream.destroy(error as Error);
    await finished.catch(() => undefined);
    throw error;
  }
  stream.end();
  await finished;
  return rows;
}

export async function dropIngestTables(db: Queryable): Promise<void> {
  await db.query('drop table if exists ingest_staging, ingest_new, ingest_charges');
}

/** Serialises the apply step of every batch into this schema, across processes, for the transaction. */
export async function lockIngestion(db: Queryable): Promise<void> {
  await db.query(`select pg_advisory_xact_lock(hashtextextended('usage-insights:ingest:' || current_schema(), 0))`);
}

const NEW_COLUMNS = ['line', 'id', 'charged_item_id', 'usage_date', 'contract_year', 'tokens', 'quantity', ...INSTANT_COLUMNS, ...TEXT_COLUMNS, ...GIVEN_COLUMNS];

/**
 * The batch's records whose id is not stored yet, the first of repeats within the batch (by line).
 * Users sent by name only get the id of the one user with that name, and custom fields left out
 * take the user's enrichment value for the contract.
 */
export async function createNewRecordsTable(db: Queryable): Promise<void> {
  const select = NEW_COLUMNS.map((c) => {
    if (c === 'user_id') return 'coalesce(n.user_id, u.id) as user_id';
    const field = /^custom_field_(\d+)$/.exec(c);
    return field ? `coalesce(n.${c}, e.f${field[1]}) as ${c}` : `n.${c}`;
  }).join(', ');
  await db.query(`create temp table ingest_new as
    with fresh as (
      select distinct on (s.id) s.* from ingest_staging s
       where not exists (select 1 from usage_records r where r.id = s.id)
       order by s.id, s.line
    ),
    ${USAGE_REFERENCE_CTES}
    select ${select}
      from fresh n
      left join unique_names u on n.user_id is null and u.user_name = n.user_name
      left join enrichment e on e.contract_number = n.contract_number and e.user_id = coalesce(n.user_id, u.id)`);
}

export async function countNewRecords(db: Queryable): Promise<number> {
  return Number((await db.query('select count(*)::int as n from ingest_new')).rows[0]?.n ?? 0);
}

/**
 * Each contract year the new records touch, with S: the earliest usage time among them and the
 * stored records of their (contract, user, rating day)s. Every record of the year from S on may
 * change; none before it can (src/rating `affectedUserDays`).
 */
export async function selectAffectedYears(db: Queryable): Promise<{ contractNumber: string; year: number; since: string }[]> {
  const result = await db.query(`
    with days as (select distinct contract_number, coalesce(user_name, '') as user_name, usage_date from ingest_new),
    touched as (
      select contract_number, contract_year, usage_at as usage_time from ingest_new
      union all
      select r.contract_number, r.contract_year, r.usage_timestamp
        from usage_records r join days d
          on r.contract_number = d.contract_number and coalesce(r.user_name, '') = d.user_name and r.usage_date = d.usage_date
    )
    select contract_number, contract_year, to_char(min(usage_time), 'YYYY-MM-DD HH24:MI:SS.US') as since
      from touched group by contract_number, contract_year order by contract_number, contract_year`);
  return result.rows.map((row) => ({ contractNumber: String(row.contract_number), year: Number(row.contract_year), since: String(row.since) }));
}

/** Tokens of a contract year's stored records before S: the `tokensConsumedBefore` of its re-rating. */
export async function selectTokensBefore(db: Queryable, contractNumber: string, year: number, since: string): Promise<number> {
  const result = await db.query(
    `select coalesce(sum(tokens_consumed), 0) as tokens from usage_records
      where contract_number = $1 and contract_year = $2 and usage_timestamp < $3::timestamp`,
    [contractNumber, year, since]);
  return Number(result.rows[0]?.tokens ?? 0);
}

/** An instant in the one shape the rating parses without a regular expression. */
const ratingInstant = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** One record of a re-rating's input: new, stored from S on, or stored context before S. */
export interface RatingInputRow {
  readonly isNew: boolean;
  /** A stored record before S on a user-day the re-rated records are on: rated again, never written back. */
  readonly isContext: boolean;
  /** Its stored tokens (context rows only): subtracted from `tokensConsumedBefore`, which counts them. */
  readonly storedTokens: number;
  readonly session: RatingSession;
}

/**
 * The records to rate for one affected contract year, in rating-input order (stored ones first,
 * then new ones, each by id): the stored records from S on, the new ones, and, as context only,
 * the stored records before S of the user-days the others are on (a session's charge depends on
 * the sessions before it that day, and a day can begin before S). What the rating is given for a
 * stored cloud event or manual record is its consumed tokens, except for those the rating zeroed
 * (failed jobs, non-Flex events), which it would zero again.
 */
export async function selectRatingInput(
  client: PoolClient, affected: { contractNumber: string; year: number; since: string },
): Promise<RatingInputRow[]> {
  const fields = (instant: string, tokens: string) => `id, contract_number, coalesce(user_name, '') as user_name, usage_category, source,
    product_line_code, product_version, ${ratingInstant('session_start')}, ${ratingInstant('session_end')}, license_server_tz_offset, usage_type,
    ${ratingInstant(instant)}, ${ratingInstant('transaction_date')}, ${tokens}, job_status`;
  const storedTokens = "case when usage_category <> 'DESKTOP_PRODUCT' then tokens_consumed end";
  const result = await client.query<unknown[]>({
    text: `with year_records as (select * from usage_records where contract_number = $1 and contract_year = $2),
           later as (select * from year_records where usage_timestamp >= $3::timestamp),
           fresh as (select * from ingest_new where contract_number = $1 and contract_year = $2),
           -- The user-days of the re-rated stored records. Those of new records add nothing: S is the
           -- earliest time of each new record's user-day, so none of its stored records is before S.
           days as (select distinct coalesce(user_name, '') as user_name, usage_date from later),
           context as (
             select r.* from year_records r
              where r.usage_timestamp < $3::timestamp
                and exists (select 1 from days d where d.user_name = coalesce(r.user_name, '') and d.usage_date = r.usage_date)
           )
           select false as is_new, false as is_context, ${fields('usage_timestamp', storedTokens)}, tokens_consumed from later
           union all
           select false, true, ${fields('usage_timestamp', storedTokens)}, tokens_consumed from context
           union all
           select true, false, ${fields('usage_at', 'tokens')}, 0 from fresh
           order by 1, 2, 3`,
    values: [affected.contractNumber, affected.year, affected.since],
    rowMode: 'array',
  });
  return result.rows.map((row) => {
    const text = (i: number) => (row[i] === null || row[i] === undefined ? null : String(row[i]));
    return {
      isNew: Boolean(row[0]),
      isContext: Boolean(row[1]),
      storedTokens: Number(row[17] ?? 0),
      session: {
        id: String(row[2]),
        contractNumber: String(row[3]),
        userName: String(row[4]),
        usageCategory: String(row[5]) as RatingSession['usageCategory'],
        source: String(row[6]) as RatingSession['source'],
        productLineCode: text(7),
        productVersion: text(8),
        sessionStart: text(9),
        sessionEnd: text(10),
        licenseServerTzOffset: text(11),
        usageType: text(12) as RatingSession['usageType'],
        usageTimestamp: text(13),
        transactionDate: text(14),
        tokens: row[15] === null || row[15] === undefined ? null : Number(row[15]),
        jobStatus: text(16) as RatingSession['jobStatus'],
      },
    };
  });
}

export async function createChargesTable(db: Queryable): Promise<void> {
  await db.query(`create temp table ingest_charges (
    id text collate "C" not null, is_new boolean not null, usage_date date not null, contract_year integer not null,
    charge_category text collate "C" not null, token_pool text collate "C" not null, tokens_consumed double precision not null,
    usage_minutes double precision not null, is_charged_event boolean not null)`);
}

/** Writes computed charges into `ingest_charges` with COPY. */
export async function copyCharges(client: PoolClient, charges: readonly { isNew: boolean; charge: RatedCharge }[]): Promise<void> {
  if (charges.length === 0) return;
  const stream = client.query(copyFrom(`copy ingest_charges (id, is_new, usage_date, contract_year, charge_category, token_pool,
    tokens_consumed, usage_minutes, is_charged_event) from stdin`));
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  const CHUNK = 4096;
  for (let start = 0; start < charges.length; start += CHUNK) {
    let text = '';
    for (const { isNew, charge: c } of charges.slice(start, start + CHUNK)) {
      text += `${[c.id, isNew ? 't' : 'f', c.usageDate, c.contractYear, c.chargeCategory, c.tokenPool, c.tokensConsumed, c.usageMinutes,
        c.isChargedEvent ? 't' : 'f'].map(copyText).join('\t')}\n`;
    }
    if (!stream.write(text)) await once(stream, 'drain');
  }
  stream.end();
  await finished;
}

/** The charges of a Token Flex export's new records, as given (docs/sources.md): nothing is rated. */
export async function insertGivenCharges(db: Queryable): Promise<number> {
  const result = await db.query(`insert into ingest_charges (id, is_new, usage_date, contract_year, charge_category, token_pool,
      tokens_consumed, usage_minutes, is_charged_event)
    select id, true, given_usage_date, given_contract_year, given_charge_category, given_token_pool, given_tokens_consumed,
      given_usage_minutes, given_is_charged_event
    from ingest_new`);
  return result.rowCount ?? 0;
}


/** Stores the denials whose id is not stored yet; returns how many it stored. */
export async function insertDenials(db: Queryable, denials: readonly DenialInput[], processedAt: string): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < denials.length; start += DENIALS_PER_STATEMENT) {
    const chunk = denials.slice(start, start + DENIALS_PER_STATEMENT);
    const rows = denialValueRows(chunk.length, (p, type) => `${p}::${type}`);
    const result = await db.query(`insert into license_denials (${DENIAL_COLUMNS.join(', ')}) values ${rows} on conflict (id) do nothing`,
      chunk.flatMap((d) => [d.id, d.contractNumber, d.teamId, d.licenseServerName, d.licenseServerTzOffset, d.productFeatureCode, d.productLineCode,
        d.productVersion, d.productName, d.userName, d.machineName, d.licenses, new Date(d.deniedAt).toISOString(), d.usageDate, d.contractYear,
        d.reason, d.reasonCode, processedAt]));
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}

/** How many of the denials' ids are not stored yet (a dry run's count). */
export async function countNewDenials(db: Queryable, denials: readonly DenialInput[]): Promise<number> {
  const ids = [...new Set(denials.map((d) => d.id))];
  if (ids.length === 0) return 0;
  const result = await db.query('select count(*)::int as n from license_denials where id = any($1::text[])', [ids]);
  return ids.length - Number(result.rows[0]?.n ?? 0);
}

/** Months (YYYY-MM-01) of the new records' rating days: their partitions must exist before the insert. */
export async function selectNewRecordMonths(db: Queryable): Promise<string[]> {
  const result = await db.query(
    `select distinct to_char(date_trunc('month', usage_date), 'YYYY-MM-DD') as month from ingest_charges where is_new order by 1`);
  return result.rows.map((row) => String(row.month));
}

/** Inserts the new records with their charges, processed at `processedAt` (ISO 8601, UTC). */
export async function insertNewRecords(db: Queryable, processedAt: string): Promise<number> {
  const result = await db.query(`insert into usage_records (
      id, contract_number, team_id, usage_category, source, user_id, user_name, product_line_code, product_name,
      parent_product_name, product_version, product_feature_code, usage_date, contract_year, charge_category, token_pool,
      tokens_consumed, usage_minutes, quantity, is_charged_event, machine_name, license_server_name, license_server_tz_offset,
      session_start, session_end, usage_type, hub_id, hub_name, job_status, transaction_date, reason_type, reason_comment,
      charged_item_id, usage_timestamp,
      custom_field_1, custom_field_2, custom_field_3, custom_field_4, custom_field_5,
      custom_field_6, custom_field_7, custom_field_8, custom_field_9, custom_field_10, processed_at)
    select n.id, n.contract_number, n.team_id, n.usage_category, n.source, n.user_id, n.user_name, n.product_line_code, n.product_name,
      n.parent_product_name, n.product_version, n.product_feature_code, c.usage_date, c.contract_year, c.charge_category, c.token_pool,
      c.tokens_consumed, c.usage_minutes, n.quantity, c.is_charged_event, n.machine_name, n.license_server_name, n.license_server_tz_offset,
      n.session_start, n.session_end, n.usage_type, n.hub_id, n.hub_name, n.job_status, n.transaction_date, n.reason_type, n.reason_comment,
      n.charged_item_id, n.usage_at,
      n.custom_field_1, n.custom_field_2, n.custom_field_3, n.custom_field_4, n.custom_field_5,
      n.custom_field_6, n.custom_field_7, n.custom_field_8, n.custom_field_9, n.custom_field_10, $1::timestamp
    from ingest_new n join ingest_charges c on c.is_new and c.id = n.id`, [processedAt]);
  return result.rowCount ?? 0;
}

/** Writes the charges of the stored records the batch changed, processed at `processedAt`; returns how many changed. */
export async function updateChangedCharges(db: Queryable, processedAt: string): Promise<number> {
  const result = await db.query(`update usage_records r set
      usage_date = c.usage_date, contract_year = c.contract_year, charge_category = c.charge_category, token_pool = c.token_pool,
      tokens_consumed = c.tokens_consumed, usage_minutes = c.usage_minutes, is_charged_event = c.is_charged_event, processed_at = $1::timestamp
    from ingest_charges c
    where not c.is_new and r.id = c.id and (
      r.charge_category <> c.charge_category or r.token_pool <> c.token_pool or r.tokens_consumed <> c.tokens_consumed
      or r.is_charged_event <> c.is_charged_event or r.usage_minutes <> c.usage_minutes or r.usage_date <> c.usage_date
      or r.contract_year <> c.contract_year)`, [processedAt]);
  return result.rowCount ?? 0;
}

export function summary(records: number, inserted: number, rated: number, dryRun: boolean): UsageIngestSummary {
  return Object.freeze({ records, inserted, duplicates: records - inserted, rated, dryRun });
}
