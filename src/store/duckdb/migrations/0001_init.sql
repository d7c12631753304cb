-- 0001_init: the domain model of spec §6. Keyed by team/contract so the PostgreSQL twin can be
-- distributed (Citus) by those keys.

create table users (
  id              varchar primary key,
  email           varchar not null unique,
  user_name       varchar not null,
  first_name      varchar not null,
  last_name       varchar not null,
  full_name       varchar not null,
  profile_image   varchar,
  status          varchar not null default 'active',   -- active | inactive
  roles           varchar not null default '',         -- space-separated, e.g. 'admin'
  password_hash   varchar,
  created_at      timestamp not null default current_timestamp
);

create table teams (
  id                  varchar primary key,
  name                varchar not null,
  reporting_benefits  varchar not null default ''      -- space-separated benefit names
);

create table team_members (
  team_id   varchar not null,
  user_id   varchar not null,
  is_admin  boolean not null default false,
  primary key (team_id, user_id)
);

create table contracts (
  contract_number               varchar primary key,
  name                          varchar not null,
  team_id                       varchar not null,
  start_date                    date not null,
  end_date                      date not null,
  multiyear_provisioned_tokens  double not null default 0,
  enrichment_categories         varchar not null default '' -- ten names joined by a tab; position i = customField{i+1}
);

create table contract_years (
  contract_number    varchar not null,
  year               integer not null,
  start_date         date not null,
  end_date           date not null,
  provisioned_tokens double not null,
  primary key (contract_number, year)
);

create table contract_managers (
  contract_number  varchar not null,
  user_id          varchar not null,
  primary key (contract_number, user_id)
);

create table user_enrichment (
  contract_number  varchar not null,
  user_id          varchar not null,
  field_index      integer not null,                  -- 1..10
  value            varchar not null,
  primary key (contract_number, user_id, field_index)
);

create table products (
  product_line_code  varchar not null,
  version            varchar not null,
  product_name       varchar not null,
  feature_code       varchar not null,
  daily_token_rate   double not null,
  effective_from     date,
  effective_to       date,
  primary key (product_line_code, version)
);

create table subscriptions (
  id                 varchar primary key,
  team_id            varchar not null,
  contract_number    varchar not null,
  product_line_code  varchar not null,
  product_name       varchar not null,
  offering_type      varchar not null,   -- e.g. 'Subscription', 'Flex'
  term               varchar not null,   -- e.g. 'Annual', '3-Year'
  status             varchar not null,   -- Active | Expired | Canceled
  quantity           integer not null,
  start_date         date not null,
  end_date           date not null,
  renewal_date       date
);

create table seat_assignments (
  subscription_id  varchar not null,
  user_id          varchar not null,
  team_id          varchar not null,
  primary key (subscription_id, user_id)
);

-- One row per desktop session, cloud event or manual transaction, rated.
create table usage_records (
  -- Stable id (given, or derived from the content). Uniqueness is enforced by the ingest path
  -- (anti-join), not by a primary-key index: an ART index over millions of keys costs more memory
  -- and time than the load itself.
  id                           varchar not null,
  contract_number              varchar not null,
  team_id                      varchar not null,
  usage_category               varchar not null,
  source                       varchar not null,      -- flex | sus | ppu
  user_id                      varchar,
  user_name                    varchar,
  product_line_code            varchar,
  product_name                 varchar,
  parent_product_name          varchar,               -- the collection, when used through one
  product_version              varchar,
  product_feature_code         varchar,
  usage_date                   date not null,         -- the rating day (licence server local day)
  contract_year                integer not null,
  charge_category              varchar not null,
  token_pool                   varchar not null,
  tokens_consumed              double not null default 0,
  usage_minutes                double not null default 0,
  quantity                     double not null default 0,
  is_charged_event             boolean not null default false,
  machine_name                 varchar,
  license_server_name          varchar,
  license_server_tz_offset     varchar,               -- '+01:00'
  session_start                timestamp,             -- UTC
  session_end                  timestamp,             -- UTC
  usage_type                   varchar,               -- Normal | Borrowed
  hub_id                       varchar,
  hub_name                     varchar,
  job_status                   varchar,
  transaction_date             timestamp,
  reason_type                  varchar,
  reason_comment               varchar,
  charged_item_id              varchar,
  usage_timestamp              timestamp,
  custom_field_1               varchar,
  custom_field_2               varchar,
  custom_field_3               varchar,
  custom_field_4               varchar,
  custom_field_5               varchar,
  custom_field_6               varchar,
  custom_field_7               varchar,
  custom_field_8               varchar,
  custom_field_9               varchar,
  custom_field_10              varchar
);

create table app_settings (
  key    varchar primary key,
  value  varchar not null
);
