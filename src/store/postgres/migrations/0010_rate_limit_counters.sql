-- 0010_rate_limit_counters: request counters of the rate limits on the endpoints that check a
-- client secret or a password (issue 19 item 5), one row per key and fixed window, shared by every
-- process on this database so that N processes do not give a caller N times the budget.
-- Unlogged: counters are worth nothing after a crash, and they are written on every request.
create unlogged table rate_limit_counters (
  key             text primary key,
  hits            integer not null,
  window_ends     timestamptz not null
);
