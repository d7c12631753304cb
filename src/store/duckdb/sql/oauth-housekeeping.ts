import type { DuckDBConnection } from '@duckdb/node-api';

/** Timestamps are written as UTC ISO strings cast to TIMESTAMP, never from the session time zone. */
function utc(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

async function deleted(connection: DuckDBConnection, sql: string, values: string[]): Promise<number> {
  return Number((await connection.run(sql, values)).rowsChanged);
}

/** Unused codes past their expiry; used ones only once they expired before `usedBefore` (replay detection). */
export function deleteExpiredAuthorizationCodes(connection: DuckDBConnection, now: Date, usedBefore: Date): Promise<number> {
  return deleted(connection,
    `delete from oauth_authorization_codes
      where (used_at is null and expires_at < cast($1 as timestamp)) or expires_at < cast($2 as timestamp)`,
    [utc(now), utc(usedBefore)]);
}

export function deleteExpiredSignInSessions(connection: DuckDBConnection, now: Date): Promise<number> {
  return deleted(connection, 'delete from oauth_sessions where expires_at < cast($1 as timestamp)', [utc(now)]);
}

export function deleteExpiredRevocations(connection: DuckDBConnection, now: Date): Promise<number> {
  return deleted(connection, 'delete from oauth_revoked_access_tokens where expires_at < cast($1 as timestamp)', [utc(now)]);
}

export function deleteExpiredAccessTokenRecords(connection: DuckDBConnection, now: Date): Promise<number> {
  return deleted(connection, 'delete from oauth_access_tokens where expires_at < cast($1 as timestamp)', [utc(now)]);
}

/** Expired refresh tokens, whatever their state: none can be exchanged any more. */
export function deleteExpiredRefreshTokens(connection: DuckDBConnection, now: Date): Promise<number> {
  return deleted(connection, 'delete from oauth_refresh_tokens where expires_at < cast($1 as timestamp)', [utc(now)]);
}

/**
 * Revoked grants nothing can ask a step of any more: no code (a replay keeps its grant), no refresh
 * token and no access-token record of the grant is left. Runs after the other deletions.
 */
export function deleteSpentRevokedGrants(connection: DuckDBConnection, revokedBefore: Date): Promise<number> {
  return deleted(connection,
    `delete from oauth_revoked_grants g
      where g.revoked_at < cast($1 as timestamp)
        and not exists (select 1 from oauth_authorization_codes c where c.grant_id = g.grant_id)
        and not exists (select 1 from oauth_refresh_tokens r where r.grant_id = g.grant_id)
        and not exists (select 1 from oauth_access_tokens a where a.grant_id = g.grant_id)`,
    [utc(revokedBefore)]);
}
