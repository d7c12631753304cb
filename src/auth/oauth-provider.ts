import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { AppError } from '../errors.js';
import { isWriteConflict, type OAuthClient, type Store, type User } from '../store/index.js';
import { SIGNING_ALGORITHM, type SigningKeys } from './keys.js';
import { parseScopeList, SCOPES, STANDARD_SCOPES } from './scopes.js';
import { ACCESS_TOKEN_TTL_SECONDS } from './token-lifetimes.js';
import { DUMMY_SECRET_HASH, hashToken, randomToken, safeEqual, verifySecret } from './secrets.js';
import { createTokenVerifier, mintAccessToken, type AccessClaims, type TokenSettings } from './tokens.js';

export { ACCESS_TOKEN_TTL_SECONDS };
export const REFRESH_TOKEN_TTL_SECONDS = 15 * 24 * 3600;

/** The grant id the access tokens of a client's client_credentials grants are recorded under. */
export function clientCredentialsGrant(clientId: string): string {
  return `client:${clientId}`;
}
export const CODE_TTL_SECONDS = 300;
export const SESSION_TTL_SECONDS = 8 * 3600;

/** The token endpoint's success body (RFC 6749 §5.1, as APS answers it). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly scope: string;
}

/** How the caller presented its client credentials. */
export interface ClientCredentials {
  /** From `Authorization: Basic …`. */
  readonly basic?: { readonly id: string; readonly secret: string };
  /** `client_id` of the form body (public clients, and `client_secret_post`). */
  readonly formClientId?: string;
  /** `client_secret` of the form body (`client_secret_post`, RFC 6749 §2.3.1). */
  readonly formClientSecret?: string;
}

/** APS's answer when a request carries client credentials both in the header and in the body (spec §2). */
const BOTH_AT_ONCE = "The 'client_id' is not supported in the request body when Authorization headers are present.";

/** A checked authorization request (`GET /authorize`), carried through sign-in and consent. */
export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state?: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
}

/** The raw query of `GET /authorize`. */
export interface AuthorizationParams {
  readonly response_type?: string;
  readonly client_id?: string;
  readonly redirect_uri?: string;
  readonly scope?: string;
  readonly state?: string;
  readonly nonce?: string;
  readonly code_challenge?: string;
  readonly code_challenge_method?: string;
}

/** Outcome of checking an authorization request, in the three ways RFC 6749 §4.1.2.1 tells apart. */
export type AuthorizationCheck =
  | { readonly kind: 'ok'; readonly client: OAuthClient; readonly request: AuthorizationRequest }
  /** Client or redirect_uri bad: show an error page, never redirect (an open redirector otherwise). */
  | { readonly kind: 'page'; readonly message: string }
  /** Anything else: tell the client through its (verified) redirect_uri. */
  | { readonly kind: 'redirect'; readonly redirectUri: string; readonly error: string; readonly description: string; readonly state?: string };

function grantError(message: string): AppError {
  return new AppError('OAUTH_INVALID_GRANT', message);
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
const PKCE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * The OAuth 2.0 / OpenID Connect provider: grants, introspection, revocation, authorization codes
 * and sign-in sessions, on top of the store. Written on `jose` rather than `oidc-provider`: that
 * library brings its own routes, paths, adapters and error shapes, while APS's paths and bodies
 * are fixed by spec §2, so adapting it would be more code than the protocol itself.
 */
/** The parameters of a token request (RFC 6749 §4.1.3, §4.4.2, §6) the grants read. */
export type TokenRequest = {
  readonly [K in 'grant_type' | 'code' | 'redirect_uri' | 'code_verifier' | 'refresh_token' | 'scope']?: string;
};

export class OAuthProvider {
  readonly #store: Store;
  readonly #keys: SigningKeys;
  readonly #tokens: TokenSettings;
  readonly #verify: (token: string) => Promise<AccessClaims>;
  readonly #now: () => Date;

  constructor(deps: { readonly store: Store; readonly keys: SigningKeys; readonly tokens: TokenSettings; readonly now?: () => Date }) {
    this.#store = deps.store;
    this.#keys = deps.keys;
    this.#tokens = deps.tokens;
    this.#verify = createTokenVerifier(deps.keys, deps.tokens);
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * Authenticates the client of a token, introspection or revocation request: HTTP Basic or
   * `client_secret_post` for confidential clients, `client_id` alone for public ones; both Basic
   * and form credentials at once is `invalid_request`. Unknown id and wrong secret fail alike,
   * after the same scrypt work, so the answer does not tell which ids exist.
   */
  async authenticateClient(credentials: ClientCredentials): Promise<OAuthClient> {
    const client = await this.authenticateTokenClient(credentials);
    if (!client) {
      throw new AppError('OAUTH_INVALID_CLIENT', 'Authenticate the client with HTTP Basic or client_id and client_secret in the form, or send client_id for a public client.');
    }
    return client;
  }

  /**
   * As `authenticateClient`, but a request that names no client at all gives undefined: on the
   * token endpoint a public client may leave `client_id` out of a code exchange or a refresh, and is
   * then the client the code or refresh token was issued to (spec §2; the Power BI connector does so).
   */
  async authenticateTokenClient(credentials: ClientCredentials): Promise<OAuthClient | undefined> {
    const invalid = () => new AppError('OAUTH_INVALID_CLIENT', 'Client authentication failed.');
    if (credentials.basic) {
      if (credentials.formClientId !== undefined || credentials.formClientSecret !== undefined) {
        throw new AppError('OAUTH_INVALID_REQUEST', BOTH_AT_ONCE);
      }
      return this.#confidentialClient(credentials.basic.id, credentials.basic.secret, invalid);
    }
    if (credentials.formClientSecret !== undefined) {
      if (credentials.formClientId === undefined) throw new AppError('OAUTH_INVALID_REQUEST', 'client_secret was sent without client_id.');
      return this.#confidentialClient(credentials.formClientId, credentials.formClientSecret, invalid);
    }
    if (credentials.formClientId === undefined) return undefined;
    const client = await this.#store.findOAuthClient(credentials.formClientId);
    if (!client) throw invalid();
    if (!client.isPublic) {
      throw new AppError('OAUTH_INVALID_CLIENT', 'A confidential client must authenticate with HTTP Basic or with client_secret in the form.');
    }
    return client;
  }

  async #confidentialClient(id: string, secret: string, invalid: () => AppError): Promise<OAuthClient> {
    const client = await this.#store.findOAuthClient(id);
    const ok = await verifySecret(secret, client?.secretHash ?? DUMMY_SECRET_HASH);
    if (!client || client.isPublic || !ok) throw invalid();
    return client;
  }

  /** The public client a code or refresh token was issued to, for a token request that named none. */
  async #issuedTo(clientId: string): Promise<OAuthClient> {
    const client = await this.#store.findOAuthClient(clientId);
    if (!client) throw grantError('The client of this grant no longer exists.');
    if (!client.isPublic) {
      throw new AppError('OAUTH_INVALID_CLIENT', 'A confidential client must authenticate with HTTP Basic or with client_id and client_secret in the form.');
    }
    return client;
  }

  /**
   * `POST /token`: runs one grant for an authenticated client. A write conflict with a concurrent
   * request on the same grant (the store's atomic steps make it rare) loses as the protocol says:
   * `invalid_grant`, never a 500 (issue 19).
   */
  async grant(client: OAuthClient | undefined, params: TokenRequest): Promise<TokenResponse> {
    try {
      return await this.#grant(client, params);
    } catch (error) {
      if (!(error instanceof AppError) && isWriteConflict(error)) {
        throw grantError('The grant was used by a concurrent request; start again.');
      }
      throw error;
    }
  }

  async #grant(client: OAuthClient | undefined, params: TokenRequest): Promise<TokenResponse> {
    switch (params.grant_type) {
      case 'client_credentials':
        if (!client) throw new AppError('OAUTH_INVALID_CLIENT', 'client_credentials needs the client authenticated (HTTP Basic, or client_id and client_secret in the form).');
        return this.#clientCredentials(client, params.scope);
      case 'authorization_code': return this.#authorizationCode(client, params);
      case 'refresh_token': return this.#refresh(client, params.refresh_token, params.scope);
      case undefined: case '': throw new AppError('OAUTH_INVALID_REQUEST', 'grant_type is required.');
      default: throw new AppError('OAUTH_UNSUPPORTED_GRANT_TYPE', `The grant type "${params.grant_type}" is not supported.`);
    }
  }

  #checkScopes(client: OAuthClient, requested: string | undefined, fallback: readonly string[]): readonly string[] {
    const scopes = requested === undefined || requested.trim() === '' ? [...fallback] : parseScopeList(requested);
    const standard = STANDARD_SCOPES as readonly string[];
    const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope) && !standard.includes(scope));
    if (unknown.length > 0) throw new AppError('OAUTH_INVALID_SCOPE', `Unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}.`);
    // The standard OpenID Connect scopes ask for the user's own profile, never for data: any client may.
    const refused = scopes.filter((scope) => !client.scopes.includes(scope) && !standard.includes(scope));
    if (refused.length > 0) throw new AppError('OAUTH_INVALID_SCOPE', `The client may not ask for ${refused.map((s) => `"${s}"`).join(', ')}.`);
    return scopes;
  }

  async #clientCredentials(client: OAuthClient, scope: string | undefined): Promise<TokenResponse> {
    if (client.isPublic) throw new AppError('OAUTH_UNAUTHORIZED_CLIENT', 'A public client cannot use client_credentials.');
    const scopes = this.#checkScopes(client, scope, client.scopes.filter((s) => s !== 'openid'));
    let subject: string | undefined;
    if (client.boundUserId) {
      const user = await this.#store.findUserById(client.boundUserId);
      if (!user || user.status !== 'active') throw grantError('The user this client acts for is disabled.');
      subject = user.id;
    }
    // Recorded under the grant `client:<id>`, so deleting the client (or rotating its secret) can
    // revoke every client_credentials token it still holds.
    return { ...(await this.#mintAccess(client, subject, scopes, clientCredentialsGrant(client.id))), scope: scopes.join(' ') };
  }

  async #authorizationCode(named: OAuthClient | undefined, params: TokenRequest): Promise<TokenResponse> {
    if (!params.code) throw new AppError('OAUTH_INVALID_REQUEST', 'code is required.');
    if (!params.redirect_uri) throw new AppError('OAUTH_INVALID_REQUEST', 'redirect_uri is required.');
    const now = this.#now();
    const found = await this.#store.consumeAuthorizationCode(hashToken(params.code), now);
    if (!found) throw grantError('The authorization code is not valid.');
    const { code, firstUse } = found;
    if (!firstUse) {
      // RFC 6749 §4.1.2: a code used twice is a sign of theft; what it bought is withdrawn.
      await this.#store.revokeGrant(code.grantId, now);
      throw grantError('The authorization code was already used; the tokens issued for it are revoked.');
    }
    const client = named ?? await this.#issuedTo(code.clientId);
    if (code.clientId !== client.id) throw grantError('The authorization code was issued to another client.');
    if (Date.parse(code.expiresAt) <= now.getTime()) throw grantError('The authorization code has expired.');
    if (code.redirectUri !== params.redirect_uri) throw grantError('redirect_uri differs from the one of the authorization request.');
    if (code.codeChallenge) {
      if (!params.code_verifier || !PKCE_VERIFIER.test(params.code_verifier)) throw grantError('A valid code_verifier is required (PKCE).');
      if (!safeEqual(s256(params.code_verifier), code.codeChallenge)) throw grantError('code_verifier does not match the code_challenge.');
    } else if (params.code_verifier !== undefined) {
      throw grantError('code_verifier was sent but the authorization request had no code_challenge.');
    }
    const user = await this.#activeUser(code.userId);
    return this.#mintUserTokens(client, user, code.scopes, code.grantId, null, { nonce: code.nonce, authTime: code.authTime },
      () => grantError('The authorization code was already used; the tokens issued for it are revoked.'));
  }

  /** A `redirect_uri` sent with a refresh is accepted and ignored (spec §2: the Power BI connector sends one). */
  async #refresh(named: OAuthClient | undefined, refreshToken: string | undefined, scope: string | undefined): Promise<TokenResponse> {
    if (!refreshToken) throw new AppError('OAUTH_INVALID_REQUEST', 'refresh_token is required.');
    const now = this.#now();
    const hash = hashToken(refreshToken);
    const token = await this.#store.findRefreshToken(hash);
    if (!token) throw grantError('The refresh token is not valid.');
    const client = named ?? await this.#issuedTo(token.clientId);
    if (token.clientId !== client.id) throw grantError('The refresh token is not valid.');
    if (token.revokedAt) throw grantError('The refresh token has been revoked.');
    const reused = async () => {
      // Reuse of a rotated token: either the client or a thief holds a stale copy. Revoking the
      // whole family (OAuth 2.0 Security BCP §4.14.2) ends both.
      await this.#store.revokeGrant(token.grantId, now);
      return grantError('The refresh token was already used; every token of its grant is revoked.');
    };
    if (token.rotatedAt) throw await reused();
    // Every refusal comes before the rotation: a refused request must leave the token usable,
    // or a client's retry (e.g. without the too-broad scope) would look like reuse and end the grant.
    if (Date.parse(token.expiresAt) <= now.getTime()) throw grantError('The refresh token has expired.');
    const scopes = scope === undefined || scope.trim() === '' ? token.scopes : parseScopeList(scope);
    const broader = scopes.filter((s) => !token.scopes.includes(s));
    if (broader.length > 0) {
      throw new AppError('OAUTH_INVALID_SCOPE', `The refresh token was not granted ${broader.map((s) => `"${s}"`).join(', ')}.`);
    }
    const user = await this.#activeUser(token.userId);
    // The rotation, the new refresh token and the access token's record are one step of the grant,
    // atomic with respect to its revocation: of two requests racing with one token the loser is
    // treated as reuse, and its revocation catches the winner's tokens (issue 19).
    // The new refresh token keeps the grant's scopes (RFC 6749 §6): narrowing applies to this access token only.
    return this.#mintUserTokens(client, user, scopes, token.grantId, { hash, scopes: token.scopes }, { nonce: null, authTime: token.authTime },
      () => grantError('The refresh token has been revoked.'), reused);
  }

  async #activeUser(userId: string): Promise<User> {
    const user = await this.#store.findUserById(userId);
    if (!user || user.status !== 'active') throw grantError('The user of this grant is disabled.');
    return user;
  }

  async #signAccess(client: OAuthClient, subject: string | undefined, scopes: readonly string[], threeLegged = false) {
    const accessToken = await mintAccessToken(this.#keys, this.#tokens, {
      ...(subject ? { subject } : {}), clientId: client.id, scopes, ttlSeconds: ACCESS_TOKEN_TTL_SECONDS, threeLegged,
    });
    const jti = (JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string }).jti;
    const expiresAt = new Date(this.#now().getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000);
    return { accessToken, jti, expiresAt };
  }

  async #mintAccess(client: OAuthClient, subject: string | undefined, scopes: readonly string[], grantId: string | null) {
    const { accessToken, jti, expiresAt } = await this.#signAccess(client, subject, scopes);
    await this.#store.recordAccessToken(jti, grantId, expiresAt);
    return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: ACCESS_TOKEN_TTL_SECONDS };
  }

  /**
   * Issues a user grant's tokens as one store step (`issueGrantTokens`): with `parent`, the step
   * also rotates that refresh token. `revoked` makes the error when the grant was revoked meanwhile,
   * `reused` when the parent was no longer live.
   */
  async #mintUserTokens(
    client: OAuthClient, user: User, scopes: readonly string[], grantId: string,
    parent: { readonly hash: string; readonly scopes: readonly string[] } | null,
    idContext: { readonly nonce: string | null; readonly authTime: string | null },
    revoked: () => AppError, reused?: () => Promise<AppError>,
  ): Promise<TokenResponse> {
    const { accessToken, jti, expiresAt } = await this.#signAccess(client, user.id, scopes, true);
    const refreshToken = randomToken();
    const now = this.#now();
    const outcome = await this.#store.issueGrantTokens({
      grantId, rotates: parent?.hash ?? null,
      refreshToken: {
        tokenHash: hashToken(refreshToken), grantId, parentHash: parent?.hash ?? null, clientId: client.id, userId: user.id,
        scopes: parent?.scopes ?? scopes, authTime: idContext.authTime,
        expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString(),
      },
      accessToken: { jti, expiresAt },
    }, now);
    if (outcome === 'reused') throw reused ? await reused() : revoked();
    if (outcome === 'revoked') throw revoked();
    const response: TokenResponse = {
      access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, refresh_token: refreshToken, scope: scopes.join(' '),
    };
    if (!scopes.includes('openid')) return response;
    return { ...response, id_token: await this.#mintIdToken(client, user, scopes, idContext) };
  }

  /** The ID token (OIDC Core §2); `profile` and `email` add their standard claims (§5.4). */
  async #mintIdToken(
    client: OAuthClient, user: User, scopes: readonly string[], context: { readonly nonce: string | null; readonly authTime: string | null },
  ): Promise<string> {
    const claims: Record<string, unknown> = { email: user.email, name: user.fullName, preferred_username: user.userName };
    if (scopes.includes('profile')) Object.assign(claims, { given_name: user.firstName, family_name: user.lastName });
    // Addresses are entered by the operator, who vouches for them (as /userinfo says).
    if (scopes.includes('email')) claims.email_verified = true;
    if (context.nonce) claims.nonce = context.nonce;
    if (context.authTime) claims.auth_time = Math.floor(Date.parse(context.authTime) / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: this.#keys.kid, typ: 'JWT' })
      .setIssuer(this.#tokens.issuer)
      .setSubject(user.id)
      .setAudience(client.id)
      .setIssuedAt()
      .setExpirationTime(Math.floor(this.#now().getTime() / 1000) + ACCESS_TOKEN_TTL_SECONDS)
      .sign(this.#keys.privateKey);
  }

  /** Verifies an access token and refuses one that was revoked. */
  async verifyAccessToken(token: string): Promise<AccessClaims> {
    const claims = await this.#verify(token);
    if (claims.tokenId && (await this.#store.isAccessTokenRevoked(claims.tokenId))) {
      throw new AppError('AUTH_TOKEN_INVALID', 'The access token has been revoked.');
    }
    return claims;
  }

  /** RFC 7662. A client learns only about its own tokens; anything else is `{active:false}`. */
  async introspect(client: OAuthClient, token: string): Promise<Record<string, unknown>> {
    const inactive = { active: false };
    if (token.split('.').length === 3) {
      let claims: AccessClaims;
      try {
        claims = await this.verifyAccessToken(token);
      } catch {
        return inactive;
      }
      if (claims.clientId !== client.id) return inactive;
      return {
        active: true, token_type: 'Bearer', scope: claims.scopes.join(' '), client_id: claims.clientId,
        ...(claims.subject ? { sub: claims.subject } : {}), ...(claims.userId ? { userid: claims.userId } : {}),
        exp: claims.expiresAt, iat: claims.issuedAt, iss: this.#tokens.issuer, aud: this.#tokens.audience, jti: claims.tokenId,
      };
    }
    const refresh = await this.#store.findRefreshToken(hashToken(token));
    if (!refresh || refresh.clientId !== client.id || refresh.rotatedAt || refresh.revokedAt
      || Date.parse(refresh.expiresAt) <= this.#now().getTime()) return inactive;
    return {
      active: true, token_type: 'refresh_token', scope: refresh.scopes.join(' '), client_id: refresh.clientId,
      sub: refresh.userId, userid: refresh.userId, exp: Math.floor(Date.parse(refresh.expiresAt) / 1000), iss: this.#tokens.issuer,
    };
  }

  /**
   * RFC 7009. Revoking a refresh token revokes its grant: the family and every access token minted
   * from it. Unknown tokens and other clients' tokens are ignored (the answer is the same 200).
   */
  async revoke(client: OAuthClient, token: string): Promise<void> {
    // A write conflict means a concurrent revocation of the same rows: once more sees it done.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#revoke(client, token);
      } catch (error) {
        if (attempt >= 3 || error instanceof AppError || !isWriteConflict(error)) throw error;
      }
    }
  }

  async #revoke(client: OAuthClient, token: string): Promise<void> {
    const now = this.#now();
    if (token.split('.').length === 3) {
      let claims: AccessClaims;
      try {
        claims = await this.#verify(token);
      } catch {
        return;
      }
      if (claims.clientId === client.id && claims.tokenId) {
        await this.#store.revokeAccessToken(claims.tokenId, new Date(claims.expiresAt * 1000));
      }
      return;
    }
    const refresh = await this.#store.findRefreshToken(hashToken(token));
    if (refresh && refresh.clientId === client.id) await this.#store.revokeGrant(refresh.grantId, now);
  }

  /** Checks `GET /authorize`'s query (RFC 6749 §4.1.1, RFC 7636, OIDC Core §3.1.2.1). */
  async checkAuthorization(params: AuthorizationParams): Promise<AuthorizationCheck> {
    if (!params.client_id) return { kind: 'page', message: 'The request names no client (client_id is missing).' };
    const client = await this.#store.findOAuthClient(params.client_id);
    if (!client) return { kind: 'page', message: 'The application that sent you here is not registered.' };
    if (!params.redirect_uri || !client.redirectUris.includes(params.redirect_uri)) {
      return { kind: 'page', message: 'The redirect address of this request is not registered for the application.' };
    }
    const fail = (error: string, description: string): AuthorizationCheck => ({
      kind: 'redirect', redirectUri: params.redirect_uri!, error, description, ...(params.state !== undefined ? { state: params.state } : {}),
    });
    if (params.response_type !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
    let scopes: readonly string[];
    try {
      scopes = this.#checkScopes(client, params.scope, client.scopes);
    } catch (error) {
      return fail('invalid_scope', (error as Error).message);
    }
    if (params.code_challenge !== undefined || params.code_challenge_method !== undefined) {
      if (params.code_challenge_method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
      if (!params.code_challenge || !/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge)) return fail('invalid_request', 'code_challenge is not a S256 challenge.');
    } else if (client.isPublic) {
      return fail('invalid_request', 'A public client must use PKCE (code_challenge with S256).');
    }
    return {
      kind: 'ok',
      client,
      request: Object.freeze({
        clientId: client.id, redirectUri: params.redirect_uri, scopes,
        ...(params.state !== undefined ? { state: params.state } : {}),
        ...(params.nonce ? { nonce: params.nonce } : {}),
        ...(params.code_challenge ? { codeChallenge: params.code_challenge } : {}),
      }),
    };
  }

  /** Issues a single-use, five-minute authorization code for a consented request. */
  async issueCode(request: AuthorizationRequest, userId: string, authTime: Date): Promise<string> {
    const code = randomToken();
    const now = this.#now();
    await this.#store.insertAuthorizationCode({
      codeHash: hashToken(code), grantId: randomUUID(), clientId: request.clientId, userId, redirectUri: request.redirectUri,
      scopes: request.scopes, codeChallenge: request.codeChallenge ?? null, nonce: request.nonce ?? null,
      authTime: authTime.toISOString(), expiresAt: new Date(now.getTime() + CODE_TTL_SECONDS * 1000).toISOString(),
    });
    return code;
  }

  /** The active user with this e-mail and password; the same work is done for unknown users. */
  async signIn(email: string, password: string): Promise<User | undefined> {
    const user = await this.#store.findUserByEmail(email);
    const hash = user ? await this.#store.getPasswordHash(user.id) : undefined;
    const ok = await verifySecret(password, hash ?? DUMMY_SECRET_HASH);
    return ok && user && hash && user.status === 'active' ? user : undefined;
  }

  /** Starts a sign-in session; returns the cookie value (only its hash is stored). */
  async startSession(userId: string): Promise<string> {
    const id = randomToken();
    const now = this.#now();
    await this.#store.createSignInSession(hashToken(id), userId, now, new Date(now.getTime() + SESSION_TTL_SECONDS * 1000));
    return id;
  }

  /** The active user of a session cookie value. */
  async sessionUser(sessionId: string | undefined): Promise<User | undefined> {
    return (await this.session(sessionId))?.user;
  }

  /** The active user of a session cookie value and when they signed in (`auth_time`, OIDC Core §2). */
  async session(sessionId: string | undefined): Promise<{ readonly user: User; readonly signedInAt: Date } | undefined> {
    if (!sessionId) return undefined;
    const found = await this.#store.findSignInSessionDetail(hashToken(sessionId), this.#now());
    const user = found ? await this.#store.findUserById(found.userId) : undefined;
    return found && user?.status === 'active' ? { user, signedInAt: new Date(found.signedInAt) } : undefined;
  }

  /** Whether the user consented to the client for every one of these scopes before (issue 18). */
  async hasConsent(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const consent = await this.#store.findConsent(userId, clientId);
    return consent !== undefined && scopes.every((scope) => consent.scopes.includes(scope));
  }

  /** Remembers a user's consent to a client for these scopes (added to what they allowed before). */
  async rememberConsent(userId: string, clientId: string, scopes: readonly string[]): Promise<void> {
    await this.#store.saveConsent(userId, clientId, scopes, this.#now());
  }

  async endSession(sessionId: string | undefined): Promise<void> {
    if (sessionId) await this.#store.deleteSignInSession(hashToken(sessionId));
  }

  /** Whether a client is registered with this redirect URI (for logout's post_logout_redirect_uri). */
  async isRegisteredRedirect(clientId: string | undefined, uri: string): Promise<boolean> {
    if (!clientId) return false;
    return (await this.#store.findOAuthClient(clientId))?.redirectUris.includes(uri) ?? false;
  }
}
