import { rmSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbStore, type Store } from '../../src/store/index.js';
import { openTestPostgresStore, routeTestsUsePostgres, runSqlInSchema } from './databases.js';

/**
 * A small hand-made world for ingestion tests, with no usage at all: contract FX1 of team TFX,
 * whose year 1 (2025) has only 20 CY tokens so a handful of sessions runs it into the multi-year
 * pool; AutoCAD (4 tokens a day), Revit (10) and AutoCAD LT (1), version 2025; users ann, bob and cy,
 * and admin@example.com (role admin, manager of FX1). Ann has an enrichment value for FX1.
 */
export const FIXTURE_CONTRACT = 'FX1';
export const FIXTURE_TEAM = 'TFX';

const REFERENCE_SQL = `
insert into users (id, email, user_name, first_name, last_name, full_name, roles) values
  ('UFX0', 'admin@example.com', 'admin', 'Demo', 'Administrator', 'Demo Administrator', 'admin'),
  ('UFX1', 'ann@example.com', 'ann', 'Ann', 'Archer', 'Ann Archer', ''),
  ('UFX2', 'bob@example.com', 'bob', 'Bob', 'Baker', 'Bob Baker', ''),
  ('UFX3', 'cy@example.com', 'cy', 'Cy', 'Cole', 'Cy Cole', '');
insert into teams (id, name, reporting_benefits) values
  ('TFX', 'Fixture Team', 'ReportingAPIAccess ReportingFlexUsage InsightsTeam'),
  ('TFY', 'Other Team', 'InsightsTeam');
insert into team_members (team_id, user_id, is_admin) values
  ('TFX', 'UFX0', true), ('TFX', 'UFX1', false), ('TFX', 'UFX2', false), ('TFX', 'UFX3', false);
insert into contracts (contract_number, name, team_id, start_date, end_date, multiyear_provisioned_tokens, enrichment_categories) values
  ('FX1', 'Fixture Flex', 'TFX', date '2025-01-01', date '2026-12-31', 100, 'Department' || repeat(chr(9), 9));
insert into contract_years (contract_number, year, start_date, end_date, provisioned_tokens) values
  ('FX1', 1, date '2025-01-01', date '2025-12-31', 20),
  ('FX1', 2, date '2026-01-01', date '2026-12-31', 20);
insert into contract_managers (contract_number, user_id) values ('FX1', 'UFX0');
insert into user_enrichment (contract_number, user_id, field_index, value) values ('FX1', 'UFX1', 1, 'Design');
insert into products (product_line_code, version, product_name, feature_code, daily_token_rate, effective_from, effective_to) values
  ('ACD', '2025', 'AutoCAD', '87140ACD_2025_0F', 4, date '2024-03-01', null),
  ('RVT', '2025', 'Revit', '87145RVT_2025_0F', 10, date '2024-03-01', null),
  ('ACDLT', '2025', 'AutoCAD LT', '87150ACDLT_2025_0F', 1, date '2024-03-01', null);
`;

let template: Promise<string> | undefined;
let templateDir: string | undefined;
process.on('exit', () => {
  if (templateDir) rmSync(templateDir, { recursive: true, force: true });
});

/** The fixture database, made once per process; each store gets its own copy. */
async function fixtureFile(): Promise<string> {
  template ??= (async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'usage-fixture-template-'));
    templateDir = dir;
    const store = await openDuckDbStore({ dataDir: dir });
    await store.migrate();
    await store.close();
    const instance = await DuckDBInstance.create(path.join(dir, 'usage.duckdb'));
    const connection = await instance.connect();
    await connection.run(REFERENCE_SQL);
    await connection.run('checkpoint');
    connection.closeSync();
    instance.closeSync();
    return path.join(dir, 'usage.duckdb');
  })();
  return template;
}

/** Copies the fixture database into `dataDir` (as its usage.duckdb), for a process that opens it itself. */
export async function copyFixtureDatabase(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await copyFile(await fixtureFile(), path.join(dataDir, 'usage.duckdb'));
}

/**
 * A store over a fresh copy of the fixture database; closed and deleted when the test ends. On
 * PostgreSQL (`backend`, by default as TEST_STORE says), the same rows in a fresh schema.
 */
export async function openFixtureStore(
  t: { after: (fn: () => Promise<void>) => void }, backend: Store['backend'] = routeTestsUsePostgres() ? 'postgres' : 'duckdb',
): Promise<Store> {
  if (backend === 'postgres') {
    // TEST_STORE=postgres: the same rows in a fresh PostgreSQL schema (the SQL above is portable).
    const { store, schema, dispose } = await openTestPostgresStore();
    t.after(dispose);
    await store.migrate();
    await runSqlInSchema(schema, REFERENCE_SQL);
    return store;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'usage-fixture-'));
  await copyFixtureDatabase(dir);
  const store = await openDuckDbStore({ dataDir: dir });
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return store;
}
