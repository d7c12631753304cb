import type { Db } from './dialect.js';
import type { PageRequest, User, UserPatch } from '../contract/index.js';
import { toUser, USER_COLUMNS } from './users.js';

/** `$first, $first+1, …`: placeholders for a list of values (only their count reaches the SQL). */
export function placeholders(count: number, first = 1): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');
}

export async function selectUsersPage(db: Db, page: PageRequest): Promise<User[]> {
  const result = await db.query(
    `select ${USER_COLUMNS} from users order by lower(email), id limit $1 offset $2`, [page.limit, page.offset]);
  return result.rows.map(toUser);
}

/** Sets the members given (null leaves a column as it is) and returns the row after the change. */
export async function updateUserRow(db: Db, id: string, patch: UserPatch): Promise<User | undefined> {
  const result = await db.query(
    `update users set first_name = coalesce($2, first_name), last_name = coalesce($3, last_name),
            full_name = coalesce($4, full_name), roles = coalesce($5, roles), status = coalesce($6, status)
      where id = $1
      returning ${USER_COLUMNS}`,
    [id, patch.firstName ?? null, patch.lastName ?? null, patch.fullName ?? null, patch.roles ? patch.roles.join(' ') : null, patch.status ?? null]);
  const row = result.rows[0];
  return row ? toUser(row) : undefined;
}

/** Roles are stored space-separated; padding both sides with a space makes `admin` match only whole words. */
export async function countActiveAdminUsers(db: Db): Promise<number> {
  const result = await db.query(
    `select cast(count(*) as integer) as n from users where status = 'active' and ' ' || roles || ' ' like '% admin %'`);
  return Number(result.rows[0]?.n ?? 0);
}

export async function selectUnknownUserIds(db: Db, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await db.query(
    `select v.id from (values ${ids.map((_, i) => `($${i + 1}, ${i})`).join(', ')}) v(id, position)
      where not exists (select 1 from users u where u.id = v.id)
      order by v.position`,
    [...ids]);
  return result.rows.map((row) => String(row.id));
}
