-- 0002_jobs: asynchronous work (usage queries and exports) as rows with a state, claimed by the
-- workers of every server process (sql/jobs.ts), their stored results, and Token Flex export
-- schedules fired by whichever process gets there first.
--
-- These tables stay on the coordinator under Citus (docs/scaling.md): claiming takes row locks
-- across tenants with `for update skip locked`, which Citus allows on single-shard queries only.

create table jobs (
  id               text primary key,
  kind             text not null,            -- usage-query | export
  api              text not null,            -- insights | tokenflex
  owner_user_id    text not null,            -- '' for a token bound to no user
  tenant_key       text not null,            -- contract number, or the sorted team ids joined by ','
  state            text not null check (state in ('queued', 'running', 'succeeded', 'failed', 'canceled', 'expired')),
  request          text not null,            -- the normalised request, JSON text (jsonb would reorder its keys)
  request_hash     text not null,            -- sha-256 of owner + api + request: result reuse
  idempotency_key  text,
  attempts         integer not null default 0,
  max_attempts     integer not null default 3,
  worker_id        text,
  cancel_requested boolean not null default false,
  created_at       timestamptz not null,
  updated_at       timestamptz not null,
  run_at           timestamptz not null,
  started_at       timestamptz,
  heartbeat_at     timestamptz,
  finished_at      timestamptz,
  expires_at       timestamptz,
  error_title      text,
  error_detail     text,
  result_columns   text,                     -- JSON array of column names
  row_count        bigint,
  files            text,                     -- JSON array of stored files (exports)
  read_flag        boolean not null default false
);

-- The claim scans only queued rows, in claim order.
create index jobs_queue on jobs (run_at, created_at, id) where state = 'queued';
-- The sweeper looks at running rows only, by heartbeat age.
create index jobs_running on jobs (heartbeat_at) where state = 'running';
create index jobs_expiry on jobs (expires_at) where state = 'succeeded';
create index jobs_ended on jobs (updated_at) where state in ('expired', 'failed', 'canceled');
create index jobs_owner on jobs (owner_user_id, kind, api, created_at);
create index jobs_reuse on jobs (owner_user_id, request_hash) where state = 'succeeded';
create index jobs_idempotency on jobs (owner_user_id, idempotency_key) where idempotency_key is not null;

-- One row per result row, numbered from 0 in result order, written once when a query completes.
-- One shared table keyed by (job, ordinal): a page is a range scan of the primary key whatever the
-- result size, and under Citus it is distributed by job_id, so a page is a single-shard read.
-- (A table per result would make expiry a cheap DROP, but thousands of tables bloat the catalogue
-- and each would need its own create_distributed_table.)
create table job_results (
  job_id    text not null,
  ordinal   bigint not null,
  row_json  text not null,                   -- the row as a JSON array, in column order
  primary key (job_id, ordinal)
);

create table export_schedules (
  id                     text primary key,
  contract_number        text not null,
  owner_user_id          text not null,
  date_range_expression  text not null,      -- e.g. Previous-1-Month
  enabled                boolean not null,
  frequency_expression   text not null,      -- six-field cron, evaluated in UTC
  schedule_objects       text not null,      -- JSON array of {usageCategory, aggregationLevel[]}
  last_ran_at            timestamptz,
  next_run_at            timestamptz,
  created_at             timestamptz not null,
  updated_at             timestamptz not null
);
create index export_schedules_owner on export_schedules (owner_user_id, contract_number, created_at);
create index export_schedules_contract on export_schedules (contract_number);
create index export_schedules_due on export_schedules (next_run_at) where enabled;
