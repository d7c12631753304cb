import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  createRatingInputTableSql, rateInputsInSql, ratedChargeSql, ratingInputSql, STORED_USAGE_INSTANT_SQL,
} from '../../sql/rating-sql.js';
import { duckDbConnectionDb, duckDbDialect } from '../duckdb-db.js';
import type {
  ChargesFrom, ContractYearDefinition, DenialInput, Product, UsageIngestSummary, UsageRecordInput, UsageReferences,
} from '../../contract/index.js';
import { STAGED_COLUMNS, stagedLine, type StagedField } from '../staged-line.js';
import { DENIAL_COLUMNS, DENIALS_PER_STATEMENT, denialValueRows } from '../../denial-sql.js';
import { USAGE_REFERENCE_CTES } from '../../usage-reference-sql.js';

// Usage ingestion on DuckDB (spec §6): stage a batch, then in one transaction insert the new ids
// and re-rate everything they can change. The temp views and tables are the connection's own, so
// two batches on two connections never see each other's.
//
// Staging: each chunk of validated records is written as NDJSON (staged-line.ts) to a file of our
// own while the next is validated. Once the batch is validated, DuckDB's JSON reader reads the
// batch's files once, through the view `ingest_staging`, into `ingest_new`; the files are deleted
// with the batch, and the disk holds it (about 400 bytes a record) until then. Staging tables and
// the appender were slower (docs/store-measurements.md).

export async function selectUsageReferences(connection: DuckDBConnection): Promise<UsageReferences> {
  const contracts = (await connection.runAndReadAll(`
    select c.contract_number, c.team_id, y.year, strftime(y.start_date, '%Y-%m-%d'), strftime(y.end_date, '%Y-%m-%d'), y.provisioned_tokens,
      coalesce(c.charges_from, 'rating')
    from contracts c left join contract_years y using (contract_number)
    order by c.contract_number, y.year`)).getRowsJS();
  const byNumber = new Map<string, { contractNumber: string; teamId: string; years: ContractYearDefinition[]; chargesFrom: ChargesFrom }>();
  for (const [contractNumber, teamId, year, startDate, endDate, provisioned, chargesFrom] of contracts) {
    let contract = byNumber.get(String(contractNumber));
    if (!contract) {
      contract = { contractNumber: String(contractNumber), teamId: String(teamId), years: [], chargesFrom: chargesFrom === 'autodesk' ? 'autodesk' : 'rating' };
      byNumber.set(contract.contractNumber, contract);
    }
    if (year !== null) contract.years.push({ year: Number(year), startDate: String(startDate), endDate: String(endDate), provisionedTokens: Number(provisioned) });
  }
  const teams = (await connection.runAndReadAll('select id from teams order by id')).getRowsJS().map(([id]) => String(id));
  const products = (await connection.runAndReadAll(`
    select product_line_code, version, product_name, feature_code, daily_token_rate,
      strftime(effective_from, '%Y-%m-%d'), strftime(effective_to, '%Y-%m-%d')
    from products order by product_line_code, version`)).getRowsJS().map(([code, version, name, feature, rate, from, to]): Product => ({
    productLineCode: String(code), version: String(version), productName: String(name), featureCode: String(feature),
    dailyTokenRate: Number(rate), effectiveFrom: from === null ? null : String(from), effectiveTo: to === null ? null : String(to),
  }));
  return { contracts: [...byNumber.values()], teamIds: teams, products };
}

/** SQL of a staged field of `s` (the staged arrays, read as lists of text `j`), cast to its type. */
function staged(field: StagedField): string {
  const [index, type] = STAGED_COLUMNS[field];
  return type === 'VARCHAR' ? `s.j[${index}]` : `cast(s.j[${index}] as ${type})`;
}

const timestampOf = (field: StagedField) => `make_timestamp(${staged(field)} * 1000)`;

/** The numbers of the ten custom fields. */
const CUSTOM_FIELDS = Array.from({ length: 10 }, (_, k) => k + 1);

/**
 * Bytes of NDJSON per chunk file (about 45k records): each file is one more for the JSON reader
 * to open, and is written while the workers validate the next ones.
 */
const CHUNK_FILE_BYTES = 16 << 20;

const encoder = new TextEncoder();

const CHUNK_FILE = /^ingest-[0-9a-f-]{36}-\d+\.ndjson$/;

/** Deletes the chunk files in `directory` of batches that never finished (the process stopped). */
export async function removeLeftoverChunkFiles(directory: string): Promise<void> {
  const names = await readdir(directory).catch(() => [] as string[]);
  // One that cannot be deleted is left to the operator: it never stops the store from opening.
  for (const name of names) if (CHUNK_FILE.test(name)) await rm(path.join(directory, name), { force: true }).catch(() => undefined);
}

/** A SQL string literal of one of our own file paths. */
function pathLiteral(file: string): string {
  return `'${file.replaceAll("'", "''")}'`;
}

/**
 * Stages batches of records as NDJSON chunk files in `directory`, and makes them the view
 * `ingest_staging` (`finish`). `append` returns once the previous chunk is written, so at most two
 * chunks are held: the one being written and the one filling.
 */
export class UsageStager {
  readonly #connection: DuckDBConnection;
  readonly #directory: string;
  readonly #prefix = randomUUID();
  readonly #files: string[] = [];
  #rows = 0;
  /** Staged lines not written yet, and their size. */
  #parts: Uint8Array[] = [];
  #bytes = 0;
  #writing: Promise<void> = Promise.resolve();

  constructor(connection: DuckDBConnection, directory: string) {
    this.#connection = connection;
    this.#directory = directory;
  }

  get rows(): number {
    return this.#rows;
  }

  async create(): Promise<void> {
    await mkdir(this.#directory, { recursive: true });
  }

  async append(records: readonly UsageRecordInput[]): Promise<void> {
    let text = '';
    for (const record of records) text += `${stagedLine(record)}\n`;
    await this.appendBytes(encoder.encode(text), records.length);
  }

  /** Appends `records` records already written as staged lines (staged-line.ts) in UTF-8, each ending in a newline. */
  async appendBytes(bytes: Uint8Array, records: number): Promise<void> {
    this.#parts.push(bytes);
    this.#bytes += bytes.byteLength;
    this.#rows += records;
    if (this.#bytes >= CHUNK_FILE_BYTES) await this.#flush();
  }

  /** Starts writing what is buffered as one chunk file, once the previous one is written. */
  async #flush(): Promise<void> {
    if (this.#bytes === 0) return;
    const file = path.join(this.#directory, `ingest-${this.#prefix}-${this.#files.length}.ndjson`);
    this.#files.push(file);
    const parts = this.#parts;
    this.#parts = [];
    this.#bytes = 0;
    const previous = this.#writing;
    this.#writing = previous.then(() => writeFile(file, parts));
    // A failure surfaces at the next flush or at `finish`; keep it from being unhandled meanwhile.
    this.#writing.catch(() => undefined);
    await previous;
  }

  /**
   * Writes what is buffered, and makes the view `ingest_staging` of every staged record (with their
   * given charges: `givenCharges`).
   */
  async finish(givenCharges = false): Promise<void> {
    await this.#flush();
    await this.#writing;
    const from = this.#files.length === 0
      ? '(select null::varchar[] as j limit 0) s'
      : `read_json([${this.#files.map(pathLiteral).join(', ')}], format = 'newline_delimited', records = false,
          columns = {'j': 'VARCHAR[]'}) s`;
    await this.#connection.run(`create or replace temp view ingest_staging as ${stagedRecordsSql(from, givenCharges)}`);
  }

  /** Waits for any write, ignoring its failure, and deletes the chunk files. */
  async remove(): Promise<void> {
    this.#parts = [];
    this.#bytes = 0;
    await this.#writing.catch(() => undefined);
    for (const file of this.#files) await rm(file, { force: true });
  }
}

export async function dropIngestTables(connection: DuckDBConnection): Promise<void> {
  await connection.run(['ingest_staging', 'rerate_new_input'].map((v) => `drop view if exists temp.${v};`).join('\n'));
  await connection.run(['ingest_new', 'rerate_input', 'rerate_base', 'rerate_charges']
    .map((t) => `drop table if exists temp.${t};`).join('\n'));
}

/**
 * The records of the staged arrays `s` read from `from`, typed as usage_records types them. The
 * user id of a record sent by name only and the custom fields left out are filled in by the insert
 * (`insertNewRecords`), not here: DuckDB estimates a JSON scan at a few dozen rows, so a join here
 * built its hash table on the batch rather than on the enrichment values (the bench's million
 * records: 4.8-5.5 s of CPU to build ingest_new with the joins, 3.3-4.3 s without, measured);
 * joined to `ingest_new`, whose size it knows, it does not.
 */
function stagedRecordsSql(from: string, givenCharges: boolean): string {
  const text = (field: StagedField, column: string) => `${staged(field)} as ${column}`;
  const given = givenCharges ? `${GIVEN_COLUMNS.map(([field, column]) => text(field, column)).join(', ')},` : '';
  return `select ${staged('line')} as line, ${staged('id')} as id, coalesce(${staged('chargedItemId')}, ${staged('id')}) as charged_item_id,
      ${staged('usageDate')} as usage_date, ${staged('contractYear')} as contract_year, ${staged('tokens')} as tokens, coalesce(${staged('quantity')}, 0) as quantity,
      ${timestampOf('usageAt')} as usage_at, ${timestampOf('sessionStart')} as session_start, ${timestampOf('sessionEnd')} as session_end,
      ${timestampOf('transactionDate')} as transaction_date,
      ${text('contractNumber', 'contract_number')}, ${text('teamId', 'team_id')}, ${text('usageCategory', 'usage_category')}, ${text('source', 'source')},
      ${text('userId', 'user_id')}, ${text('userName', 'user_name')}, ${text('productLineCode', 'product_line_code')}, ${text('productName', 'product_name')},
      ${text('parentProductName', 'parent_product_name')}, ${text('productVersion', 'product_version')}, ${text('productFeatureCode', 'product_feature_code')},
      ${text('licenseServerTzOffset', 'license_server_tz_offset')}, ${text('usageType', 'usage_type')}, ${text('machineName', 'machine_name')},
      ${text('licenseServerName', 'license_server_name')}, ${text('hubId', 'hub_id')}, ${text('hubName', 'hub_name')}, ${text('jobStatus', 'job_status')},
      ${text('reasonType', 'reason_type')}, ${text('reasonComment', 'reason_comment')}, ${given}
      ${CUSTOM_FIELDS.map((k) => text(`customField${k}` as StagedField, `custom_field_${k}`)).join(', ')}
    from ${from}`;
}

/** The given charge of a record of a Token Flex export, as columns of `ingest_new`. */
const GIVEN_COLUMNS: readonly (readonly [StagedField, string])[] = [
  ['givenUsageDate', 'given_usage_date'], ['givenContractYear', 'given_contract_year'], ['givenChargeCategory', 'given_charge_category'],
  ['givenTokenPool', 'given_token_pool'], ['givenTokensConsumed', 'given_tokens_consumed'], ['givenUsageMinutes', 'given_usage_minutes'],
  ['givenIsChargedEvent', 'given_is_charged_event'],
];

/** The charge of a new record as given (`n`: ingest_new), in the shape of `ratedChargeSql`. */
const GIVEN_CHARGE_SQL = {
  usageDate: 'n.given_usage_date', contractYear: 'n.given_contract_year', chargeCategory: 'n.given_charge_category', tokenPool: 'n.given_token_pool',
  tokensConsumed: 'n.given_tokens_consumed', usageMinutes: 'n.given_usage_minutes', isChargedEvent: 'n.given_is_charged_event',
} as const;

/**
 * The table `ingest_new` of the batch's records whose id is not stored yet, the first of repeats
 * within the batch (by line): the staged files are read once, into it, and it is checked for both
 * there (most batches have neither, and then nothing more is done).
 */
export async function createNewRecordsTable(connection: DuckDBConnection): Promise<void> {
  await connection.run('create or replace temp table ingest_new as select * from ingest_staging');
  const [repeated, stored] = (await connection.runAndReadAll(`select
      (select count(*) - count(distinct id) from ingest_new),
      (select count(*) from ingest_new n semi join usage_records r on r.id = n.id)`)).getRowsJS()[0] ?? [];
  if (Number(repeated) === 0 && Number(stored) === 0) return;
  // The first line of each new id; only (id, line) go through the grouping, not the whole record.
  await connection.run(`delete from ingest_new where line not in (
    select min(line) from ingest_new where id not in (select id from usage_records) group by id)`);
}

export async function countNewRecords(connection: DuckDBConnection): Promise<number> {
  return Number((await connection.runAndReadAll('select count(*) from ingest_new')).getRowsJS()[0]?.[0] ?? 0);
}

/**
 * Each contract year the new records touch, with S: the earliest usage time among them and the
 * stored records of their (contract, user, rating day)s. Every record of the year from S on may
 * change; none before it can (src/rating `affectedUserDays`).
 */
async function selectAffectedYears(connection: DuckDBConnection): Promise<AffectedYear[]> {
  const rows = (await connection.runAndReadAll(`
    with days as (select distinct contract_number, coalesce(user_name, '') as user_name, usage_date from ingest_new),
    stored as (
      select r.contract_number, r.contract_year, min(r.usage_timestamp) as since
      from usage_records r join days d
        on r.contract_number = d.contract_number and coalesce(r.user_name, '') = d.user_name and r.usage_date = d.usage_date
      group by all
    ),
    fresh as (select contract_number, contract_year, min(usage_at) as since from ingest_new group by all)
    select f.contract_number, f.contract_year, strftime(least(f.since, coalesce(s.since, f.since)), '%Y-%m-%d %H:%M:%S.%f')
    from fresh f left join stored s using (contract_number, contract_year)
    order by 1, 2`)).getRowsJS();
  return rows.map(([contractNumber, year, since]) => ({ contractNumber: String(contractNumber), year: Number(year), since: String(since) }));
}

interface AffectedYear {
  readonly contractNumber: string;
  readonly year: number;
  readonly since: string;
}

/**
 * The new records as a rating input, keyed by their line (unique once repeats are dropped; a row
 * number over a million rows was a single-threaded window of 4 s).
 */
const NEW_RATING_INPUT_SQL = `create or replace temp view rerate_new_input as
  select line as k, false as is_context, ${ratingInputSql(duckDbDialect, 'usage_at', 'tokens', 'null')} from ingest_new`;

/**
 * Rates the new records with every stored record they can change, contract year by contract year
 * (pools are per year, user-days lie within one). For a year: the stored records from its S on,
 * plus, as context only, the earlier records of the user-days those records are on (a session's
 * charge depends on the sessions before it that day, and a day can begin before S); the year's
 * tokens before S, less the context's (which the rating counts again), are what the year had
 * drawn before (`rerate_base`). Nothing before S changes, so the context's charges are not
 * written back. Returns how many records were rated. The charges are left in `rerate_charges`
 * (sql/rating-sql.ts): new records' keyed by their line, stored records' by rerate_input's k.
 */
export async function rateAffectedRecords(connection: DuckDBConnection, casualThresholdMinutes: number | undefined): Promise<number> {
  await connection.run(`drop table if exists temp.rerate_input; ${createRatingInputTableSql('rerate_input', duckDbDialect)};
    create or replace temp table rerate_base (contract_number varchar, contract_year integer, before double)`);
  let k = 0;
  let contextRows = 0;
  await connection.run(NEW_RATING_INPUT_SQL);
  for (const affected of await selectAffectedYears(connection)) {
    const before = Number((await connection.runAndReadAll(`select coalesce(sum(tokens_consumed), 0) from usage_records
      where contract_number = $1 and contract_year = $2 and usage_timestamp < cast($3 as timestamp)`,
    [affected.contractNumber, affected.year, affected.since])).getRowsJS()[0]?.[0] ?? 0);
    const stored = await insertStoredRatingInput(connection, affected, k);
    await connection.run('insert into rerate_base values ($1, $2, $3)', [affected.contractNumber, affected.year, before - stored.contextTokens]);
    k += stored.rows;
    contextRows += stored.contextRows;
  }
  await rateInputsInSql(duckDbConnectionDb(connection), casualThresholdMinutes === undefined ? {} : { casualThresholdMinutes });
  const [rows, inputs] = (await connection.runAndReadAll(`select (select count(*) from rerate_charges),
    (select count(*) from rerate_input) + (select count(*) from rerate_new_input)`)).getRowsJS()[0] ?? [];
  // Every input has its charge (the joins of the rating drop none); a record without one would
  // be left out of the insert below while counted as inserted.
  if (Number(rows) !== Number(inputs)) throw new Error(`the rating charged ${String(rows)} of ${String(inputs)} records`);
  return Number(rows) - contextRows;
}

/**
 * Copies into rerate_input, numbered from `k`, the stored records of a year from its S on, and
 * (flagged `is_context`) the records before S of the user-days those are on. Returns how many
 * rows, how many of them context, and the tokens the context consumed.
 */
async function insertStoredRatingInput(
  connection: DuckDBConnection, affected: AffectedYear, k: number,
): Promise<{ rows: number; contextRows: number; contextTokens: number }> {
  // What the rating was given: the tokens of a cloud event or manual record are kept as consumed,
  // except those the rating zeroed (failed jobs, non-Flex events), which it would zero again.
  const stored = ratingInputSql(duckDbDialect, STORED_USAGE_INSTANT_SQL, "case when usage_category <> 'DESKTOP_PRODUCT' then tokens_consumed end", 'tokens_consumed');
  await connection.run(`insert into rerate_input
    with year_records as (select * from usage_records where contract_number = $1 and contract_year = $2),
    later as (select * from year_records where usage_timestamp >= cast($3 as timestamp)),
    days as (select distinct coalesce(user_name, '') as user_name, usage_date from later),
    context as (
      select r.* from year_records r semi join days d on coalesce(r.user_name, '') = d.user_name and r.usage_date = d.usage_date
      where r.usage_timestamp < cast($3 as timestamp)
    )
    select ${k} + row_number() over () - 1 as k, *
    from (
      select false as is_context, ${stored} from later
      union all
      select true, ${stored} from context
    )`, [affected.contractNumber, affected.year, affected.since]);
  const [rows, contextRows, contextTokens] = (await connection.runAndReadAll(`select count(*), count(*) filter (where is_context),
    coalesce(sum(tokens_consumed) filter (where is_context), 0) from rerate_input where k >= $1`, [k])).getRowsJS()[0] ?? [];
  return { rows: Number(rows ?? 0), contextRows: Number(contextRows ?? 0), contextTokens: Number(contextTokens ?? 0) };
}

/**
 * Inserts the new records with their charges (the caller lets DuckDB write them from its threads
 * without merging back into scan order: row order is not content). Users sent by name only get the
 * id of the one user with that name, and custom fields left out take the user's enrichment value
 * for the contract. `processedAt`: ISO 8601, UTC.
 */
export async function insertNewRecords(connection: DuckDBConnection, processedAt: string, givenCharges = false): Promise<void> {
  // A Token Flex export's records keep the charges Autodesk gave them (docs/sources.md): nothing was rated.
  const o = givenCharges ? GIVEN_CHARGE_SQL : ratedChargeSql('o');
  await connection.run(`insert into usage_records (
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
    from ingest_new n ${givenCharges ? '' : 'join rerate_charges o on o.is_new and o.k = n.line'}
    -- Keys only in the join condition: "n.user_id is null and …" made it a nested-loop join (3 s per 100k rows).
    left join unique_names u on u.user_name = n.user_name
    left join enrichment e on e.contract_number = n.contract_number and e.user_id = coalesce(n.user_id, u.id)`, [processedAt]);
}

/** Writes the charges of the stored records the batch changed, processed at `processedAt`; returns how many changed. */
export async function updateChangedCharges(connection: DuckDBConnection, processedAt: string): Promise<number> {
  const o = ratedChargeSql('o');
  const reader = await connection.runAndReadAll(`update usage_records set
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
      or usage_records.contract_year <> x.contract_year)`, [processedAt]);
  return Number(reader.getRowsJS()[0]?.[0] ?? 0);
}


/** A UTC instant as DuckDB reads a timestamp literal. */
const timestampText = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 23).replace('T', ' ');

/** Stores the denials whose id is not stored yet; returns how many it stored. */
export async function insertDenials(connection: DuckDBConnection, denials: readonly DenialInput[], processedAt: string): Promise<number> {
  const count = async () => Number((await connection.runAndReadAll('select count(*) from license_denials')).getRowsJS()[0]?.[0] ?? 0);
  const before = await count();
  for (let start = 0; start < denials.length; start += DENIALS_PER_STATEMENT) {
    const chunk = denials.slice(start, start + DENIALS_PER_STATEMENT);
    const rows = denialValueRows(chunk.length, (p, type) => `cast(${p} as ${type})`);
    await connection.run(`insert into license_denials (${DENIAL_COLUMNS.join(', ')}) values ${rows} on conflict do nothing`,
      chunk.flatMap((d) => [d.id, d.contractNumber, d.teamId, d.licenseServerName, d.licenseServerTzOffset, d.productFeatureCode, d.productLineCode,
        d.productVersion, d.productName, d.userName, d.machineName, d.licenses, timestampText(d.deniedAt), d.usageDate, d.contractYear, d.reason,
        d.reasonCode, timestampText(Date.parse(processedAt))]));
  }
  return (await count()) - before;
}

/** How many of the denials' ids are not stored yet (a dry run's count). */
export async function countNewDenials(connection: DuckDBConnection, denials: readonly DenialInput[]): Promise<number> {
  const ids = [...new Set(denials.map((d) => d.id))];
  let stored = 0;
  for (let start = 0; start < ids.length; start += DENIALS_PER_STATEMENT) {
    const chunk = ids.slice(start, start + DENIALS_PER_STATEMENT);
    stored += Number((await connection.runAndReadAll(`select count(*) from license_denials where id in (${chunk.map((_, i) => `$${i + 1}`).join(', ')})`,
      chunk)).getRowsJS()[0]?.[0] ?? 0);
  }
  return ids.length - stored;
}

export function summary(records: number, inserted: number, rated: number, dryRun: boolean): UsageIngestSummary {
  return Object.freeze({ records, inserted, duplicates: records - inserted, rated, dryRun });
}
