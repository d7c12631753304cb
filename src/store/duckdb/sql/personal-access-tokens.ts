import type { DuckDBConnection } from '@duckdb/node-api';
import type { PersonalAccessToken } from '../../contract/index.js';

const ISO = "'%Y-%m-%dT%H:%M:%S.%gZ'";

/** Timestamps are written as UTC ISO strings cast to TIMESTAMP, never from the session time zone. */
function utc(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export async function insertPersonalAccessToken(
  connection: DuckDBConnection, pat: Omit<PersonalAccessToken, 'lastUsedAt' | 'revokedAt'>,
): Promise<void> {
  await connection.run(
    `insert into personal_access_tokens (id, token_hash, user_id, name, created_at, expires_at)
     values ($1, $2, $3, $4, cast($5 as timestamp), cast($6 as timestamp))`,
    [pat.id, pat.tokenHash, pat.userId, pat.name, utc(new Date(pat.createdAt)), utc(new Date(pat.expiresAt))]);
}

export async function selectPersonalAccessTokenByHash(connection: DuckDBConnection, tokenHash: string): Promise<PersonalAccessToken | undefined> {
  const row = (await connection.runAndReadAll(
    `select id, token_hash, user_id, name, strftime(created_at, ${ISO}) as created_at, strftime(expires_at, ${ISO}) as expires_at,
            strftime(last_used_at, ${ISO}) as last_used_at, strftime(revoked_at, ${ISO}) as revoked_at
       from personal_access_tokens where token_hash = $1`, [tokenHash])).getRowObjectsJson()[0];
  if (!row) return undefined;
  return Object.freeze({
    id: String(row.id),
    tokenHash: String(row.token_hash),
    userId: String(row.user_id),
    name: String(row.name),
    createdAt: String(row.created_at),
    expiresAt: String(row.expires_at),
    lastUsedAt: isoOrNull(row.last_used_at),
    revokedAt: isoOrNull(row.revoked_at),
  });
}

export async function updatePersonalAccessTokenLastUsed(connection: DuckDBConnection, id: string, now: Date): Promise<void> {
  await connection.run('update personal_access_tokens set last_used_at = cast($2 as timestamp) where id = $1', [id, utc(now)]);
}

/** Marks a live token revoked; false when no live token has this id. */
export async function revokePersonalAccessToken(connection: DuckDBConnection, id: string, now: Date): Promise<boolean> {
  const updated = await connection.runAndReadAll(
    `update personal_access_tokens set revoked_at = cast($2 as timestamp)
      where id = $1 and revoked_at is null returning id`, [id, utc(now)]);
  return updated.getRowObjectsJson().length > 0;
}
