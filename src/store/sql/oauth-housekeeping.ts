import type { CredentialPurgeReport } from '../contract/index.js';
import type { Db } from './dialect.js';

async function deleted(db: Db, sql: string, values: readonly Date[]): Promise<number> {
  return (await db.query(sql, values.map(db.dialect.timestampValue))).rowCount;
}

/**
 * Deletes what expired (see OAuthStore.purgeExpiredCredentials): unused codes past their expiry and
 * used ones only once they expired before `usedBefore` (replay detection); sign-in sessions,
 * revocations and access-token records past theirs; refresh tokens past theirs whatever their
 * state (none can be exchanged any more); last, revoked grants nothing can ask a step of any more
 * (no code — a replay keeps its grant —, no refresh token and no access-token record of the grant
 * is left), revoked before `usedBefore`.
 */
export async function deleteExpiredCredentials(db: Db, now: Date, usedBefore: Date): Promise<CredentialPurgeReport> {
  const t = db.dialect.timestamp;
  return Object.freeze({
    authorizationCodes: await deleted(db,
      `delete from oauth_authorization_codes where (used_at is null and expires_at < ${t('$1')}) or expires_at < ${t('$2')}`,
      [now, usedBefore]),
    signInSessions: await deleted(db, `delete from oauth_sessions where expires_at < ${t('$1')}`, [now]),
    revokedAccessTokens: await deleted(db, `delete from oauth_revoked_access_tokens where expires_at < ${t('$1')}`, [now]),
    accessTokens: await deleted(db, `delete from oauth_access_tokens where expires_at < ${t('$1')}`, [now]),
    refreshTokens: await deleted(db, `delete from oauth_refresh_tokens where expires_at < ${t('$1')}`, [now]),
    revokedGrants: await deleted(db,
      `delete from oauth_revoked_grants g
        where g.revoked_at < ${t('$1')}
          and not exists (select 1 from oauth_authorization_codes c where c.grant_id = g.grant_id)
          and not exists (select 1 from oauth_refresh_tokens r where r.grant_id = g.grant_id)
          and not exists (select 1 from oauth_access_tokens a where a.grant_id = g.grant_id)`,
      [usedBefore]),
  });
}
