-- 0006_oauth_grants: revoked grants, the sign-in time of refresh tokens, and remembered consent.
-- A grant id written here is dead for good: a token of it minted by a step that ran concurrently
-- with the revocation is refused as well (issue 19: reuse detection must not lose a race).
create table oauth_revoked_grants (
  grant_id        text primary key,
  revoked_at      timestamptz not null
);

-- When the user signed in, carried from the code to every refresh token of the grant, so ID tokens
-- issued on refresh carry `auth_time` (OIDC Core §12.2). Null on tokens from before this column.
alter table oauth_refresh_tokens add column auth_time timestamptz;

-- A user's consent to a client, for the scopes named (space-separated, sorted); `prompt=none`
-- succeeds silently when every scope asked for is covered (issue 18).
create table oauth_consents (
  user_id         text not null,
  client_id       text not null,
  scopes          text not null,
  granted_at      timestamptz not null,
  primary key (user_id, client_id)
);
