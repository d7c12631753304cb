-- 0003_oauth: the OAuth 2.0 / OpenID Connect provider (spec §2). Secrets, codes, refresh tokens
-- and session ids are stored only as hashes: a copy of the database hands out no credential.

create table oauth_clients (
  id              varchar primary key,
  name            varchar not null,
  secret_hash     varchar,                     -- scrypt; null for a public client
  redirect_uris   varchar not null,            -- JSON array, matched exactly
  is_public       boolean not null,
  bound_user_id   varchar,                     -- the user a client_credentials token acts for
  scopes          varchar not null,            -- space-separated scopes the client may ask for
  created_at      timestamp not null
);

-- One row per authorization code; `grant_id` names every token minted from it (spec §2: a replayed
-- code revokes them).
create table oauth_authorization_codes (
  code_hash       varchar primary key,         -- sha-256 hex of the code
  grant_id        varchar not null,
  client_id       varchar not null,
  user_id         varchar not null,
  redirect_uri    varchar not null,
  scopes          varchar not null,
  code_challenge  varchar,                     -- PKCE S256 challenge
  nonce           varchar,
  auth_time       timestamp not null,
  expires_at      timestamp not null,
  used_at         timestamp
);

-- Refresh tokens rotate on every use; all tokens of one grant form a family that is revoked
-- together when a rotated one is presented again.
create table oauth_refresh_tokens (
  token_hash      varchar primary key,         -- sha-256 hex of the token
  grant_id        varchar not null,
  parent_hash     varchar,
  client_id       varchar not null,
  user_id         varchar not null,
  scopes          varchar not null,
  created_at      timestamp not null,
  expires_at      timestamp not null,
  rotated_at      timestamp,
  revoked_at      timestamp
);

-- Access tokens minted by the token endpoint, so revoking a grant can revoke its access tokens.
create table oauth_access_tokens (
  jti             varchar primary key,
  grant_id        varchar,
  expires_at      timestamp not null
);

-- The deny-list the bearer hook consults; rows may go once `expires_at` has passed.
create table oauth_revoked_access_tokens (
  jti             varchar primary key,
  expires_at      timestamp not null
);

-- Browser sign-in sessions of the authorize pages.
create table oauth_sessions (
  id_hash         varchar primary key,         -- sha-256 hex of the cookie value
  user_id         varchar not null,
  created_at      timestamp not null,
  expires_at      timestamp not null
);
