import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  DEFAULT_SEED_OPTIONS, DEMO_ADMIN_EMAIL, DEMO_ADMIN_USER_ID, DEMO_ALICE_EMAIL, DEMO_ALICE_USER_ID, loadDemoData,
} from './index.js';
import type { SeedOptions } from './index.js';
import { rateRecords, type RatingContractYear, type RatingSession } from '../rating/index.js';
import { openDuckDbStore, type Store } from '../store/index.js';

const TABLES = [
  'users', 'teams', 'team_members', 'contracts', 'contract_years', 'contract_managers', 'user_enrichment',
  'products', 'subscriptions', 'seat_assignments', 'usage_records',
];
const SMALL: SeedOptions = { ...DEFAULT_SEED_OPTIONS, rows: 5_000 };

type Context = { after: (fn: () => void | Promise<void>) => void };

/** A fresh, migrated DuckDB store on a temp directory (its file is read raw afterwards). */
async function openEmptyStore(t: Context): Promise<{ store: Store; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'usage-seed-test-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const store = await openDuckDbStore({ dataDir });
  await store.migrate();
  return { store, dataDir };
}

/** A raw connection to the store's file, after the store closed it. */
async function openRaw(t: Context, store: Store, dataDir: string): Promise<DuckDBConnection> {
  await store.close();
  const instance = await DuckDBInstance.create(path.join(dataDir, 'usage.duckdb'));
  const connection = await instance.connect();
  t.after(() => {
    connection.closeSync();
    instance.closeSync();
  });
  return connection;
}

/** The demo data loaded into a DuckDB store, read with a raw connection to its file. */
async function seeded(t: Context, options: SeedOptions): Promise<DuckDBConnection> {
  const { store, dataDir } = await openEmptyStore(t);
  await loadDemoData(store, options);
  return openRaw(t, store, dataDir);
}

async function queryRows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS();
}

async function scalar(connection: DuckDBConnection, sql: string): Promise<unknown> {
  const row = (await queryRows(connection, sql))[0] ?? {};
  return Object.values(row)[0];
}

/** md5 of every row of every table, rows in the order of their text, so storage order does not matter. */
async function digests(connection: DuckDBConnection): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of TABLES) {
    result[table] = String(await scalar(connection,
      `select md5(coalesce(string_agg(cast(x as varchar), chr(10) order by cast(x as varchar)), '')) from ${table} x`));
  }
  return result;
}

test('the same options give byte-identical contents in every table, whatever the thread count', async (t) => {
  const first = await digests(await seeded(t, SMALL));
  const single = await seeded(t, { ...SMALL, threads: 1 });
  assert.deepEqual(await digests(single), first);
});

test('a different seed gives different users and usage', async (t) => {
  const first = await digests(await seeded(t, SMALL));
  const other = await digests(await seeded(t, { ...SMALL, seed: SMALL.seed + 1 }));
  assert.notEqual(other['users'], first['users']);
  assert.notEqual(other['usage_records'], first['usage_records']);
});

test('it writes exactly the requested number of usage records inside the window and restores the session setting it changes', async (t) => {
  const connection = await seeded(t, { ...SMALL, rows: 4_321 });
  const [row] = await queryRows(connection, `select count(*) as n, count(distinct id) as ids,
    min(usage_date) >= date '${SMALL.from}' and max(usage_date) <= date '${SMALL.to}' as inside from usage_records`);
  assert.deepEqual(row, { n: 4321n, ids: 4321n, inside: true });
  assert.equal(await scalar(connection, "select current_setting('preserve_insertion_order')"), true);
});

test('the admin administers every team and manages every contract', async (t) => {
  const connection = await seeded(t, SMALL);
  const [admin] = await queryRows(connection, `select id, user_name, roles from users where email = '${DEMO_ADMIN_EMAIL}'`);
  assert.deepEqual(admin, { id: DEMO_ADMIN_USER_ID, user_name: 'admin', roles: 'admin' });
  assert.equal(await scalar(connection, `select count(*) from teams where id not in
    (select team_id from team_members where user_id = '${DEMO_ADMIN_USER_ID}' and is_admin)`), 0n);
  assert.equal(await scalar(connection, `select count(*) from contracts where contract_number not in
    (select contract_number from contract_managers where user_id = '${DEMO_ADMIN_USER_ID}')`), 0n);
});

test('alice administers one team and manages the one contract of that team', async (t) => {
  const connection = await seeded(t, SMALL);
  const [alice] = await queryRows(connection, `select id, user_name, roles from users where email = '${DEMO_ALICE_EMAIL}'`);
  assert.deepEqual(alice, { id: DEMO_ALICE_USER_ID, user_name: 'alice', roles: '' });
  const teams = await queryRows(connection,
    `select team_id from team_members where user_id = '${DEMO_ALICE_USER_ID}' and is_admin`);
  const contracts = await queryRows(connection, `select c.team_id from contract_managers m
    join contracts c using (contract_number) where m.user_id = '${DEMO_ALICE_USER_ID}'`);
  assert.equal(teams.length, 1);
  assert.equal(contracts.length, 1);
  assert.equal(contracts[0]?.['team_id'], teams[0]?.['team_id']);
});

test('each user, product and day has at most one CHARGED flex desktop session', async (t) => {
  const connection = await seeded(t, SMALL);
  assert.equal(await scalar(connection, `select count(*) from (
    select user_id, product_line_code, usage_date from usage_records
    where usage_category = 'DESKTOP_PRODUCT' and source = 'flex' and charge_category = 'CHARGED'
    group by all having count(*) > 1)`), 0n);
});

test('casual sessions are shorter than five minutes and cost nothing', async (t) => {
  const connection = await seeded(t, SMALL);
  const [row] = await queryRows(connection, `select count(*) as n,
    count(*) filter (where usage_minutes >= 5 or tokens_consumed <> 0 or is_charged_event) as wrong
    from usage_records where charge_category = 'CASUAL'`);
  assert.ok(Number(row?.['n']) > 0);
  assert.equal(row?.['wrong'], 0n);
  assert.equal(await scalar(connection, `select count(*) from usage_records where usage_category = 'DESKTOP_PRODUCT'
    and source = 'flex' and usage_minutes < 5 and charge_category <> 'CASUAL'`), 0n);
});

test('a flex user-day costs the daily rate of the dearest product used', async (t) => {
  const connection = await seeded(t, SMALL);
  assert.equal(await scalar(connection, `select count(*) from (
    select r.user_id, r.usage_date, sum(r.tokens_consumed) as tokens,
      coalesce(max(p.daily_token_rate) filter (where r.charge_category <> 'CASUAL'), 0) as dearest
    from usage_records r join products p on p.product_line_code = r.product_line_code and p.version = r.product_version
    where r.usage_category = 'DESKTOP_PRODUCT' and r.source = 'flex'
    group by all) where tokens <> dearest`), 0n);
  assert.equal(await scalar(connection, `select count(*) from usage_records
    where is_charged_event <> (charge_category in ('CHARGED', 'INCREMENTAL'))`), 0n);
});

test('subscription usage is free and every record has a charge category and a token pool', async (t) => {
  const connection = await seeded(t, SMALL);
  const [row] = await queryRows(connection, `select
    count(*) filter (where source = 'sus') as sus,
    count(*) filter (where source = 'sus' and (tokens_consumed <> 0 or charge_category <> 'N/A')) as charged_sus,
    count(*) filter (where token_pool not in ('CY', 'MY')) as bad_pool
    from usage_records`);
  assert.ok(Number(row?.['sus']) > 0);
  assert.equal(row?.['charged_sus'], 0n);
  assert.equal(row?.['bad_pool'], 0n);
});

test('every stored charge is what src/rating gives the stored sessions, rated all at once', async (t) => {
  // Issue 7: "The seed generator produces unrated sessions and runs them through the same rating."
  const connection = await seeded(t, SMALL);
  const iso = (column: string) => `strftime(${column}, '%Y-%m-%dT%H:%M:%S.%gZ')`;
  const rows = await queryRows(connection, `select id, contract_number, coalesce(user_name, '') as user_name, usage_category, source,
      product_line_code, product_version, ${iso('session_start')} as session_start, ${iso('session_end')} as session_end,
      license_server_tz_offset, usage_type, ${iso('usage_timestamp')} as usage_timestamp, ${iso('transaction_date')} as transaction_date,
      tokens_consumed, job_status, strftime(usage_date, '%Y-%m-%d') as usage_date, contract_year, charge_category, token_pool,
      is_charged_event, usage_minutes
    from usage_records`);
  const sessions = rows.map((r): RatingSession => ({
    id: String(r['id']), contractNumber: String(r['contract_number']), userName: String(r['user_name']),
    usageCategory: r['usage_category'] as RatingSession['usageCategory'], source: r['source'] as RatingSession['source'],
    productLineCode: r['product_line_code'] as string | null, productVersion: r['product_version'] as string | null,
    sessionStart: r['usage_category'] === 'DESKTOP_PRODUCT' ? r['session_start'] as string : null,
    sessionEnd: r['usage_category'] === 'DESKTOP_PRODUCT' ? r['session_end'] as string : null,
    licenseServerTzOffset: r['license_server_tz_offset'] as string | null, usageType: r['usage_type'] as RatingSession['usageType'],
    usageTimestamp: String(r['usage_category']).startsWith('CLOUD') ? r['usage_timestamp'] as string : null,
    transactionDate: r['transaction_date'] as string | null,
    // A cloud or manual record's tokens as given; the rating zeroes failed and non-Flex events again.
    tokens: r['usage_category'] === 'DESKTOP_PRODUCT' ? null : Number(r['tokens_consumed']),
    jobStatus: r['job_status'] as RatingSession['jobStatus'],
  }));
  const years = new Map<string, RatingContractYear[]>();
  for (const y of await queryRows(connection, `select contract_number, year, strftime(start_date, '%Y-%m-%d') as s, strftime(end_date, '%Y-%m-%d') as e,
      provisioned_tokens from contract_years order by 1, 2`)) {
    years.set(String(y['contract_number']), [...(years.get(String(y['contract_number'])) ?? []),
      { year: Number(y['year']), startDate: String(y['s']), endDate: String(y['e']), provisionedTokens: Number(y['provisioned_tokens']) }]);
  }
  const products = (await queryRows(connection, 'select product_line_code, version, daily_token_rate from products'))
    .map((p) => ({ productLineCode: String(p['product_line_code']), version: String(p['version']), dailyTokenRate: Number(p['daily_token_rate']) }));
  const rated = new Map(rateRecords(sessions, { products, contractYears: years }).map((c) => [c.id, c]));
  const mismatches = rows.filter((r) => {
    const c = rated.get(String(r['id']));
    return !c || c.usageDate !== r['usage_date'] || c.contractYear !== r['contract_year'] || c.chargeCategory !== r['charge_category']
      || c.tokenPool !== r['token_pool'] || c.tokensConsumed !== r['tokens_consumed'] || c.isChargedEvent !== r['is_charged_event']
      || c.usageMinutes !== r['usage_minutes'];
  });
  assert.deepEqual(mismatches.slice(0, 3), []);
  assert.ok(rows.some((r) => r['token_pool'] === 'MY') && rows.some((r) => r['charge_category'] === 'INCREMENTAL'));
});

test('rejects a window that ends before it starts', async (t) => {
  const { store } = await openEmptyStore(t);
  t.after(() => store.close());
  await assert.rejects(loadDemoData(store, { ...SMALL, from: '2026-01-02', to: '2026-01-01' }), /before from/);
});

test('refuses to seed tables that already have rows and leaves them untouched', async (t) => {
  const { store, dataDir } = await openEmptyStore(t);
  await loadDemoData(store, { ...SMALL, rows: 100 });
  await assert.rejects(loadDemoData(store, { ...SMALL, rows: 100 }), /empty tables/);
  const connection = await openRaw(t, store, dataDir);
  assert.equal(await scalar(connection, 'select count(*) from usage_records'), 100n);
});
