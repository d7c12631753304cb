import { personNames } from '../auth/index.js';
import { AppError } from '../errors.js';
import type { Page, PageRequest, Store, User } from '../store/index.js';
import { notFound } from './checks.js';

export interface UserUpdate {
  readonly name?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly roles?: readonly string[];
  /** `inactive` disables the user: sign-in, grants and every token of theirs are refused. */
  readonly status?: User['status'];
}

export async function getUser(store: Store, id: string): Promise<User> {
  const user = await store.findUserById(id);
  if (!user) throw notFound(`user has the id ${id}`);
  return user;
}

export function listUsers(store: Store, page: PageRequest): Promise<Page<User>> {
  return store.listUsers(page);
}

/**
 * Changes a user's names, roles or status. The last active administrator keeps the `admin` role
 * and stays active, so the administration API always has someone who may use it.
 */
export async function updateUser(store: Store, id: string, update: UserUpdate): Promise<User> {
  const current = await getUser(store, id);
  const isAdmin = (user: { roles: readonly string[]; status: string }) => user.status === 'active' && user.roles.includes('admin');
  const next = { roles: update.roles ?? current.roles, status: update.status ?? current.status };
  if (isAdmin(current) && !isAdmin(next) && (await store.countActiveAdmins()) <= 1) {
    throw new AppError('CONFLICT', `${current.email} is the last active administrator: give another user the "admin" role first.`);
  }
  const renamed = update.name !== undefined || update.firstName !== undefined || update.lastName !== undefined;
  const names = renamed
    ? personNames(update.firstName === undefined && update.lastName === undefined
      ? { name: update.name! }
      : { ...(update.name !== undefined ? { name: update.name } : {}), firstName: update.firstName ?? current.firstName, lastName: update.lastName ?? current.lastName })
    : undefined;
  const updated = await store.updateUser(id, {
    ...names,
    ...(update.roles ? { roles: [...new Set(update.roles)] } : {}),
    ...(update.status ? { status: update.status } : {}),
  });
  if (!updated) throw notFound(`user has the id ${id}`);
  return updated;
}
