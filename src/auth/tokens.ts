import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../errors.js';
import { SIGNING_ALGORITHM, type SigningKeys } from './keys.js';

export interface TokenSettings {
  /** `iss` of minted tokens and the only issuer accepted. */
  readonly issuer: string;
  /** `aud` of minted tokens and the only audience accepted. */
  readonly audience: string;
}

export interface MintOptions {
  /** User id; absent for a two-legged token bound to no user. */
  readonly subject?: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly ttlSeconds: number;
  /** A three-legged token (a user's grant): it also carries APS's `userid` claim. */
  readonly threeLegged?: boolean;
}

/** Claims of a verified access token. */
export interface AccessClaims {
  readonly subject?: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly expiresAt: number;
  readonly tokenId: string;
  /** `iat`, seconds since the epoch. */
  readonly issuedAt: number;
  /** The user of a three-legged token (APS's `userid` claim); absent on two-legged tokens. */
  readonly userId?: string;
}

/** Signs an RS256 access token shaped like APS's (spec §2: `scope` is an array). */
export async function mintAccessToken(keys: SigningKeys, settings: TokenSettings, options: MintOptions): Promise<string> {
  const jwt = new SignJWT({
    client_id: options.clientId, scope: [...options.scopes], ...(options.threeLegged && options.subject ? { userid: options.subject } : {}),
  })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: keys.kid, typ: 'JWT' })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + options.ttlSeconds)
    .setJti(randomUUID());
  if (options.subject) jwt.setSubject(options.subject);
  return jwt.sign(keys.privateKey);
}

/**
 * A verifier bound to a key ring; throws AUTH_TOKEN_INVALID with the reason in plain words. It
 * trusts exactly the keys the JWKS publishes at the moment of the call, so a rotation is seen at
 * once and a key dropped from the JWKS is refused from then on.
 */
export function createTokenVerifier(keys: SigningKeys, settings: TokenSettings) {
  let cached: { readonly jwks: SigningKeys['jwks']; readonly keySet: ReturnType<typeof createLocalJWKSet> } | undefined;
  const currentKeySet = () => {
    const jwks = keys.jwks;
    if (cached?.jwks !== jwks) cached = { jwks, keySet: createLocalJWKSet({ keys: [...jwks.keys] }) };
    return cached.keySet;
  };
  return async function verifyAccessToken(token: string): Promise<AccessClaims> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, currentKeySet(), {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: [SIGNING_ALGORITHM],
        requiredClaims: ['exp', 'iat'],
      }));
    } catch (error) {
      throw new AppError('AUTH_TOKEN_INVALID', describeJoseError(error));
    }
    const scope = payload.scope;
    const scopes = Array.isArray(scope) ? scope.map(String) : typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
    return Object.freeze({
      ...(typeof payload.sub === 'string' ? { subject: payload.sub } : {}),
      clientId: typeof payload.client_id === 'string' ? payload.client_id : '',
      scopes: Object.freeze(scopes),
      expiresAt: Number(payload.exp),
      tokenId: typeof payload.jti === 'string' ? payload.jti : '',
      issuedAt: Number(payload.iat),
      ...(typeof payload.userid === 'string' ? { userId: payload.userid } : {}),
    });
  };
}

/** Words for each way a token fails; never echoes the token itself. */
function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The access token has expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'The access token was issued for another audience.';
    if (error.claim === 'iss') return 'The access token was issued by another issuer.';
    return `The access token's "${error.claim}" claim is not valid.`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The access token signature is not valid.';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The access token was signed by an unknown key.';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The access token uses a signing algorithm that is not accepted.';
  return 'The access token is malformed.';
}
