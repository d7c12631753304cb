import { AppError } from '../errors.js';
import { DuplicateKeyError, type Store } from '../store/index.js';

/** A 400 naming the member at fault, e.g. `body/administrators/2` (the shape of schema errors). */
export function invalid(path: string, message: string): AppError {
  return new AppError('REQUEST_INVALID', `${path} ${message}`, { errors: [{ path, message }] });
}

export function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `No ${what} exists.`);
}

/** Every id must name a user; the first unknown one is reported with its position in the list. */
export async function checkUsers(store: Store, path: string, ids: readonly string[] | undefined): Promise<void> {
  if (!ids || ids.length === 0) return;
  const unknown = await store.listUnknownUserIds(ids);
  if (unknown.length > 0) {
    throw new AppError('REQUEST_INVALID', `${path}/${ids.indexOf(unknown[0]!)} names no user (${unknown.join(', ')}).`, {
      errors: unknown.map((id) => ({ path: `${path}/${ids.indexOf(id)}`, message: `names no user (${id}).` })),
    });
  }
}

export async function checkTeam(store: Store, path: string, teamId: string | undefined): Promise<void> {
  if (teamId !== undefined && !(await store.findTeam(teamId))) throw invalid(path, `names no team (${teamId}).`);
}

/** `from` must not be after `to` (both YYYY-MM-DD, so they compare as text). */
export function checkOrder(path: string, from: string | null | undefined, to: string | null | undefined): void {
  if (from && to && from > to) throw invalid(path, `(${to}) is before the start (${from}).`);
}

/** Runs a create; a key that exists already (found first, or raced in) is 409 CONFLICT. */
export async function createOnce<T>(exists: () => Promise<unknown>, create: () => Promise<T>, what: string): Promise<T> {
  const conflict = () => new AppError('CONFLICT', `${what} exists already.`);
  if (await exists()) throw conflict();
  try {
    return await create();
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw conflict();
    throw error;
  }
}
