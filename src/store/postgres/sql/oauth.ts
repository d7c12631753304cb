import type { AuthorizationCode, NewRefreshToken, NewUser, OAuthClient, OAuthConsent, RefreshToken, User } from '../../contract/index.js';
import { instant, isoMs, textOrNull, type Queryable } from './db.js';
import { selectUserById } from '../../sql/users.js';
import { postgresClientDb } from '../postgres-db.js';

function words(value: unknown): readonly string[] {
  return Object.freeze(String(value ?? '').split(' ').filter(Boolean));
}

/** Users' `created_at` is a UTC `timestamp` like the demo data's, so it is written as UTC text. */
function utcTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export async function insertUser(db: Queryable, user: NewUser, now: Date): Promise<User> {
  await db.query(
    `insert into users (id, email, user_name, first_name, last_name, full_name, status, roles, created_at)
     values ($1, $2, $3, $4, $5, $6, 'active', $7, $8::timestamp)`,
    [user.id, user.email, user.userName, user.firstName, user.lastName, user.fullName, user.roles.join(' '), utcTimestamp(now)]);
  const created = await selectUserById(postgresClientDb(db), user.id);
  if (!created) throw new Error(`user ${user.id} vanished after insert`);
  return created;
}

export async function selectPasswordHash(db: Queryable, userId: string): Promise<string | undefined> {
  return textOrNull((await db.query('select password_hash from users where id = $1', [userId])).rows[0]?.password_hash) ?? undefined;
}

export async function updatePasswordHash(db: Queryable, userId: string, passwordHash: string): Promise<void> {
  await db.query('update users set password_hash = $2 where id = $1', [userId, passwordHash]);
}

export async function updateUserStatus(db: Queryable, userId: string, status: string): Promise<void> {
  await db.query('update users set status = $2 where id = $1', [userId, status]);
}

export async function insertOAuthClient(db: Queryable, client: OAuthClient): Promise<void> {
  await db.query(
    `insert into oauth_clients (id, name, secret_hash, redirect_uris, is_public, bound_user_id, scopes, created_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz)`,
    [client.id, client.name, client.secretHash, JSON.stringify(client.redirectUris), client.isPublic, client.boundUserId,
      client.scopes.join(' '), instant(new Date(client.createdAt))]);
}

export const CLIENT_COLUMNS = `id, name, secret_hash, redirect_uris, is_public, bound_user_id, scopes, ${isoMs('created_at')} as created_at`;

export async function selectOAuthClient(db: Queryable, id: string): Promise<OAuthClient | undefined> {
  const row = (await db.query(`select ${CLIENT_COLUMNS} from oauth_clients where id = $1`, [id])).rows[0];
  return row ? toOAuthClient(row) : undefined;
}

export function toOAuthClient(row: Record<string, unknown>): OAuthClient {
  return Object.freeze({
    id: String(row.id),
    name: String(row.name),
    secretHash: textOrNull(row.secret_hash),
    redirectUris: Object.freeze(JSON.parse(String(row.redirect_uris)) as string[]),
    isPublic: Boolean(row.is_public),
    boundUserId: textOrNull(row.bound_user_id),
    scopes: words(row.scopes),
    createdAt: String(row.created_at),
  });
}

export async function insertAuthorizationCode(db: Queryable, code: AuthorizationCode): Promise<void> {
  await db.query(
    `insert into oauth_authorization_codes
       (code_hash, grant_id, client_id, user_id, redirect_uri, scopes, code_challenge, nonce, auth_time, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz, $10::timestamptz)`,
    [code.codeHash, code.grantId, code.clientId, code.userId, code.redirectUri, code.scopes.join(' '), code.codeChallenge,
      code.nonce, instant(new Date(code.authTime)), instant(new Date(code.expiresAt))]);
}

const CODE_COLUMNS = `code_hash, grant_id, client_id, user_id, redirect_uri, scopes, code_challenge, nonce,
  ${isoMs('auth_time')} as auth_time, ${isoMs('expires_at')} as expires_at`;

function toCode(row: Record<string, unknown>): AuthorizationCode {
  return Object.freeze({
    codeHash: String(row.code_hash),
    grantId: String(row.grant_id),
    clientId: String(row.client_id),
    userId: String(row.user_id),
    redirectUri: String(row.redirect_uri),
    scopes: words(row.scopes),
    codeChallenge: textOrNull(row.code_challenge),
    nonce: textOrNull(row.nonce),
    authTime: String(row.auth_time),
    expiresAt: String(row.expires_at),
  });
}

/**
 * Marks the code used when it was not; returns the row only when this call marked it. Of two
 * concurrent exchanges the second waits for the first, then re-checks `used_at is null` and misses.
 */
export async function markAuthorizationCodeUsed(db: Queryable, codeHash: string, now: Date): Promise<AuthorizationCode | undefined> {
  const row = (await db.query(
    `update oauth_authorization_codes set used_at = $2::timestamptz
      where code_hash = $1 and used_at is null
      returning ${CODE_COLUMNS}`, [codeHash, instant(now)])).rows[0];
  return row ? toCode(row) : undefined;
}

export async function selectAuthorizationCode(db: Queryable, codeHash: string): Promise<AuthorizationCode | undefined> {
  const row = (await db.query(`select ${CODE_COLUMNS} from oauth_authorization_codes where code_hash = $1`, [codeHash])).rows[0];
  return row ? toCode(row) : undefined;
}

export async function insertRefreshToken(db: Queryable, token: NewRefreshToken, now: Date): Promise<void> {
  await db.query(
    `insert into oauth_refresh_tokens (token_hash, grant_id, parent_hash, client_id, user_id, scopes, created_at, expires_at, auth_time)
     values ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9::timestamptz)`,
    [token.tokenHash, token.grantId, token.parentHash, token.clientId, token.userId, token.scopes.join(' '), instant(now),
      instant(new Date(token.expiresAt)), token.authTime ? instant(new Date(token.authTime)) : null]);
}

export async function selectRefreshToken(db: Queryable, tokenHash: string): Promise<RefreshToken | undefined> {
  const row = (await db.query(
    `select token_hash, grant_id, parent_hash, client_id, user_id, scopes, ${isoMs('expires_at')} as expires_at,
            ${isoMs('rotated_at')} as rotated_at, ${isoMs('revoked_at')} as revoked_at, ${isoMs('auth_time')} as auth_time
       from oauth_refresh_tokens where token_hash = $1`, [tokenHash])).rows[0];
  if (!row) return undefined;
  return Object.freeze({
    tokenHash: String(row.token_hash),
    grantId: String(row.grant_id),
    parentHash: textOrNull(row.parent_hash),
    clientId: String(row.client_id),
    userId: String(row.user_id),
    scopes: words(row.scopes),
    expiresAt: String(row.expires_at),
    rotatedAt: textOrNull(row.rotated_at),
    revokedAt: textOrNull(row.revoked_at),
    authTime: textOrNull(row.auth_time),
  });
}

/**
 * Serialises the steps and the revocation of one grant across every process on this database,
 * until the transaction ends (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS).
 * Under READ COMMITTED a statement does not see rows committed after it started, so a revocation's
 * UPDATE could miss a child token inserted meanwhile: the lock makes each wait for the other.
 * 7019 is this service's class of advisory locks (issue 19); a hash collision only serialises two grants.
 */
export async function lockGrant(db: Queryable, grantId: string): Promise<void> {
  await db.query('select pg_advisory_xact_lock(7019, hashtext($1))', [grantId]);
}

export async function selectGrantRevoked(db: Queryable, grantId: string): Promise<boolean> {
  return (await db.query('select 1 from oauth_revoked_grants where grant_id = $1', [grantId])).rows.length > 0;
}

export async function insertRevokedGrant(db: Queryable, grantId: string, now: Date): Promise<void> {
  await db.query(
    'insert into oauth_revoked_grants (grant_id, revoked_at) values ($1, $2::timestamptz) on conflict do nothing',
    [grantId, instant(now)]);
}

/** Fenced on "still live", so of two concurrent uses of one token only one rotates it. */
export async function markRefreshTokenRotated(db: Queryable, tokenHash: string, now: Date): Promise<boolean> {
  const result = await db.query(
    `update oauth_refresh_tokens set rotated_at = $2::timestamptz
      where token_hash = $1 and rotated_at is null and revoked_at is null`, [tokenHash, instant(now)]);
  return result.rowCount === 1;
}

export async function insertAccessToken(db: Queryable, jti: string, grantId: string | null, expiresAt: Date): Promise<void> {
  await db.query(
    'insert into oauth_access_tokens (jti, grant_id, expires_at) values ($1, $2, $3::timestamptz)',
    [jti, grantId, instant(expiresAt)]);
}

export async function revokeRefreshTokensOfGrant(db: Queryable, grantId: string, now: Date): Promise<void> {
  await db.query(
    'update oauth_refresh_tokens set revoked_at = $2::timestamptz where grant_id = $1 and revoked_at is null',
    [grantId, instant(now)]);
}

export async function revokeAccessTokensOfGrant(db: Queryable, grantId: string): Promise<void> {
  await db.query(
    `insert into oauth_revoked_access_tokens (jti, expires_at)
     select jti, expires_at from oauth_access_tokens where grant_id = $1
     on conflict do nothing`, [grantId]);
}

export async function insertRevokedAccessToken(db: Queryable, jti: string, expiresAt: Date): Promise<void> {
  await db.query(
    'insert into oauth_revoked_access_tokens (jti, expires_at) values ($1, $2::timestamptz) on conflict do nothing',
    [jti, instant(expiresAt)]);
}

export async function selectAccessTokenRevoked(db: Queryable, jti: string): Promise<boolean> {
  return (await db.query('select 1 from oauth_revoked_access_tokens where jti = $1', [jti])).rows.length > 0;
}

export async function insertSignInSession(db: Queryable, idHash: string, userId: string, now: Date, expiresAt: Date): Promise<void> {
  await db.query(
    'insert into oauth_sessions (id_hash, user_id, created_at, expires_at) values ($1, $2, $3::timestamptz, $4::timestamptz)',
    [idHash, userId, instant(now), instant(expiresAt)]);
}

export async function selectSignInSession(db: Queryable, idHash: string, now: Date): Promise<string | undefined> {
  const row = (await db.query(
    'select user_id from oauth_sessions where id_hash = $1 and expires_at > $2::timestamptz', [idHash, instant(now)])).rows[0];
  return row ? String(row.user_id) : undefined;
}

export async function selectSignInSessionDetail(db: Queryable, idHash: string, now: Date): Promise<{ userId: string; signedInAt: string } | undefined> {
  const row = (await db.query(
    `select user_id, ${isoMs('created_at')} as created_at from oauth_sessions
      where id_hash = $1 and expires_at > $2::timestamptz`, [idHash, instant(now)])).rows[0];
  return row ? { userId: String(row.user_id), signedInAt: String(row.created_at) } : undefined;
}

export async function selectConsent(db: Queryable, userId: string, clientId: string): Promise<OAuthConsent | undefined> {
  const row = (await db.query(
    `select user_id, client_id, scopes, ${isoMs('granted_at')} as granted_at from oauth_consents
      where user_id = $1 and client_id = $2`, [userId, clientId])).rows[0];
  return row
    ? Object.freeze({ userId: String(row.user_id), clientId: String(row.client_id), scopes: words(row.scopes), grantedAt: String(row.granted_at) })
    : undefined;
}

/** Upserts the consent with the scopes given (the caller passes the union with what was there). */
export async function upsertConsent(db: Queryable, userId: string, clientId: string, scopes: readonly string[], now: Date): Promise<void> {
  await db.query(
    `insert into oauth_consents (user_id, client_id, scopes, granted_at) values ($1, $2, $3, $4::timestamptz)
     on conflict (user_id, client_id) do update set scopes = excluded.scopes, granted_at = excluded.granted_at`,
    [userId, clientId, scopes.join(' '), instant(now)]);
}

export async function deleteSignInSession(db: Queryable, idHash: string): Promise<void> {
  await db.query('delete from oauth_sessions where id_hash = $1', [idHash]);
}

/**
 * One hit on a fixed-window counter, in one statement: a window that has ended starts again at 1.
 * The database's clock decides, so every process agrees on the window.
 */
export async function incrementRateLimitCounter(db: Queryable, key: string, windowMs: number): Promise<{ hits: number; ttlMs: number }> {
  const row = (await db.query(
    `insert into rate_limit_counters as c (key, hits, window_ends)
     values ($1, 1, clock_timestamp() + $2 * interval '1 millisecond')
     on conflict (key) do update set
       hits = case when c.window_ends <= clock_timestamp() then 1 else c.hits + 1 end,
       window_ends = case when c.window_ends <= clock_timestamp() then excluded.window_ends else c.window_ends end
     returning hits, greatest(0, ceil(extract(epoch from (window_ends - clock_timestamp())) * 1000))::bigint as ttl_ms`,
    [key, windowMs])).rows[0] as { hits: number; ttl_ms: string | number };
  return { hits: Number(row.hits), ttlMs: Number(row.ttl_ms) };
}

/** Drops the counters whose window ended (they would start again at 1 anyway). */
export async function deleteEndedRateLimitCounters(db: Queryable): Promise<void> {
  await db.query('delete from rate_limit_counters where window_ends < clock_timestamp()');
}
