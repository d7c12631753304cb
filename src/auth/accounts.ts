import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import { DuplicateKeyError, type OAuthClient, type Store, type User } from '../store/index.js';
import { clientCredentialsGrant } from './oauth-provider.js';
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

/** A 400 naming the member at fault, e.g. `body/redirectUris/1`. */
function invalid(path: string, message: string): AppError {
  return new AppError('REQUEST_INVALID', `${path} ${message}`, { errors: [{ path, message }] });
}

export interface NewUserInput {
  readonly email: string;
  /** The full name; split at the first space when first and last names are not given. */
  readonly name?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly roles?: readonly string[];
  /** Set at once when given (at least MIN_PASSWORD_LENGTH characters). */
  readonly password?: string;
}

/** Splits or joins a person's names: whichever of full or first/last is missing is derived. */
export function personNames(input: { readonly name?: string; readonly firstName?: string; readonly lastName?: string }): { firstName: string; lastName: string; fullName: string } {
  const name = input.name?.trim().replace(/\s+/g, ' ');
  if (input.firstName === undefined && input.lastName === undefined) {
    const [firstName = '', ...rest] = (name ?? '').split(' ');
    return { firstName, lastName: rest.join(' '), fullName: name ?? '' };
  }
  const firstName = input.firstName?.trim() ?? '';
  const lastName = input.lastName?.trim() ?? '';
  return { firstName, lastName, fullName: name || `${firstName} ${lastName}`.trim() };
}

/** Creates an active user, with no password unless one is given (else set one with `setUserPassword`). */
export async function createUser(store: Store, input: NewUserInput): Promise<User> {
  const email = input.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw invalid('body/email', `"${input.email}" is not an e-mail address.`);
  if (input.password !== undefined) checkPassword(input.password);
  if (await store.findUserByEmail(email)) throw new AppError('CONFLICT', `A user with the e-mail address ${email} exists already.`);
  const names = personNames(input);
  if (!names.fullName) throw invalid('body/name', 'must not be empty.');
  let user: User;
  try {
    user = await store.createUser({ id: randomUUID(), email, userName: email.split('@')[0] ?? email, ...names, roles: [...new Set(input.roles ?? [])] });
  } catch (error) {
    // Two creations of one address at once: the database's unique index decides.
    if (error instanceof DuplicateKeyError) throw new AppError('CONFLICT', `A user with the e-mail address ${email} exists already.`);
    throw error;
  }
  if (input.password !== undefined) await store.setPasswordHash(user.id, await hashSecret(input.password));
  return user;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw invalid('body/password', `must have at least ${MIN_PASSWORD_LENGTH} characters.`);
}

/** Sets the password of a user found by id; NOT_FOUND when there is none. */
export async function setUserPasswordById(store: Store, userId: string, password: string): Promise<void> {
  checkPassword(password);
  if (!(await store.findUserById(userId))) throw new AppError('NOT_FOUND', `No user has the id ${userId}.`);
  await store.setPasswordHash(userId, await hashSecret(password));
}

export async function setUserPassword(store: Store, email: string, password: string): Promise<void> {
  checkPassword(password);
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

/** Redirect URIs must be absolute and have no fragment (RFC 6749 §3.1.2); they are matched exactly. */
function checkRedirectUris(uris: readonly string[]): void {
  uris.forEach((uri, i) => {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw invalid(`body/redirectUris/${i}`, `"${uri}" is not an absolute URL.`);
    }
    if (parsed.hash) throw invalid(`body/redirectUris/${i}`, `"${uri}" must not have a fragment (RFC 6749 §3.1.2).`);
  });
}

async function boundUser(store: Store, input: { readonly userEmail?: string; readonly boundUserId?: string | null }): Promise<User | undefined> {
  if (input.userEmail) return existingUser(store, input.userEmail);
  if (!input.boundUserId) return undefined;
  const user = await store.findUserById(input.boundUserId);
  if (!user) throw invalid('body/boundUserId', `names no user (${input.boundUserId}).`);
  return user;
}

/** Registers an OAuth client (app). Redirect URIs must be absolute; they are matched exactly. */
export async function createClient(store: Store, input: {
  readonly name: string; readonly redirectUris: readonly string[]; readonly isPublic: boolean;
  /** The user client_credentials tokens act for, by e-mail (CLI) or id (admin API). */
  readonly userEmail?: string; readonly boundUserId?: string | null;
}): Promise<CreatedClient> {
  if (!input.name.trim()) throw invalid('body/name', 'must not be empty.');
  checkRedirectUris(input.redirectUris);
  const user = await boundUser(store, input);
  if (user && input.isPublic) throw invalid('body/boundUserId', 'cannot be set on a public client (it has no secret).');
  const clientId = randomToken().slice(0, 32);
  const clientSecret = input.isPublic ? undefined : randomToken();
  await store.createOAuthClient({
    id: clientId, name: input.name.trim(), secretHash: clientSecret ? await hashSecret(clientSecret) : null,
    redirectUris: [...input.redirectUris], isPublic: input.isPublic, boundUserId: user?.id ?? null,
    scopes: [...SCOPES], createdAt: new Date().toISOString(),
  });
  return clientSecret ? { clientId, clientSecret } : { clientId };
}

async function existingClient(store: Store, clientId: string): Promise<OAuthClient> {
  const client = await store.findOAuthClient(clientId);
  if (!client) throw new AppError('NOT_FOUND', `No OAuth client has the id ${clientId}.`);
  return client;
}

/** Changes a client's name, redirect URIs or bound user (`boundUserId: null` unbinds it). */
export async function updateClient(store: Store, clientId: string, patch: {
  readonly name?: string; readonly redirectUris?: readonly string[]; readonly boundUserId?: string | null;
}): Promise<OAuthClient> {
  const client = await existingClient(store, clientId);
  if (patch.name !== undefined && !patch.name.trim()) throw invalid('body/name', 'must not be empty.');
  if (patch.redirectUris) checkRedirectUris(patch.redirectUris);
  const user = await boundUser(store, { boundUserId: patch.boundUserId ?? null });
  if (user && client.isPublic) throw invalid('body/boundUserId', 'cannot be set on a public client (it has no secret).');
  const updated = await store.updateOAuthClient(clientId, {
    ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
    ...(patch.redirectUris ? { redirectUris: [...patch.redirectUris] } : {}),
    ...(patch.boundUserId !== undefined ? { boundUserId: user?.id ?? null } : {}),
  });
  if (!updated) throw new AppError('NOT_FOUND', `No OAuth client has the id ${clientId}.`);
  return updated;
}

/**
 * Gives a confidential client a new secret (shown once) and revokes the access tokens its
 * client_credentials grants hold: whoever had the old secret loses both at once. The users'
 * grants (three-legged tokens) stay; refreshing them needs the new secret.
 */
export async function rotateClientSecret(store: Store, clientId: string): Promise<{ readonly client: OAuthClient; readonly clientSecret: string }> {
  const client = await existingClient(store, clientId);
  if (client.isPublic) throw new AppError('CONFLICT', `The client ${clientId} is public: it has no secret to rotate.`);
  const clientSecret = randomToken();
  const updated = await store.updateOAuthClient(clientId, { secretHash: await hashSecret(clientSecret) });
  if (!updated) throw new AppError('NOT_FOUND', `No OAuth client has the id ${clientId}.`);
  await store.revokeGrant(clientCredentialsGrant(clientId), new Date());
  return { client: updated, clientSecret };
}

/** Removes a client and revokes every token issued to it (spec §2: clients are managed by the admin API). */
export async function deleteClient(store: Store, clientId: string): Promise<void> {
  if (!(await store.deleteOAuthClient(clientId, new Date()))) throw new AppError('NOT_FOUND', `No OAuth client has the id ${clientId}.`);
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
