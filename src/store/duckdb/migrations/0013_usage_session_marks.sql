-- 0013_usage_session_marks: what a FlexNet debug log says of a desktop session besides its times
-- (issue 20, docs/sources.md): the licences it held (`(n licenses)`, 1 without the suffix) and how
-- it ended: 'checkin', 'inactive' (the server took back an idle licence), 'server-stop' (cut by a
-- stop or restart) or 'log-end' (still open when the log ended: provisional, revised when the
-- batch holding its check-in arrives). Null on records not read from a log.
alter table usage_records add column licenses integer;
alter table usage_records add column session_ended_by varchar;

-- What a FlexNet log imported as a batch of its own leaves for the batch of its neighbour
-- (rotated logs in separate batches, in either order, store what one batch of both would):
-- the check-ins at its start whose checkout no batch has held yet, and where it lies in time with
-- its first stop or restart ('stop': the sessions open before it end at break_at; 'restart': at
-- the last line before it, break_at, or at the previous log's end when null).
create table flexlm_pending_checkins (
  id                    varchar primary key,
  contract_number       varchar not null,
  license_server_name   varchar not null,
  product_feature_code  varchar not null,
  user_name             varchar not null,
  machine_name          varchar not null,
  checkin_at            timestamp not null,
  inactive              boolean not null
);
create table flexlm_log_spans (
  contract_number       varchar not null,
  license_server_name   varchar not null,
  first_at              timestamp not null,
  last_at               timestamp not null,
  break_kind            varchar,
  break_at              timestamp,
  primary key (contract_number, license_server_name, first_at, last_at)
);
