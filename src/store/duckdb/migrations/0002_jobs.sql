-- 0002_jobs: asynchronous work (usage queries now, exports later) as rows with a state, claimed
-- by workers; results stored once and paged from here.

create table jobs (
  id               varchar primary key,
  kind             varchar not null,            -- usage-query | export
  api              varchar not null,            -- insights | tokenflex
  owner_user_id    varchar not null,            -- '' for a token bound to no user
  tenant_key       varchar not null,            -- contract number, or the sorted team ids joined by ','
  state            varchar not null,            -- queued | running | succeeded | failed | canceled | expired
  request          varchar not null,            -- the normalised request, JSON
  request_hash     varchar not null,            -- sha-256 of owner + api + request: result reuse
  idempotency_key  varchar,
  attempts         integer not null default 0,
  max_attempts     integer not null default 3,
  worker_id        varchar,
  cancel_requested boolean not null default false,
  created_at       timestamp not null,
  updated_at       timestamp not null,
  run_at           timestamp not null,
  started_at       timestamp,
  heartbeat_at     timestamp,
  finished_at      timestamp,
  expires_at       timestamp,
  error_title      varchar,
  error_detail     varchar,
  result_columns   varchar,                     -- JSON array of column names
  row_count        bigint
);

-- One row per result row, in result order (ordinal from 0). Written once when a query completes.
create table job_results (
  job_id    varchar not null,
  ordinal   bigint not null,
  row_json  varchar not null
);
