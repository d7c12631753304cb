-- 0001_init: the domain model of spec §6, the PostgreSQL twin of duckdb/migrations/0001_init.sql.
-- Same table and column names and the same values, so the demo generator's rows load unchanged.
--
-- Text columns use the "C" collation: rows are ordered by bytes, as DuckDB orders them, whatever
-- the database's default collation (en_US would sort 'a' before 'B'), so both backends answer in
-- the same order. It also lets a btree index serve `like 'abc%'`
-- (https://www.postgresql.org/docs/current/indexes-opclass.html).
--
-- Distribution (docs/scaling.md): the usage records and the team memberships are keyed by team
-- first, the Citus distribution column; every other table here is small and becomes a reference
-- table, so it can be joined on any node.

create table users (
  id              text collate "C" primary key,
  email           text collate "C" not null unique,
  user_name       text collate "C" not null,
  first_name      text collate "C" not null,
  last_name       text collate "C" not null,
  full_name       text collate "C" not null,
  profile_image   text collate "C",
  status          text collate "C" not null default 'active',   -- active | inactive
  roles           text collate "C" not null default '',         -- space-separated, e.g. 'admin'
  password_hash   text,
  created_at      timestamp not null default (now() at time zone 'UTC')
);
-- Sign-in looks users up by e-mail case-insensitively.
create index users_email_lower on users (lower(email collate "default"));

create table teams (
  id                  text collate "C" primary key,
  name                text collate "C" not null,
  reporting_benefits  text collate "C" not null default ''       -- space-separated benefit names
);

create table team_members (
  team_id   text collate "C" not null,
  user_id   text collate "C" not null,
  is_admin  boolean not null default false,
  primary key (team_id, user_id)
);
create index team_members_user on team_members (user_id) include (is_admin);

create table contracts (
  contract_number               text collate "C" primary key,
  name                          text collate "C" not null,
  team_id                       text collate "C" not null,
  start_date                    date not null,
  end_date                      date not null,
  multiyear_provisioned_tokens  double precision not null default 0,
  enrichment_categories         text collate "C" not null default '' -- ten names joined by a tab
);
create index contracts_team on contracts (team_id);

create table contract_years (
  contract_number    text collate "C" not null,
  year               integer not null,
  start_date         date not null,
  end_date           date not null,
  provisioned_tokens double precision not null,
  primary key (contract_number, year)
);

create table contract_managers (
  contract_number  text collate "C" not null,
  user_id          text collate "C" not null,
  primary key (contract_number, user_id)
);
create index contract_managers_user on contract_managers (user_id);

create table user_enrichment (
  contract_number  text collate "C" not null,
  user_id          text collate "C" not null,
  field_index      integer not null,                  -- 1..10
  value            text collate "C" not null,
  primary key (contract_number, user_id, field_index)
);

create table products (
  product_line_code  text collate "C" not null,
  version            text collate "C" not null,
  product_name       text collate "C" not null,
  feature_code       text collate "C" not null,
  daily_token_rate   double precision not null,
  effective_from     date,
  effective_to       date,
  primary key (product_line_code, version)
);

create table subscriptions (
  id                 text collate "C" primary key,
  team_id            text collate "C" not null,
  contract_number    text collate "C" not null,
  product_line_code  text collate "C" not null,
  product_name       text collate "C" not null,
  offering_type      text collate "C" not null,
  term               text collate "C" not null,
  status             text collate "C" not null,
  quantity           integer not null,
  start_date         date not null,
  end_date           date not null,
  renewal_date       date
);
create index subscriptions_team on subscriptions (team_id);

create table seat_assignments (
  subscription_id  text collate "C" not null,
  user_id          text collate "C" not null,
  team_id          text collate "C" not null,
  primary key (subscription_id, user_id)
);
create index seat_assignments_team_user on seat_assignments (team_id, user_id);
create index seat_assignments_user on seat_assignments (user_id);

-- One row per desktop session, cloud event or manual transaction, rated. Partitioned by month of
-- the usage day (declarative partitioning): a query over a date range reads only its months, and
-- old months can be detached or dropped whole. Monthly partitions are created before rows arrive
-- (sql/partitions.ts); anything outside them lands in the default partition.
--
-- The key leads with the team, the Citus distribution column (a partitioned table's key must also
-- hold the partition column). Record ids are stable (given, or derived from the content), so the
-- key also makes a re-sent record a conflict rather than a second copy.
create table usage_records (
  id                           text collate "C" not null,
  contract_number              text collate "C" not null,
  team_id                      text collate "C" not null,
  usage_category               text collate "C" not null,
  source                       text collate "C" not null,      -- flex | sus | ppu
  user_id                      text collate "C",
  user_name                    text collate "C",
  product_line_code            text collate "C",
  product_name                 text collate "C",
  parent_product_name          text collate "C",
  product_version              text collate "C",
  product_feature_code         text collate "C",
  usage_date                   date not null,                  -- the rating day (licence server local day)
  contract_year                integer not null,
  charge_category              text collate "C" not null,
  token_pool                   text collate "C" not null,
  tokens_consumed              double precision not null default 0,
  usage_minutes                double precision not null default 0,
  quantity                     double precision not null default 0,
  is_charged_event             boolean not null default false,
  machine_name                 text collate "C",
  license_server_name          text collate "C",
  license_server_tz_offset     text collate "C",
  session_start                timestamp,                      -- UTC
  session_end                  timestamp,                      -- UTC
  usage_type                   text collate "C",
  hub_id                       text collate "C",
  hub_name                     text collate "C",
  job_status                   text collate "C",
  transaction_date             timestamp,
  reason_type                  text collate "C",
  reason_comment               text collate "C",
  charged_item_id              text collate "C",
  usage_timestamp              timestamp,
  custom_field_1               text collate "C",
  custom_field_2               text collate "C",
  custom_field_3               text collate "C",
  custom_field_4               text collate "C",
  custom_field_5               text collate "C",
  custom_field_6               text collate "C",
  custom_field_7               text collate "C",
  custom_field_8               text collate "C",
  custom_field_9               text collate "C",
  custom_field_10              text collate "C",
  primary key (team_id, usage_date, id)
) partition by range (usage_date);

create table usage_records_default partition of usage_records default;

-- The catalogue's common filters. Insights scopes by team (the key above serves team + date);
-- Token Flex scopes by contract, mostly with a category and a month range or a contract year.
-- Indexes on the partitioned table are created on every partition, present and future.
create index usage_records_contract_category_day on usage_records (contract_number, usage_category, usage_date);
create index usage_records_contract_year on usage_records (contract_number, contract_year, usage_category);
create index usage_records_team_user_day on usage_records (team_id, user_id, usage_date);
create index usage_records_contract_user on usage_records (contract_number, user_name);
-- Ingestion de-duplicates by record id alone (a re-sent record is recognised whatever else it says).
create index usage_records_id on usage_records (id);

create table app_settings (
  key    text primary key,
  value  text not null
);
