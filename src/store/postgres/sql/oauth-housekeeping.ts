import { instant, type Queryable } from './db.js';

async function deleted(db: Queryable, sql: string, values: string[]): Promise<number> {
  return (await db.query(sql, values)).rowCount ?? 0;
}

/** Unused codes past their expiry; used ones only once they expired before `usedBefore` (replay detection). */
export function deleteExpiredAuthorizationCodes(db: Queryable, now: Date, usedBefore: Date): Promise<number> {
  return deleted(db,
    `delete from oauth_authorization_codes
      where (used_at is null and expires_at < $1::timestamptz) or expires_at < $2::timestamptz`,
    [instant(now), instant(usedBefore)]);
}

export function deleteExpiredSignInSessions(db: Queryable, now: Date): Promise<number> {
  return deleted(db, 'delete from oauth_sessions where expires_at < $1::timestamptz', [instant(now)]);
}

export function deleteExpiredRevocations(db: Queryable, now: Date): Promise<number> {
  return deleted(db, 'delete from oauth_revoked_access_tokens where expires_at < $1::timestamptz', [instant(now)]);
}

export function deleteExpiredAccessTokenRecords(db: Queryable, now: Date): Promise<number> {
  return deleted(db, 'delete from oauth_access_tokens where expires_at < $1::timestamptz', [instant(now)]);
}

/** Expired refresh tokens, whatever their state: none can be exchanged any more. */
export function deleteExpiredRefreshTokens(db: Queryable, now: Date): Promise<number> {
  return deleted(db, 'delete from oauth_refresh_tokens where expires_at < $1::timestamptz', [instant(now)]);
}

/**
 * Revoked grants nothing can ask a step of any more: no code (a replay keeps its grant), no refresh
 * token and no access-token record of the grant is left. Runs after the other deletions.
 */
export function deleteSpentRevokedGrants(db: Queryable, revokedBefore: Date): Promise<number> {
  return deleted(db,
    `delete from oauth_revoked_grants g
      where g.revoked_at < $1::timestamptz
        and not exists (select 1 from oauth_authorization_codes c where c.grant_id = g.grant_id)
        and not exists (select 1 from oauth_refresh_tokens r where r.grant_id = g.grant_id)
        and not exists (select 1 from oauth_access_tokens a where a.grant_id = g.grant_id)`,
    [instant(revokedBefore)]);
}
