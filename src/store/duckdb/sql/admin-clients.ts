import type { DuckDBConnection } from '@duckdb/node-api';
import type { OAuthClient, OAuthClientPatch, PageRequest } from '../../contract/index.js';
import { CLIENT_COLUMNS, toOAuthClient } from './oauth.js';

/** Timestamps are written as UTC ISO strings cast to TIMESTAMP, never from the session time zone. */
function utc(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export async function selectOAuthClientsPage(connection: DuckDBConnection, page: PageRequest): Promise<OAuthClient[]> {
  const reader = await connection.runAndReadAll(
    `select ${CLIENT_COLUMNS} from oauth_clients order by oauth_clients.created_at, id limit $1 offset $2`, [page.limit, page.offset]);
  return reader.getRowObjectsJson().map(toOAuthClient);
}

export async function countOAuthClients(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll('select cast(count(*) as integer) as n from oauth_clients');
  return Number(reader.getRowObjectsJson()[0]?.n ?? 0);
}

/** Sets the members given and returns the row after the change; `$5` says whether to touch the bound user. */
export async function updateOAuthClientRow(connection: DuckDBConnection, id: string, patch: OAuthClientPatch): Promise<OAuthClient | undefined> {
  const reader = await connection.runAndReadAll(
    `update oauth_clients set name = coalesce($2, name), redirect_uris = coalesce($3, redirect_uris),
            secret_hash = coalesce($4, secret_hash), bound_user_id = case when $5 then $6 else bound_user_id end
      where id = $1
      returning ${CLIENT_COLUMNS}`,
    [id, patch.name ?? null, patch.redirectUris ? JSON.stringify(patch.redirectUris) : null, patch.secretHash ?? null,
      patch.boundUserId !== undefined, patch.boundUserId ?? null]);
  const row = reader.getRowObjectsJson()[0];
  return row ? toOAuthClient(row) : undefined;
}

export async function deleteOAuthClientRow(connection: DuckDBConnection, id: string): Promise<boolean> {
  const reader = await connection.runAndReadAll('delete from oauth_clients where id = $1 returning id', [id]);
  return reader.getRowObjectsJson().length > 0;
}

/** Every access token recorded for the client's grants, and for `client:<id>` (its client_credentials tokens). */
export async function revokeAccessTokensOfClient(connection: DuckDBConnection, clientId: string): Promise<void> {
  await connection.run(
    `insert into oauth_revoked_access_tokens (jti, expires_at)
     select a.jti, a.expires_at from oauth_access_tokens a
      where a.grant_id = 'client:' || $1
         or a.grant_id in (select r.grant_id from oauth_refresh_tokens r where r.client_id = $1)
         or a.grant_id in (select c.grant_id from oauth_authorization_codes c where c.client_id = $1)
     on conflict do nothing`, [clientId]);
}

export async function revokeRefreshTokensOfClient(connection: DuckDBConnection, clientId: string, now: Date): Promise<void> {
  await connection.run(
    'update oauth_refresh_tokens set revoked_at = cast($2 as timestamp) where client_id = $1 and revoked_at is null',
    [clientId, utc(now)]);
}

export async function deleteAuthorizationCodesOfClient(connection: DuckDBConnection, clientId: string): Promise<void> {
  await connection.run('delete from oauth_authorization_codes where client_id = $1', [clientId]);
}
