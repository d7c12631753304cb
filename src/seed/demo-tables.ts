import type { BulkTable } from '../store/index.js';

/** A table the demo data fills: the columns it writes and their DuckDB types, as the store declares them. */
export interface DemoTable {
  readonly name: BulkTable;
  readonly columns: readonly (readonly [name: string, type: string])[];
}

const cols = (spec: string): DemoTable['columns'] =>
  spec.trim().split(/\s*,\s*/).map((pair) => {
    const [name, type] = pair.split(/\s+/);
    return [name!, type!] as const;
  });

/**
 * Every table the generator writes, in load order. The generator builds them in its own DuckDB
 * with these types, so each value is written in its column's text form (an integer column never
 * receives '5.0') and reads back exactly on either backend.
 */
export const DEMO_TABLES: readonly DemoTable[] = [
  { name: 'teams', columns: cols('id varchar, name varchar, reporting_benefits varchar') },
  {
    name: 'users',
    columns: cols(`id varchar, email varchar, user_name varchar, first_name varchar, last_name varchar, full_name varchar,
      profile_image varchar, status varchar, roles varchar, created_at timestamp`),
  },
  { name: 'team_members', columns: cols('team_id varchar, user_id varchar, is_admin boolean') },
  {
    name: 'contracts',
    columns: cols(`contract_number varchar, name varchar, team_id varchar, start_date date, end_date date,
      multiyear_provisioned_tokens double, enrichment_categories varchar`),
  },
  { name: 'contract_years', columns: cols('contract_number varchar, year integer, start_date date, end_date date, provisioned_tokens double') },
  { name: 'contract_managers', columns: cols('contract_number varchar, user_id varchar') },
  { name: 'user_enrichment', columns: cols('contract_number varchar, user_id varchar, field_index integer, value varchar') },
  {
    name: 'products',
    columns: cols(`product_line_code varchar, version varchar, product_name varchar, feature_code varchar, daily_token_rate double,
      effective_from date, effective_to date`),
  },
  { name: 'product_lines', columns: cols('product_line_code varchar, seat_tokens_per_year double') },
  {
    name: 'subscriptions',
    columns: cols(`id varchar, team_id varchar, contract_number varchar, product_line_code varchar, product_name varchar,
      offering_type varchar, term varchar, status varchar, quantity integer, start_date date, end_date date, renewal_date date`),
  },
  { name: 'seat_assignments', columns: cols('subscription_id varchar, user_id varchar, team_id varchar') },
  {
    name: 'usage_records',
    columns: cols(`id varchar, contract_number varchar, team_id varchar, usage_category varchar, source varchar, user_id varchar,
      user_name varchar, product_line_code varchar, product_name varchar, parent_product_name varchar, product_version varchar,
      product_feature_code varchar, usage_date date, contract_year integer, charge_category varchar, token_pool varchar,
      tokens_consumed double, usage_minutes double, quantity double, is_charged_event boolean, machine_name varchar,
      license_server_name varchar, license_server_tz_offset varchar, session_start timestamp, session_end timestamp,
      usage_type varchar, hub_id varchar, hub_name varchar, job_status varchar, transaction_date timestamp, reason_type varchar,
      reason_comment varchar, charged_item_id varchar, usage_timestamp timestamp,
      custom_field_1 varchar, custom_field_2 varchar, custom_field_3 varchar, custom_field_4 varchar, custom_field_5 varchar,
      custom_field_6 varchar, custom_field_7 varchar, custom_field_8 varchar, custom_field_9 varchar, custom_field_10 varchar`),
  },
];

export function demoTable(name: BulkTable): DemoTable {
  const table = DEMO_TABLES.find((t) => t.name === name);
  if (!table) throw new Error(`not a demo table: ${name}`);
  return table;
}
