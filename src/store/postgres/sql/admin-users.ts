import type { PageRequest, User, UserPatch } from '../../contract/index.js';
import type { Queryable } from './db.js';
import { toUser, USER_COLUMNS } from './users.js';

export async function selectUsersPage(db: Queryable, page: PageRequest): Promise<User[]> {
  const result = await db.query(`select ${USER_COLUMNS} from users order by lower(email), id limit $1 offset $2`, [page.limit, page.offset]);
  return result.rows.map(toUser);
}

export async function countUsers(db: Queryable): Promise<number> {
  return Number((await db.query('select count(*)::int as n from users')).rows[0]?.n ?? 0);
}

/** Sets the members given (null leaves a column as it is) and returns the row after the change. */
export async function updateUserRow(db: Queryable, id: string, patch: UserPatch): Promise<User | undefined> {
  const row = (await db.query(
    `update users set first_name = coalesce($2, first_name), last_name = coalesce($3, last_name),
            full_name = coalesce($4, full_name), roles = coalesce($5, roles), status = coalesce($6, status)
      where id = $1
      returning ${USER_COLUMNS}`,
    [id, patch.firstName ?? null, patch.lastName ?? null, patch.fullName ?? null, patch.roles ? patch.roles.join(' ') : null,
      patch.status ?? null])).rows[0];
  return row ? toUser(row) : undefined;
}

/** Roles are stored space-separated; padding both sides with a space makes `admin` match only whole words. */
export async function countActiveAdminUsers(db: Queryable): Promise<number> {
  const result = await db.query(`select count(*)::int as n from users where status = 'active' and ' ' || roles || ' ' like '% admin %'`);
  return Number(result.rows[0]?.n ?? 0);
}

export async function selectUnknownUserIds(db: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await db.query(
    `select v.id from unnest($1::text[]) with ordinality v(id, position)
      where not exists (select 1 from users u where u.id = v.id)
      order by v.position`,
    [[...ids]]);
  return result.rows.map((row) => String(row.id));
}
