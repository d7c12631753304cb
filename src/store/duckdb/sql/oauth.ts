import type { DuckDBConnection } from '@duckdb/node-api';
import type { AuthorizationCode, NewRefreshToken, NewUser, OAuthClient, OAuthConsent, RefreshToken, User } from '../../contract/index.js';
import { selectUserById } from '../../sql/users.js';
import { duckDbConnectionDb } from '../duckdb-db.js';

const ISO = "'%Y-%m-%dT%H:%M:%S.%gZ'";

/** Timestamps are written as UTC ISO strings cast to TIMESTAMP, never from the session time zone. */
function utc(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function words(value: unknown): readonly string[] {
  return Object.freeze(String(value ?? '').split(' ').filter(Boolean));
}

async function rows(connection: DuckDBConnection, sql: string, values: (string | boolean | null)[]): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql, values)).getRowObjectsJson();
}

export async function insertUser(connection: DuckDBConnection, user: NewUser, now: Date): Promise<User> {
  await connection.run(
    `insert into users (id, email, user_name, first_name, last_name, full_name, status, roles, created_at)
     values ($1, $2, $3, $4, $5, $6, 'active', $7, cast($8 as timestamp))`,
    [user.id, user.email, user.userName, user.firstName, user.lastName, user.fullName, user.roles.join(' '), utc(now)]);
  const created = await selectUserById(duckDbConnectionDb(connection), user.id);
  if (!created) throw new Error(`user ${user.id} vanished after insert`);
  return created;
}

export async function selectPasswordHash(connection: DuckDBConnection, userId: string): Promise<string | undefined> {
  return text((await rows(connection, 'select password_hash from users where id = $1', [userId]))[0]?.password_hash) ?? undefined;
}

export async function updatePasswordHash(connection: DuckDBConnection, userId: string, passwordHash: string): Promise<void> {
  await connection.run('update users set password_hash = $2 where id = $1', [userId, passwordHash]);
}

export async function updateUserStatus(connection: DuckDBConnection, userId: string, status: string): Promise<void> {
  await connection.run('update users set status = $2 where id = $1', [userId, status]);
}

export async function insertOAuthClient(connection: DuckDBConnection, client: OAuthClient): Promise<void> {
  await connection.run(
    `insert into oauth_clients (id, name, secret_hash, redirect_uris, is_public, bound_user_id, scopes, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, cast($8 as timestamp))`,
    [client.id, client.name, client.secretHash, JSON.stringify(client.redirectUris), client.isPublic, client.boundUserId,
      client.scopes.join(' '), utc(new Date(client.createdAt))]);
}

export const CLIENT_COLUMNS = `id, name, secret_hash, redirect_uris, is_public, bound_user_id, scopes, strftime(created_at, ${ISO}) as created_at`;

export async function selectOAuthClient(connection: DuckDBConnection, id: string): Promise<OAuthClient | undefined> {
  const row = (await rows(connection, `select ${CLIENT_COLUMNS} from oauth_clients where id = $1`, [id]))[0];
  return row ? toOAuthClient(row) : undefined;
}

export function toOAuthClient(row: Record<string, unknown>): OAuthClient {
  return Object.freeze({
    id: String(row.id),
    name: String(row.name),
    secretHash: text(row.secret_hash),
    redirectUris: Object.freeze(JSON.parse(String(row.redirect_uris)) as string[]),
    isPublic: Boolean(row.is_public),
    boundUserId: text(row.bound_user_id),
    scopes: words(row.scopes),
    createdAt: String(row.created_at),
  });
}

export async function insertAuthorizationCode(connection: DuckDBConnection, code: AuthorizationCode): Promise<void> {
  await connection.run(
    `insert into oauth_authorization_codes
       (code_hash, grant_id, client_id, user_id, redirect_uri, scopes, code_challenge, nonce, auth_time, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, cast($9 as timestamp), cast($10 as timestamp))`,
    [code.codeHash, code.grantId, code.clientId, code.userId, code.redirectUri, code.scopes.join(' '), code.codeChallenge,
      code.nonce, utc(new Date(code.authTime)), utc(new Date(code.expiresAt))]);
}

const CODE_COLUMNS = `code_hash, grant_id, client_id, user_id, redirect_uri, scopes, code_challenge, nonce,
  strftime(auth_time, ${ISO}) as auth_time, strftime(expires_at, ${ISO}) as expires_at`;

function toCode(row: Record<string, unknown>): AuthorizationCode {
  return Object.freeze({
    codeHash: String(row.code_hash),
    grantId: String(row.grant_id),
    clientId: String(row.client_id),
    userId: String(row.user_id),
    redirectUri: String(row.redirect_uri),
    scopes: words(row.scopes),
    codeChallenge: text(row.code_challenge),
    nonce: text(row.nonce),
    authTime: String(row.auth_time),
    expiresAt: String(row.expires_at),
  });
}

/** Marks the code used when it was not; returns the row only when this call marked it. */
export async function markAuthorizationCodeUsed(connection: DuckDBConnection, codeHash: string, now: Date): Promise<AuthorizationCode | undefined> {
  const row = (await rows(connection,
    `update oauth_authorization_codes set used_at = cast($2 as timestamp)
      where code_hash = $1 and used_at is null
      returning ${CODE_COLUMNS}`, [codeHash, utc(now)]))[0];
  return row ? toCode(row) : undefined;
}

export async function selectAuthorizationCode(connection: DuckDBConnection, codeHash: string): Promise<AuthorizationCode | undefined> {
  const row = (await rows(connection, `select ${CODE_COLUMNS} from oauth_authorization_codes where code_hash = $1`, [codeHash]))[0];
  return row ? toCode(row) : undefined;
}

export async function insertRefreshToken(connection: DuckDBConnection, token: NewRefreshToken, now: Date): Promise<void> {
  await connection.run(
    `insert into oauth_refresh_tokens (token_hash, grant_id, parent_hash, client_id, user_id, scopes, created_at, expires_at, auth_time)
     values ($1, $2, $3, $4, $5, $6, cast($7 as timestamp), cast($8 as timestamp), cast($9 as timestamp))`,
    [token.tokenHash, token.grantId, token.parentHash, token.clientId, token.userId, token.scopes.join(' '), utc(now),
      utc(new Date(token.expiresAt)), token.authTime ? utc(new Date(token.authTime)) : null]);
}

export async function selectRefreshToken(connection: DuckDBConnection, tokenHash: string): Promise<RefreshToken | undefined> {
  const row = (await rows(connection,
    `select token_hash, grant_id, parent_hash, client_id, user_id, scopes, strftime(expires_at, ${ISO}) as expires_at,
            strftime(rotated_at, ${ISO}) as rotated_at, strftime(revoked_at, ${ISO}) as revoked_at,
            strftime(auth_time, ${ISO}) as auth_time
       from oauth_refresh_tokens where token_hash = $1`, [tokenHash]))[0];
  if (!row) return undefined;
  return Object.freeze({
    tokenHash: String(row.token_hash),
    grantId: String(row.grant_id),
    parentHash: text(row.parent_hash),
    clientId: String(row.client_id),
    userId: String(row.user_id),
    scopes: words(row.scopes),
    expiresAt: String(row.expires_at),
    rotatedAt: text(row.rotated_at),
    revokedAt: text(row.revoked_at),
    authTime: text(row.auth_time),
  });
}

export async function selectGrantRevoked(connection: DuckDBConnection, grantId: string): Promise<boolean> {
  return (await rows(connection, 'select 1 from oauth_revoked_grants where grant_id = $1', [grantId])).length > 0;
}

export async function insertRevokedGrant(connection: DuckDBConnection, grantId: string, now: Date): Promise<void> {
  await connection.run(
    'insert into oauth_revoked_grants (grant_id, revoked_at) values ($1, cast($2 as timestamp)) on conflict do nothing',
    [grantId, utc(now)]);
}

/** Fenced on "still live", so of two concurrent uses of one token only one rotates it. */
export async function markRefreshTokenRotated(connection: DuckDBConnection, tokenHash: string, now: Date): Promise<boolean> {
  const updated = await rows(connection,
    `update oauth_refresh_tokens set rotated_at = cast($2 as timestamp)
      where token_hash = $1 and rotated_at is null and revoked_at is null
      returning token_hash`, [tokenHash, utc(now)]);
  return updated.length > 0;
}

export async function insertAccessToken(connection: DuckDBConnection, jti: string, grantId: string | null, expiresAt: Date): Promise<void> {
  await connection.run(
    'insert into oauth_access_tokens (jti, grant_id, expires_at) values ($1, $2, cast($3 as timestamp))',
    [jti, grantId, utc(expiresAt)]);
}

export async function revokeRefreshTokensOfGrant(connection: DuckDBConnection, grantId: string, now: Date): Promise<void> {
  await connection.run(
    'update oauth_refresh_tokens set revoked_at = cast($2 as timestamp) where grant_id = $1 and revoked_at is null',
    [grantId, utc(now)]);
}

export async function revokeAccessTokensOfGrant(connection: DuckDBConnection, grantId: string): Promise<void> {
  await connection.run(
    `insert into oauth_revoked_access_tokens (jti, expires_at)
     select jti, expires_at from oauth_access_tokens where grant_id = $1
     on conflict do nothing`, [grantId]);
}

export async function insertRevokedAccessToken(connection: DuckDBConnection, jti: string, expiresAt: Date): Promise<void> {
  await connection.run(
    'insert into oauth_revoked_access_tokens (jti, expires_at) values ($1, cast($2 as timestamp)) on conflict do nothing',
    [jti, utc(expiresAt)]);
}

/** Every revoked access-token id (the store keeps them in memory; see DuckDbStore#revoked). */
export async function selectRevokedAccessTokenIds(connection: DuckDBConnection): Promise<string[]> {
  return (await rows(connection, 'select jti from oauth_revoked_access_tokens', [])).map((row) => String(row.jti));
}

export async function insertSignInSession(connection: DuckDBConnection, idHash: string, userId: string, now: Date, expiresAt: Date): Promise<void> {
  await connection.run(
    'insert into oauth_sessions (id_hash, user_id, created_at, expires_at) values ($1, $2, cast($3 as timestamp), cast($4 as timestamp))',
    [idHash, userId, utc(now), utc(expiresAt)]);
}

export async function selectSignInSession(connection: DuckDBConnection, idHash: string, now: Date): Promise<string | undefined> {
  const row = (await rows(connection,
    'select user_id from oauth_sessions where id_hash = $1 and expires_at > cast($2 as timestamp)', [idHash, utc(now)]))[0];
  return row ? String(row.user_id) : undefined;
}

export async function selectSignInSessionDetail(connection: DuckDBConnection, idHash: string, now: Date): Promise<{ userId: string; signedInAt: string } | undefined> {
  const row = (await rows(connection,
    `select user_id, strftime(created_at, ${ISO}) as created_at from oauth_sessions
      where id_hash = $1 and expires_at > cast($2 as timestamp)`, [idHash, utc(now)]))[0];
  return row ? { userId: String(row.user_id), signedInAt: String(row.created_at) } : undefined;
}

export async function selectConsent(connection: DuckDBConnection, userId: string, clientId: string): Promise<OAuthConsent | undefined> {
  const row = (await rows(connection,
    `select user_id, client_id, scopes, strftime(granted_at, ${ISO}) as granted_at from oauth_consents
      where user_id = $1 and client_id = $2`, [userId, clientId]))[0];
  return row
    ? Object.freeze({ userId: String(row.user_id), clientId: String(row.client_id), scopes: words(row.scopes), grantedAt: String(row.granted_at) })
    : undefined;
}

/** Upserts the consent with the scopes given (the caller passes the union with what was there). */
export async function upsertConsent(connection: DuckDBConnection, userId: string, clientId: string, scopes: readonly string[], now: Date): Promise<void> {
  await connection.run(
    `insert into oauth_consents (user_id, client_id, scopes, granted_at) values ($1, $2, $3, cast($4 as timestamp))
     on conflict (user_id, client_id) do update set scopes = excluded.scopes, granted_at = excluded.granted_at`,
    [userId, clientId, scopes.join(' '), utc(now)]);
}

export async function deleteSignInSession(connection: DuckDBConnection, idHash: string): Promise<void> {
  await connection.run('delete from oauth_sessions where id_hash = $1', [idHash]);
}
