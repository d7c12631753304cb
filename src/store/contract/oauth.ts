import type { User } from './store.js';

// ---------------------------------------------------------------------------------------------
// OAuthStore: users' credentials, OAuth clients, codes, refresh tokens, revocations and sign-in
// sessions of the OAuth 2.0 / OpenID Connect provider (spec §2). Every secret arrives here already
// hashed; the store never sees a password, client secret, code or refresh token in clear.
// ---------------------------------------------------------------------------------------------

/** A user to create: every member of `User` but the status, which starts `active`. */
export type NewUser = Omit<User, 'status'>;

export interface OAuthClient {
  readonly id: string;
  readonly name: string;
  /** scrypt hash of the secret; null for a public client. */
  readonly secretHash: string | null;
  readonly redirectUris: readonly string[];
  readonly isPublic: boolean;
  /** The user a client_credentials token acts for; null: such tokens carry no user. */
  readonly boundUserId: string | null;
  /** Scopes the client may ask for. */
  readonly scopes: readonly string[];
  readonly createdAt: string;
}

export interface AuthorizationCode {
  readonly codeHash: string;
  readonly grantId: string;
  readonly clientId: string;
  readonly userId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly codeChallenge: string | null;
  readonly nonce: string | null;
  /** When the user signed in (ISO 8601 UTC). */
  readonly authTime: string;
  readonly expiresAt: string;
}

export interface RefreshToken {
  readonly tokenHash: string;
  readonly grantId: string;
  readonly parentHash: string | null;
  readonly clientId: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly expiresAt: string;
  readonly rotatedAt: string | null;
  readonly revokedAt: string | null;
  /** When the user signed in to start the grant (ISO 8601 UTC); null on tokens from before it was kept. */
  readonly authTime: string | null;
}

/** A refresh token to write; `authTime` may be left out (null). */
export type NewRefreshToken = Omit<RefreshToken, 'rotatedAt' | 'revokedAt' | 'authTime'> & { readonly authTime?: string | null };

/** One step of a user grant: the refresh token it replaces (if any), the one it issues, and the access token minted with it. */
export interface GrantStep {
  readonly grantId: string;
  /** The hash of the refresh token this step rotates; it must still be live. Null on a code exchange. */
  readonly rotates: string | null;
  readonly refreshToken: NewRefreshToken;
  readonly accessToken: { readonly jti: string; readonly expiresAt: Date };
}

/** What `issueGrantTokens` did: wrote the step, or wrote nothing because the token was reused or the grant revoked. */
export type GrantStepOutcome = 'issued' | 'reused' | 'revoked';

/** A user's remembered consent to a client. */
export interface OAuthConsent {
  readonly userId: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly grantedAt: string;
}

/** An `ADSK-PAT` personal access token; the token itself is never stored, only its sha-256. */
export interface PersonalAccessToken {
  readonly id: string;
  readonly tokenHash: string;
  readonly userId: string;
  readonly name: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface OAuthStore {
  createUser(user: NewUser): Promise<User>;
  /** The scrypt hash of a user's password; undefined when the user has none (or does not exist). */
  getPasswordHash(userId: string): Promise<string | undefined>;
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;
  setUserStatus(userId: string, status: User['status']): Promise<void>;

  createOAuthClient(client: OAuthClient): Promise<void>;
  findOAuthClient(id: string): Promise<OAuthClient | undefined>;

  insertAuthorizationCode(code: AuthorizationCode): Promise<void>;
  /**
   * Marks a code used, atomically. `firstUse` is false when it had been used before (a replay);
   * undefined when no such code exists.
   */
  consumeAuthorizationCode(codeHash: string, now: Date): Promise<{ readonly code: AuthorizationCode; readonly firstUse: boolean } | undefined>;

  insertRefreshToken(token: NewRefreshToken): Promise<void>;
  findRefreshToken(tokenHash: string): Promise<RefreshToken | undefined>;
  /** Marks a live token rotated, atomically; false when it was already rotated or revoked. */
  rotateRefreshToken(tokenHash: string, now: Date): Promise<boolean>;
  /** Records an access token minted for a grant, so the grant's revocation reaches it. */
  recordAccessToken(jti: string, grantId: string | null, expiresAt: Date): Promise<void>;
  /**
   * Writes one grant step as one atomic step per grant: the rotation of `step.rotates` (fenced on
   * "still live"), the new refresh token and the access token's record, all or nothing, and never
   * interleaved with a `revokeGrant` of the same grant. So a revocation either sees every token of
   * the step, or the step sees the revocation and writes nothing (issue 19).
   */
  issueGrantTokens(step: GrantStep, now: Date): Promise<GrantStepOutcome>;
  /**
   * Revokes the grant for good (a later `issueGrantTokens` of it answers 'revoked'), every refresh
   * token of it and every access token recorded for it; atomic per grant, see `issueGrantTokens`.
   */
  revokeGrant(grantId: string, now: Date): Promise<void>;
  revokeAccessToken(jti: string, expiresAt: Date): Promise<void>;
  isAccessTokenRevoked(jti: string): Promise<boolean>;

  createSignInSession(idHash: string, userId: string, now: Date, expiresAt: Date): Promise<void>;
  /** The user of a live session. */
  findSignInSession(idHash: string, now: Date): Promise<string | undefined>;
  /** The user of a live session and when they signed in (ISO 8601 UTC). */
  findSignInSessionDetail(idHash: string, now: Date): Promise<{ readonly userId: string; readonly signedInAt: string } | undefined>;

  /** The consent a user gave a client, if any. */
  findConsent(userId: string, clientId: string): Promise<OAuthConsent | undefined>;
  /** Records (or widens: the scopes are the union) a user's consent to a client. */
  saveConsent(userId: string, clientId: string, scopes: readonly string[], now: Date): Promise<void>;
  deleteSignInSession(idHash: string): Promise<void>;

  createPersonalAccessToken(pat: Omit<PersonalAccessToken, 'lastUsedAt' | 'revokedAt'>): Promise<void>;
  findPersonalAccessToken(tokenHash: string): Promise<PersonalAccessToken | undefined>;
  /** Records a use; a concurrent write to the same row may win, and then this one is skipped. */
  touchPersonalAccessToken(id: string, now: Date): Promise<void>;
  /** False when no live (unrevoked) token has this id. */
  revokePersonalAccessToken(id: string, now: Date): Promise<boolean>;

  /**
   * Housekeeping: deletes the rows no request can use any more, so the tables stay small.
   * - authorization codes never used that expired before `now`, and used ones that expired before
   *   `usedCodesExpiredBefore` (kept longer so a replay is still recognised and revokes its grant);
   * - sign-in sessions, revocation-list rows and access-token records that expired before `now`
   *   (an expired JWT is refused on its `exp` alone, so its deny-list row is no longer needed);
   * - refresh tokens that expired before `now`, whether live, rotated or revoked;
   * - revoked grants revoked before `usedCodesExpiredBefore` of which no code, refresh token or
   *   access-token record is left: no step of such a grant can ever be asked for again.
   */
  purgeExpiredCredentials(now: Date, usedCodesExpiredBefore: Date): Promise<CredentialPurgeReport>;
}

/** Rows removed by one `purgeExpiredCredentials` call, per table. */
export interface CredentialPurgeReport {
  readonly authorizationCodes: number;
  readonly signInSessions: number;
  readonly revokedAccessTokens: number;
  readonly accessTokens: number;
  readonly refreshTokens: number;
  readonly revokedGrants: number;
}
