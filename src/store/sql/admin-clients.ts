import type { OAuthClient, OAuthClientPatch, PageRequest } from '../contract/index.js';
import type { Db } from './dialect.js';
import { clientColumns, toOAuthClient } from './oauth.js';

export async function selectOAuthClientsPage(db: Db, page: PageRequest): Promise<OAuthClient[]> {
  const result = await db.query(
    `select ${clientColumns(db)} from oauth_clients order by oauth_clients.created_at, id limit $1 offset $2`, [page.limit, page.offset]);
  return result.rows.map(toOAuthClient);
}

export async function countOAuthClients(db: Db): Promise<number> {
  return Number((await db.query('select cast(count(*) as integer) as n from oauth_clients')).rows[0]?.n ?? 0);
}

/** Sets the members given and returns the row after the change; `$5` says whether to touch the bound user. */
export async function updateOAuthClientRow(db: Db, id: string, patch: OAuthClientPatch): Promise<OAuthClient | undefined> {
  const row = (await db.query(
    `update oauth_clients set name = coalesce($2, name), redirect_uris = coalesce($3, redirect_uris),
            secret_hash = coalesce($4, secret_hash), bound_user_id = case when $5 then $6 else bound_user_id end
      where id = $1
      returning ${clientColumns(db)}`,
    [id, patch.name ?? null, patch.redirectUris ? JSON.stringify(patch.redirectUris) : null, patch.secretHash ?? null,
      patch.boundUserId !== undefined, patch.boundUserId ?? null])).rows[0];
  return row ? toOAuthClient(row) : undefined;
}

export async function deleteOAuthClientRow(db: Db, id: string): Promise<boolean> {
  return (await db.query('delete from oauth_clients where id = $1', [id])).rowCount === 1;
}

/** Every access token recorded for the client's grants, and for `client:<id>` (its client_credentials tokens). */
export async function revokeAccessTokensOfClient(db: Db, clientId: string): Promise<void> {
  await db.query(
    `insert into oauth_revoked_access_tokens (jti, expires_at)
     select a.jti, a.expires_at from oauth_access_tokens a
      where a.grant_id = 'client:' || $1
         or a.grant_id in (select r.grant_id from oauth_refresh_tokens r where r.client_id = $1)
         or a.grant_id in (select c.grant_id from oauth_authorization_codes c where c.client_id = $1)
     on conflict do nothing`, [clientId]);
}

export async function revokeRefreshTokensOfClient(db: Db, clientId: string, now: Date): Promise<void> {
  await db.query(
    `update oauth_refresh_tokens set revoked_at = ${db.dialect.timestamp('$2')} where client_id = $1 and revoked_at is null`,
    [clientId, db.dialect.timestampValue(now)]);
}

export async function deleteAuthorizationCodesOfClient(db: Db, clientId: string): Promise<void> {
  await db.query('delete from oauth_authorization_codes where client_id = $1', [clientId]);
}
