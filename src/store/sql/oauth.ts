import type { AuthorizationCode, NewRefreshToken, NewUser, OAuthClient, OAuthConsent, RefreshToken, User } from '../contract/index.js';
import { zonelessUtc, type Db, type DbRow } from './dialect.js';
import { selectUserById } from './users.js';

function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function words(value: unknown): readonly string[] {
  return Object.freeze(String(value ?? '').split(' ').filter(Boolean));
}

/** Users' `created_at` is a zone-less UTC `timestamp` on both (like the demo data's), so it is written as UTC text. */
export async function insertUser(db: Db, user: NewUser, now: Date): Promise<User> {
  await db.query(
    `insert into users (id, email, user_name, first_name, last_name, full_name, status, roles, created_at)
     values ($1, $2, $3, $4, $5, $6, 'active', $7, cast($8 as timestamp))`,
    [user.id, user.email, user.userName, user.firstName, user.lastName, user.fullName, user.roles.join(' '), zonelessUtc(now)]);
  const created = await selectUserById(db, user.id);
  if (!created) throw new Error(`user ${user.id} vanished after insert`);
  return created;
}

export async function selectPasswordHash(db: Db, userId: string): Promise<string | undefined> {
  return text((await db.query('select password_hash from users where id = $1', [userId])).rows[0]?.password_hash) ?? undefined;
}

export async function updatePasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.query('update users set password_hash = $2 where id = $1', [userId, passwordHash]);
}

export async function updateUserStatus(db: Db, userId: string, status: string): Promise<void> {
  await db.query('update users set status = $2 where id = $1', [userId, status]);
}

export async function insertOAuthClient(db: Db, client: OAuthClient): Promise<void> {
  const d = db.dialect;
  await db.query(
    `insert into oauth_clients (id, name, secret_hash, redirect_uris, is_public, bound_user_id, scopes, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, ${d.timestamp('$8')})`,
    [client.id, client.name, client.secretHash, JSON.stringify(client.redirectUris), client.isPublic, client.boundUserId,
      client.scopes.join(' '), d.timestampValue(new Date(client.createdAt))]);
}

export function clientColumns(db: Db): string {
  return `id, name, secret_hash, redirect_uris, is_public, bound_user_id, scopes, ${db.dialect.isoMs('created_at')} as created_at`;
}

export async function selectOAuthClient(db: Db, id: string): Promise<OAuthClient | undefined> {
  const row = (await db.query(`select ${clientColumns(db)} from oauth_clients where id = $1`, [id])).rows[0];
  return row ? toOAuthClient(row) : undefined;
}

export function toOAuthClient(row: DbRow): OAuthClient {
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

export async function insertAuthorizationCode(db: Db, code: AuthorizationCode): Promise<void> {
  const d = db.dialect;
  await db.query(
    `insert into oauth_authorization_codes
       (code_hash, grant_id, client_id, user_id, redirect_uri, scopes, code_challenge, nonce, auth_time, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, ${d.timestamp('$9')}, ${d.timestamp('$10')})`,
    [code.codeHash, code.grantId, code.clientId, code.userId, code.redirectUri, code.scopes.join(' '), code.codeChallenge,
      code.nonce, d.timestampValue(new Date(code.authTime)), d.timestampValue(new Date(code.expiresAt))]);
}

function codeColumns(db: Db): string {
  const d = db.dialect;
  return `code_hash, grant_id, client_id, user_id, redirect_uri, scopes, code_challenge, nonce,
  ${d.isoMs('auth_time')} as auth_time, ${d.isoMs('expires_at')} as expires_at`;
}

function toCode(row: DbRow): AuthorizationCode {
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

/**
 * Marks the code used when it was not; returns the row only when this call marked it. Of two
 * concurrent exchanges the second waits for the first (PostgreSQL), then re-checks `used_at is null`
 * and misses, or fails with a conflict (DuckDB; the caller treats that as the replay).
 */
export async function markAuthorizationCodeUsed(db: Db, codeHash: string, now: Date): Promise<AuthorizationCode | undefined> {
  const row = (await db.query(
    `update oauth_authorization_codes set used_at = ${db.dialect.timestamp('$2')}
      where code_hash = $1 and used_at is null
      returning ${codeColumns(db)}`, [codeHash, db.dialect.timestampValue(now)])).rows[0];
  return row ? toCode(row) : undefined;
}

export async function selectAuthorizationCode(db: Db, codeHash: string): Promise<AuthorizationCode | undefined> {
  const row = (await db.query(`select ${codeColumns(db)} from oauth_authorization_codes where code_hash = $1`, [codeHash])).rows[0];
  return row ? toCode(row) : undefined;
}

export async function insertRefreshToken(db: Db, token: NewRefreshToken, now: Date): Promise<void> {
  const d = db.dialect;
  await db.query(
    `insert into oauth_refresh_tokens (token_hash, grant_id, parent_hash, client_id, user_id, scopes, created_at, expires_at, auth_time)
     values ($1, $2, $3, $4, $5, $6, ${d.timestamp('$7')}, ${d.timestamp('$8')}, ${d.timestamp('$9')})`,
    [token.tokenHash, token.grantId, token.parentHash, token.clientId, token.userId, token.scopes.join(' '), d.timestampValue(now),
      d.timestampValue(new Date(token.expiresAt)), token.authTime ? d.timestampValue(new Date(token.authTime)) : null]);
}

export async function selectRefreshToken(db: Db, tokenHash: string): Promise<RefreshToken | undefined> {
  const d = db.dialect;
  const row = (await db.query(
    `select token_hash, grant_id, parent_hash, client_id, user_id, scopes, ${d.isoMs('expires_at')} as expires_at,
            ${d.isoMs('rotated_at')} as rotated_at, ${d.isoMs('revoked_at')} as revoked_at, ${d.isoMs('auth_time')} as auth_time
       from oauth_refresh_tokens where token_hash = $1`, [tokenHash])).rows[0];
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

export async function selectGrantRevoked(db: Db, grantId: string): Promise<boolean> {
  return (await db.query('select 1 from oauth_revoked_grants where grant_id = $1', [grantId])).rows.length > 0;
}

export async function insertRevokedGrant(db: Db, grantId: string, now: Date): Promise<void> {
  await db.query(
    `insert into oauth_revoked_grants (grant_id, revoked_at) values ($1, ${db.dialect.timestamp('$2')}) on conflict do nothing`,
    [grantId, db.dialect.timestampValue(now)]);
}

/** Fenced on "still live", so of two concurrent uses of one token only one rotates it. */
export async function markRefreshTokenRotated(db: Db, tokenHash: string, now: Date): Promise<boolean> {
  const result = await db.query(
    `update oauth_refresh_tokens set rotated_at = ${db.dialect.timestamp('$2')}
      where token_hash = $1 and rotated_at is null and revoked_at is null`, [tokenHash, db.dialect.timestampValue(now)]);
  return result.rowCount === 1;
}

export async function insertAccessToken(db: Db, jti: string, grantId: string | null, expiresAt: Date): Promise<void> {
  await db.query(
    `insert into oauth_access_tokens (jti, grant_id, expires_at) values ($1, $2, ${db.dialect.timestamp('$3')})`,
    [jti, grantId, db.dialect.timestampValue(expiresAt)]);
}

export async function revokeRefreshTokensOfGrant(db: Db, grantId: string, now: Date): Promise<void> {
  await db.query(
    `update oauth_refresh_tokens set revoked_at = ${db.dialect.timestamp('$2')} where grant_id = $1 and revoked_at is null`,
    [grantId, db.dialect.timestampValue(now)]);
}

export async function revokeAccessTokensOfGrant(db: Db, grantId: string): Promise<void> {
  await db.query(
    `insert into oauth_revoked_access_tokens (jti, expires_at)
     select jti, expires_at from oauth_access_tokens where grant_id = $1
     on conflict do nothing`, [grantId]);
}

export async function insertRevokedAccessToken(db: Db, jti: string, expiresAt: Date): Promise<void> {
  await db.query(
    `insert into oauth_revoked_access_tokens (jti, expires_at) values ($1, ${db.dialect.timestamp('$2')}) on conflict do nothing`,
    [jti, db.dialect.timestampValue(expiresAt)]);
}

export async function selectAccessTokenRevoked(db: Db, jti: string): Promise<boolean> {
  return (await db.query('select 1 from oauth_revoked_access_tokens where jti = $1', [jti])).rows.length > 0;
}

/** Every revoked access-token id (the DuckDB store keeps them in memory; see DuckDbStore#revoked). */
export async function selectRevokedAccessTokenIds(db: Db): Promise<string[]> {
  return (await db.query('select jti from oauth_revoked_access_tokens')).rows.map((row) => String(row.jti));
}

export async function insertSignInSession(db: Db, idHash: string, userId: string, now: Date, expiresAt: Date): Promise<void> {
  const d = db.dialect;
  await db.query(
    `insert into oauth_sessions (id_hash, user_id, created_at, expires_at) values ($1, $2, ${d.timestamp('$3')}, ${d.timestamp('$4')})`,
    [idHash, userId, d.timestampValue(now), d.timestampValue(expiresAt)]);
}

export async function selectSignInSession(db: Db, idHash: string, now: Date): Promise<string | undefined> {
  const row = (await db.query(
    `select user_id from oauth_sessions where id_hash = $1 and expires_at > ${db.dialect.timestamp('$2')}`,
    [idHash, db.dialect.timestampValue(now)])).rows[0];
  return row ? String(row.user_id) : undefined;
}

export async function selectSignInSessionDetail(db: Db, idHash: string, now: Date): Promise<{ userId: string; signedInAt: string } | undefined> {
  const d = db.dialect;
  const row = (await db.query(
    `select user_id, ${d.isoMs('created_at')} as created_at from oauth_sessions
      where id_hash = $1 and expires_at > ${d.timestamp('$2')}`, [idHash, d.timestampValue(now)])).rows[0];
  return row ? { userId: String(row.user_id), signedInAt: String(row.created_at) } : undefined;
}

export async function selectConsent(db: Db, userId: string, clientId: string): Promise<OAuthConsent | undefined> {
  const row = (await db.query(
    `select user_id, client_id, scopes, ${db.dialect.isoMs('granted_at')} as granted_at from oauth_consents
      where user_id = $1 and client_id = $2`, [userId, clientId])).rows[0];
  return row
    ? Object.freeze({ userId: String(row.user_id), clientId: String(row.client_id), scopes: words(row.scopes), grantedAt: String(row.granted_at) })
    : undefined;
}

/** Upserts the consent with the scopes given (the caller passes the union with what was there). */
export async function upsertConsent(db: Db, userId: string, clientId: string, scopes: readonly string[], now: Date): Promise<void> {
  await db.query(
    `insert into oauth_consents (user_id, client_id, scopes, granted_at) values ($1, $2, $3, ${db.dialect.timestamp('$4')})
     on conflict (user_id, client_id) do update set scopes = excluded.scopes, granted_at = excluded.granted_at`,
    [userId, clientId, scopes.join(' '), db.dialect.timestampValue(now)]);
}

export async function deleteSignInSession(db: Db, idHash: string): Promise<void> {
  await db.query('delete from oauth_sessions where id_hash = $1', [idHash]);
}
