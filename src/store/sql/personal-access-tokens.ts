import type { PersonalAccessToken } from '../contract/index.js';
import type { Db } from './dialect.js';

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));

export async function insertPersonalAccessToken(db: Db, pat: Omit<PersonalAccessToken, 'lastUsedAt' | 'revokedAt'>): Promise<void> {
  const d = db.dialect;
  await db.query(
    `insert into personal_access_tokens (id, token_hash, user_id, name, created_at, expires_at)
     values ($1, $2, $3, $4, ${d.timestamp('$5')}, ${d.timestamp('$6')})`,
    [pat.id, pat.tokenHash, pat.userId, pat.name, d.timestampValue(new Date(pat.createdAt)), d.timestampValue(new Date(pat.expiresAt))]);
}

export async function selectPersonalAccessTokenByHash(db: Db, tokenHash: string): Promise<PersonalAccessToken | undefined> {
  const d = db.dialect;
  const row = (await db.query(
    `select id, token_hash, user_id, name, ${d.isoMs('created_at')} as created_at, ${d.isoMs('expires_at')} as expires_at,
            ${d.isoMs('last_used_at')} as last_used_at, ${d.isoMs('revoked_at')} as revoked_at
       from personal_access_tokens where token_hash = $1`, [tokenHash], { prepare: true })).rows[0];
  if (!row) return undefined;
  return Object.freeze({
    id: String(row.id),
    tokenHash: String(row.token_hash),
    userId: String(row.user_id),
    name: String(row.name),
    createdAt: String(row.created_at),
    expiresAt: String(row.expires_at),
    lastUsedAt: text(row.last_used_at),
    revokedAt: text(row.revoked_at),
  });
}

export async function updatePersonalAccessTokenLastUsed(db: Db, id: string, now: Date): Promise<void> {
  await db.query(`update personal_access_tokens set last_used_at = ${db.dialect.timestamp('$2')} where id = $1`, [id, db.dialect.timestampValue(now)]);
}

/** Marks a live token revoked; false when no live token has this id. */
export async function revokePersonalAccessToken(db: Db, id: string, now: Date): Promise<boolean> {
  const result = await db.query(
    `update personal_access_tokens set revoked_at = ${db.dialect.timestamp('$2')} where id = $1 and revoked_at is null`,
    [id, db.dialect.timestampValue(now)]);
  return result.rowCount === 1;
}
