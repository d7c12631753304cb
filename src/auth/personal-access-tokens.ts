import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { PersonalAccessToken, Store } from '../store/index.js';
import { hashToken, randomToken } from './secrets.js';

/** Longest lifetime of a personal access token. */
export const MAX_PAT_TTL_SECONDS = 365 * 24 * 3600;

/** The use of a PAT is written at most this often, so a busy script does not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Tells a PAT apart from other secrets in logs and leaked-credential scans. */
const PAT_PREFIX = 'pat_';

export interface CreatedPersonalAccessToken {
  readonly id: string;
  /** Shown once; only its sha-256 is stored. */
  readonly token: string;
  readonly expiresAt: string;
}

/** Creates a PAT for an active user: 256 random bits, stored as sha-256 (like refresh tokens). */
export async function createPersonalAccessToken(
  store: Store, input: { readonly email: string; readonly name: string; readonly ttlSeconds: number }, now = new Date(),
): Promise<CreatedPersonalAccessToken> {
  if (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds < 1 || input.ttlSeconds > MAX_PAT_TTL_SECONDS) {
    throw new AppError('REQUEST_INVALID', 'The lifetime of a personal access token must be between 1 second and 365 days.');
  }
  const name = input.name.trim();
  if (!name) throw new AppError('REQUEST_INVALID', 'The token name must not be empty.');
  const user = await store.findUserByEmail(input.email);
  if (!user) throw new AppError('NOT_FOUND', `No user has the e-mail address ${input.email}.`);
  if (user.status !== 'active') throw new AppError('REQUEST_INVALID', `The user ${input.email} is disabled.`);
  const token = `${PAT_PREFIX}${randomToken()}`;
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000).toISOString();
  await store.createPersonalAccessToken({
    id, tokenHash: hashToken(token), userId: user.id, name, createdAt: now.toISOString(), expiresAt,
  });
  return { id, token, expiresAt };
}

export async function revokePersonalAccessToken(store: Store, id: string, now = new Date()): Promise<void> {
  if (!(await store.revokePersonalAccessToken(id, now))) {
    throw new AppError('NOT_FOUND', `No live personal access token has the id ${id}.`);
  }
}

/**
 * The live PAT of an `ADSK-PAT` header value, with its use recorded; AUTH_TOKEN_INVALID otherwise.
 * The user's status is the caller's to check (it has the tenancy cache). Unknown, revoked and
 * expired tokens get distinct messages: they name no other user's token, so they leak nothing.
 */
export async function resolvePersonalAccessToken(store: Store, token: string, now = new Date()): Promise<PersonalAccessToken> {
  const pat = /^[A-Za-z0-9_-]{1,200}$/.test(token) ? await store.findPersonalAccessToken(hashToken(token)) : undefined;
  if (!pat) throw new AppError('AUTH_TOKEN_INVALID', 'The ADSK-PAT personal access token is not valid.');
  if (pat.revokedAt) throw new AppError('AUTH_TOKEN_INVALID', 'The ADSK-PAT personal access token has been revoked.');
  if (Date.parse(pat.expiresAt) <= now.getTime()) throw new AppError('AUTH_TOKEN_INVALID', 'The ADSK-PAT personal access token has expired.');
  if (!pat.lastUsedAt || now.getTime() - Date.parse(pat.lastUsedAt) >= LAST_USED_RESOLUTION_MS) {
    await store.touchPersonalAccessToken(pat.id, now);
  }
  return pat;
}
