-- 0005_personal_access_tokens: ADSK-PAT personal access tokens (spec §2). Like the other
-- credentials, a token is stored only as its sha-256: a copy of the database hands out no PAT.

create table personal_access_tokens (
  id              varchar primary key,
  token_hash      varchar not null unique,     -- sha-256 hex of the token
  user_id         varchar not null,            -- the user a request with this PAT acts as
  name            varchar not null,
  created_at      timestamp not null,
  expires_at      timestamp not null,
  last_used_at    timestamp,                   -- updated at most once a minute
  revoked_at      timestamp
);
