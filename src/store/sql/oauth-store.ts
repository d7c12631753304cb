import {
  DuplicateKeyError,
  type AuthorizationCode, type CredentialPurgeReport, type GrantStep, type GrantStepOutcome, type NewRefreshToken, type NewUser,
  type OAuthClient, type OAuthClientPatch, type OAuthConsent, type Page, type PageRequest, type PersonalAccessToken, type RefreshToken,
  type User,
} from '../contract/index.js';
import type { Db } from './dialect.js';
import * as adminClientsSql from './admin-clients.js';
import * as oauthSql from './oauth.js';
import { deleteExpiredCredentials } from './oauth-housekeeping.js';
import * as patSql from './personal-access-tokens.js';

/**
 * The OAuth part of the store over SQL (users' credentials, clients, codes, grants, sessions,
 * consents, personal access tokens), and the helpers every part uses; `SqlStore` extends it. The
 * backends differ only through the two hooks below.
 */
export abstract class SqlOAuthStore {
  protected readonly db: Db;

  protected constructor(db: Db) {
    this.db = db;
  }

  /** Runs reads that belong together (a page and its total). */
  protected read<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return fn(this.db);
  }

  /** A primary-key or unique violation becomes DuplicateKeyError, whichever backend raised it. */
  protected async duplicateAs<T>(entity: string, statement: Promise<T>): Promise<T> {
    try {
      return await statement;
    } catch (error) {
      if (this.db.isUniqueViolation(error)) throw new DuplicateKeyError(entity, { cause: error });
      throw error;
    }
  }

  // --- OAuthStore ------------------------------------------------------------------------------

  /**
   * The locking hook: runs `fn` in one transaction that no other transaction with the same `key`
   * (a grant id, or `consent:<user>:<client>`) overlaps. PostgreSQL: a transaction-scoped advisory
   * lock on the key; DuckDB (one writer process): a queue per key in memory around the pool's
   * transaction (which reruns on a write conflict).
   */
  protected abstract serialisedTransaction<T>(key: string, fn: (db: Db) => Promise<T>): Promise<T>;

  /**
   * Called after every write that may change the revoked access-token ids, committed or not (the
   * DuckDB store drops its copy of them in memory; see its isAccessTokenRevoked).
   */
  protected revokedAccessTokensWritten(): void {}

  async #revoking<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.revokedAccessTokensWritten();
    }
  }

  createUser(user: NewUser): Promise<User> {
    return this.duplicateAs('user', oauthSql.insertUser(this.db, user, new Date()));
  }

  getPasswordHash(userId: string): Promise<string | undefined> {
    return oauthSql.selectPasswordHash(this.db, userId);
  }

  setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    return this.db.transaction((db) => oauthSql.updatePasswordHash(db, userId, passwordHash));
  }

  setUserStatus(userId: string, status: User['status']): Promise<void> {
    return this.db.transaction((db) => oauthSql.updateUserStatus(db, userId, status));
  }

  createOAuthClient(client: OAuthClient): Promise<void> {
    return oauthSql.insertOAuthClient(this.db, client);
  }

  findOAuthClient(id: string): Promise<OAuthClient | undefined> {
    return oauthSql.selectOAuthClient(this.db, id);
  }

  insertAuthorizationCode(code: AuthorizationCode): Promise<void> {
    return oauthSql.insertAuthorizationCode(this.db, code);
  }

  async consumeAuthorizationCode(codeHash: string, now: Date): Promise<{ readonly code: AuthorizationCode; readonly firstUse: boolean } | undefined> {
    let marked: AuthorizationCode | undefined;
    try {
      marked = await oauthSql.markAuthorizationCodeUsed(this.db, codeHash, now);
    } catch (error) {
      // A concurrent exchange of the same code updated the row first (DuckDB): for us it is a replay.
      if (!this.db.isConflict(error)) throw error;
    }
    if (marked) return { code: marked, firstUse: true };
    const code = await oauthSql.selectAuthorizationCode(this.db, codeHash);
    return code ? { code, firstUse: false } : undefined;
  }

  insertRefreshToken(token: NewRefreshToken): Promise<void> {
    return oauthSql.insertRefreshToken(this.db, token, new Date());
  }

  findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined> {
    return oauthSql.selectRefreshToken(this.db, tokenHash);
  }

  async rotateRefreshToken(tokenHash: string, now: Date): Promise<boolean> {
    try {
      return await oauthSql.markRefreshTokenRotated(this.db, tokenHash, now);
    } catch (error) {
      // A concurrent use of the same token won the row (DuckDB): this use is the reuse.
      if (this.db.isConflict(error)) return false;
      throw error;
    }
  }

  recordAccessToken(jti: string, grantId: string | null, expiresAt: Date): Promise<void> {
    return oauthSql.insertAccessToken(this.db, jti, grantId, expiresAt);
  }

  /**
   * One transaction under the grant's lock (serialisedTransaction), so a revocation of the grant
   * cannot miss a child token a concurrent step is about to commit. On DuckDB a write-write conflict
   * with any other writer reruns the transaction, which then sees the other's commit: a rotation
   * that lost its row to a concurrent use answers 'reused'.
   */
  issueGrantTokens(step: GrantStep, now: Date): Promise<GrantStepOutcome> {
    return this.serialisedTransaction(step.grantId, async (db): Promise<GrantStepOutcome> => {
      if (await oauthSql.selectGrantRevoked(db, step.grantId)) return 'revoked';
      if (step.rotates !== null && !(await oauthSql.markRefreshTokenRotated(db, step.rotates, now))) return 'reused';
      await oauthSql.insertRefreshToken(db, step.refreshToken, now);
      await oauthSql.insertAccessToken(db, step.accessToken.jti, step.grantId, step.accessToken.expiresAt);
      return 'issued';
    });
  }

  revokeGrant(grantId: string, now: Date): Promise<void> {
    return this.#revoking(this.serialisedTransaction(grantId, async (db) => {
      await oauthSql.insertRevokedGrant(db, grantId, now);
      await oauthSql.revokeRefreshTokensOfGrant(db, grantId, now);
      await oauthSql.revokeAccessTokensOfGrant(db, grantId);
    }));
  }

  revokeAccessToken(jti: string, expiresAt: Date): Promise<void> {
    return this.#revoking(oauthSql.insertRevokedAccessToken(this.db, jti, expiresAt));
  }

  isAccessTokenRevoked(jti: string): Promise<boolean> {
    return oauthSql.selectAccessTokenRevoked(this.db, jti);
  }

  createSignInSession(idHash: string, userId: string, now: Date, expiresAt: Date): Promise<void> {
    return oauthSql.insertSignInSession(this.db, idHash, userId, now, expiresAt);
  }

  findSignInSession(idHash: string, now: Date): Promise<string | undefined> {
    return oauthSql.selectSignInSession(this.db, idHash, now);
  }

  findSignInSessionDetail(idHash: string, now: Date): Promise<{ readonly userId: string; readonly signedInAt: string } | undefined> {
    return oauthSql.selectSignInSessionDetail(this.db, idHash, now);
  }

  findConsent(userId: string, clientId: string): Promise<OAuthConsent | undefined> {
    return oauthSql.selectConsent(this.db, userId, clientId);
  }

  saveConsent(userId: string, clientId: string, scopes: readonly string[], now: Date): Promise<void> {
    // Serialised per user and client, so two consents at once widen rather than overwrite each other.
    return this.serialisedTransaction(`consent:${userId}:${clientId}`, async (db) => {
      const previous = await oauthSql.selectConsent(db, userId, clientId);
      await oauthSql.upsertConsent(db, userId, clientId, [...new Set([...(previous?.scopes ?? []), ...scopes])].sort(), now);
    });
  }

  deleteSignInSession(idHash: string): Promise<void> {
    return oauthSql.deleteSignInSession(this.db, idHash);
  }

  async purgeExpiredCredentials(now: Date, usedCodesExpiredBefore: Date): Promise<CredentialPurgeReport> {
    const report = await deleteExpiredCredentials(this.db, now, usedCodesExpiredBefore);
    // A copy in memory forgets the expired revocations too (their tokens fail on expiry anyway).
    if (report.revokedAccessTokens > 0) this.revokedAccessTokensWritten();
    return report;
  }

  // --- OAuth clients (AdminStore) --------------------------------------------------------------

  listOAuthClients(page: PageRequest): Promise<Page<OAuthClient>> {
    return this.read(async (db) => Object.freeze({
      items: Object.freeze(await adminClientsSql.selectOAuthClientsPage(db, page)),
      total: await adminClientsSql.countOAuthClients(db),
    }));
  }

  updateOAuthClient(id: string, patch: OAuthClientPatch): Promise<OAuthClient | undefined> {
    return this.db.transaction((db) => adminClientsSql.updateOAuthClientRow(db, id, patch));
  }

  deleteOAuthClient(id: string, now: Date): Promise<boolean> {
    return this.#revoking(this.db.transaction(async (db) => {
      // Revocations first: they find the client's grants through its codes and refresh tokens.
      await adminClientsSql.revokeAccessTokensOfClient(db, id);
      await adminClientsSql.revokeRefreshTokensOfClient(db, id, now);
      await adminClientsSql.deleteAuthorizationCodesOfClient(db, id);
      return adminClientsSql.deleteOAuthClientRow(db, id);
    }));
  }

  // --- Personal access tokens (OAuthStore) -----------------------------------------------------

  createPersonalAccessToken(pat: Omit<PersonalAccessToken, 'lastUsedAt' | 'revokedAt'>): Promise<void> {
    return patSql.insertPersonalAccessToken(this.db, pat);
  }

  findPersonalAccessToken(tokenHash: string): Promise<PersonalAccessToken | undefined> {
    return patSql.selectPersonalAccessTokenByHash(this.db, tokenHash);
  }

  async touchPersonalAccessToken(id: string, now: Date): Promise<void> {
    try {
      await patSql.updatePersonalAccessTokenLastUsed(this.db, id, now);
    } catch (error) {
      // Two requests with the same PAT at once (DuckDB): the other one recorded the use.
      if (!this.db.isConflict(error)) throw error;
    }
  }

  revokePersonalAccessToken(id: string, now: Date): Promise<boolean> {
    return patSql.revokePersonalAccessToken(this.db, id, now);
  }

}
