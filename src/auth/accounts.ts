import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { Store, User } from '../store/index.js';
import { createPersonalAccessToken, revokePersonalAccessToken } from './personal-access-tokens.js';
import { SCOPES } from './scopes.js';
import { hashSecret, randomToken } from './secrets.js';

/** Shortest password the operator may set. */
export const MIN_PASSWORD_LENGTH = 10;

async function existingUser(store: Store, email: string): Promise<User> {
  const user = await store.findUserByEmail(email);
  if (!user) throw new AppError('NOT_FOUND', `No user has the e-mail address ${email}.`);
  return user;
}

/** Creates an active user with no password (set one with `setUserPassword`). */
export async function createUser(store: Store, input: { readonly email: string; readonly name: string; readonly roles?: readonly string[] }): Promise<User> {
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AppError('REQUEST_INVALID', `"${input.email}" is not an e-mail address.`);
  if (await store.findUserByEmail(email)) throw new AppError('REQUEST_INVALID', `A user with the e-mail address ${email} exists already.`);
  const name = input.name.trim();
  if (!name) throw new AppError('REQUEST_INVALID', 'The name must not be empty.');
  const [firstName = name, ...rest] = name.split(/\s+/);
  return store.createUser({
    id: randomUUID(), email, userName: email.split('@')[0] ?? email, firstName, lastName: rest.join(' '), fullName: name,
    roles: input.roles ?? [],
  });
}

export async function setUserPassword(store: Store, email: string, password: string): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AppError('REQUEST_INVALID', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  const user = await existingUser(store, email);
  await store.setPasswordHash(user.id, await hashSecret(password));
}

/** Disables a user: sign-in, grants and every bearer token of theirs are refused from now on. */
export async function disableUser(store: Store, email: string): Promise<void> {
  await store.setUserStatus((await existingUser(store, email)).id, 'inactive');
}

export interface CreatedClient {
  readonly clientId: string;
  /** Shown once; only its scrypt hash is stored. Absent for a public client. */
  readonly clientSecret?: string;
}

/** Registers an OAuth client (app). Redirect URIs must be absolute; they are matched exactly. */
export async function createClient(store: Store, input: {
  readonly name: string; readonly redirectUris: readonly string[]; readonly isPublic: boolean; readonly userEmail?: string;
}): Promise<CreatedClient> {
  if (!input.name.trim()) throw new AppError('REQUEST_INVALID', 'The client name must not be empty.');
  for (const uri of input.redirectUris) {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw new AppError('REQUEST_INVALID', `The redirect URI "${uri}" is not an absolute URL.`);
    }
    if (parsed.hash) throw new AppError('REQUEST_INVALID', `The redirect URI "${uri}" must not have a fragment (RFC 6749 §3.1.2).`);
  }
  const boundUser = input.userEmail ? await existingUser(store, input.userEmail) : undefined;
  if (boundUser && input.isPublic) throw new AppError('REQUEST_INVALID', 'A public client cannot act for a user (it has no secret).');
  const clientId = randomToken().slice(0, 32);
  const clientSecret = input.isPublic ? undefined : randomToken();
  await store.createOAuthClient({
    id: clientId, name: input.name.trim(), secretHash: clientSecret ? await hashSecret(clientSecret) : null,
    redirectUris: [...input.redirectUris], isPublic: input.isPublic, boundUserId: boundUser?.id ?? null,
    scopes: [...SCOPES], createdAt: new Date().toISOString(),
  });
  return clientSecret ? { clientId, clientSecret } : { clientId };
}

/**
 * Runs one account command by name with a JSON argument: the single entry point of the CLI (with
 * the database opened by the CLI itself) and of the control socket (with the server's store).
 */
export async function runAccountCommand(store: Store, command: string, input: unknown): Promise<unknown> {
  const args = (input ?? {}) as Record<string, unknown>;
  const text = (name: string): string => {
    const value = args[name];
    if (typeof value !== 'string') throw new AppError('REQUEST_INVALID', `Expected "${name}" to be a string.`);
    return value;
  };
  switch (command) {
    case 'user-create': {
      const user = await createUser(store, { email: text('email'), name: text('name') });
      return { id: user.id, email: user.email };
    }
    case 'user-set-password':
      await setUserPassword(store, text('email'), text('password'));
      return { ok: true };
    case 'user-disable':
      await disableUser(store, text('email'));
      return { ok: true };
    case 'client-create':
      return createClient(store, {
        name: text('name'),
        redirectUris: Array.isArray(args.redirectUris) ? args.redirectUris.map(String) : [],
        isPublic: args.isPublic === true,
        ...(typeof args.userEmail === 'string' ? { userEmail: args.userEmail } : {}),
      });
    case 'pat-create': {
      const ttlSeconds = args.ttlSeconds;
      if (typeof ttlSeconds !== 'number') throw new AppError('REQUEST_INVALID', 'Expected "ttlSeconds" to be a number.');
      return createPersonalAccessToken(store, { email: text('email'), name: text('name'), ttlSeconds });
    }
    case 'pat-revoke':
      await revokePersonalAccessToken(store, text('id'));
      return { ok: true };
    default:
      throw new AppError('NOT_FOUND', `No account command "${command}".`);
  }
}
