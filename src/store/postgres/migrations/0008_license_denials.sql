-- 0008_license_denials: the checkouts a FlexNet licence server refused (`DENIED:` lines of its
-- debug log, issue 20), one row each. The id is a hash of the server, feature, user, host and the
-- denial's time as the log writes it, so a log imported twice, or rotated logs in any order, store
-- each denial once. usage_date is the server's local day (its --offset), as for usage records.
create table license_denials (
  id                        text collate "C" primary key,
  contract_number           text collate "C" not null,
  team_id                   text collate "C" not null,
  license_server_name       text collate "C" not null,
  license_server_tz_offset  text collate "C" not null,
  product_feature_code      text collate "C" not null,
  product_line_code         text collate "C" not null,
  product_version           text collate "C" not null,
  product_name              text collate "C",
  user_name                 text collate "C" not null,
  machine_name              text collate "C" not null,
  licenses                  integer not null,
  denied_at                 timestamp not null,
  usage_date                date not null,
  contract_year             integer not null,
  reason                    text collate "C",
  reason_code               text collate "C",
  processed_at              timestamp not null
);
create index license_denials_contract_day on license_denials (contract_number, usage_date);
