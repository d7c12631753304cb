-- 0003_auth: the OAuth 2.0 / OpenID Connect provider and personal access tokens (spec §2). Secrets,
-- codes, refresh tokens, session ids and PATs are stored only as hashes: a copy of the database
-- hands out no credential. Small, hot tables: they stay on the Citus coordinator.

create table oauth_clients (
  id              text primary key,
  name            text not null,
  secret_hash     text,                        -- scrypt; null for a public client
  redirect_uris   text not null,               -- JSON array, matched exactly
  is_public       boolean not null,
  bound_user_id   text,                        -- the user a client_credentials token acts for
  scopes          text not null,               -- space-separated scopes the client may ask for
  created_at      timestamptz not null
);

create table oauth_authorization_codes (
  code_hash       text primary key,            -- sha-256 hex of the code
  grant_id        text not null,
  client_id       text not null,
  user_id         text not null,
  redirect_uri    text not null,
  scopes          text not null,
  code_challenge  text,                        -- PKCE S256 challenge
  nonce           text,
  auth_time       timestamptz not null,
  expires_at      timestamptz not null,
  used_at         timestamptz
);

create table oauth_refresh_tokens (
  token_hash      text primary key,            -- sha-256 hex of the token
  grant_id        text not null,
  parent_hash     text,
  client_id       text not null,
  user_id         text not null,
  scopes          text not null,
  created_at      timestamptz not null,
  expires_at      timestamptz not null,
  rotated_at      timestamptz,
  revoked_at      timestamptz
);
create index oauth_refresh_tokens_grant on oauth_refresh_tokens (grant_id);

create table oauth_access_tokens (
  jti             text primary key,
  grant_id        text,
  expires_at      timestamptz not null
);
create index oauth_access_tokens_grant on oauth_access_tokens (grant_id);

create table oauth_revoked_access_tokens (
  jti             text primary key,
  expires_at      timestamptz not null
);

create table oauth_sessions (
  id_hash         text primary key,            -- sha-256 hex of the cookie value
  user_id         text not null,
  created_at      timestamptz not null,
  expires_at      timestamptz not null
);

create table personal_access_tokens (
  id              text primary key,
  token_hash      text not null unique,        -- sha-256 hex of the token
  user_id         text not null,
  name            text not null,
  created_at      timestamptz not null,
  expires_at      timestamptz not null,
  last_used_at    timestamptz,
  revoked_at      timestamptz
);
