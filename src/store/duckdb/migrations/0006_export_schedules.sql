-- 0006_export_schedules: Token Flex export schedules (spec §4), fired by the server's scheduler.
create table export_schedules (
  id                     varchar primary key,
  contract_number        varchar not null,
  owner_user_id          varchar not null,
  date_range_expression  varchar not null,   -- e.g. Previous-1-Month
  enabled                boolean not null,
  frequency_expression   varchar not null,   -- six-field cron, evaluated in UTC
  schedule_objects       varchar not null,   -- JSON array of {usageCategory, aggregationLevel[]}
  last_ran_at            timestamp,
  next_run_at            timestamp,
  created_at             timestamp not null,
  updated_at             timestamp not null
);
