import type { PersonalAccessToken } from '../../contract/index.js';
import { instant, isoMs, textOrNull, type Queryable } from './db.js';

export async function insertPersonalAccessToken(db: Queryable, pat: Omit<PersonalAccessToken, 'lastUsedAt' | 'revokedAt'>): Promise<void> {
  await db.query(
    `insert into personal_access_tokens (id, token_hash, user_id, name, created_at, expires_at)
     values ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz)`,
    [pat.id, pat.tokenHash, pat.userId, pat.name, instant(new Date(pat.createdAt)), instant(new Date(pat.expiresAt))]);
}

export async function selectPersonalAccessTokenByHash(db: Queryable, tokenHash: string): Promise<PersonalAccessToken | undefined> {
  const row = (await db.query(
    `select id, token_hash, user_id, name, ${isoMs('created_at')} as created_at, ${isoMs('expires_at')} as expires_at,
            ${isoMs('last_used_at')} as last_used_at, ${isoMs('revoked_at')} as revoked_at
       from personal_access_tokens where token_hash = $1`, [tokenHash])).rows[0];
  if (!row) return undefined;
  return Object.freeze({
    id: String(row.id),
    tokenHash: String(row.token_hash),
    userId: String(row.user_id),
    name: String(row.name),
    createdAt: String(row.created_at),
    expiresAt: String(row.expires_at),
    lastUsedAt: textOrNull(row.last_used_at),
    revokedAt: textOrNull(row.revoked_at),
  });
}

export async function updatePersonalAccessTokenLastUsed(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query('update personal_access_tokens set last_used_at = $2::timestamptz where id = $1', [id, instant(now)]);
}

/** Marks a live token revoked; false when no live token has this id. */
export async function revokePersonalAccessToken(db: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await db.query(
    'update personal_access_tokens set revoked_at = $2::timestamptz where id = $1 and revoked_at is null', [id, instant(now)]);
  return result.rowCount === 1;
}
