import type { FastifyPluginAsync } from 'fastify';
import { SCOPES, SIGNING_ALGORITHM, STANDARD_SCOPES, type AccessClaims } from '../../../auth/index.js';
import { AppError } from '../../../errors.js';
import { useErrorFamily } from '../../errors/index.js';
import { principalOf, requireBearerToken } from '../../plugins/auth.js';
import type { TenancyCache } from '../../plugins/principal.js';
import type { Store } from '../../../store/index.js';
import { discoverySchema, userinfoSchema } from './schemas.js';

export interface OpenIdOptions {
  readonly issuer: string;
  readonly publicUrl: string;
  readonly store: Store;
  readonly verifyAccessToken: (token: string) => Promise<AccessClaims>;
  readonly tenancyCache: TenancyCache;
}

/** `GET /.well-known/openid-configuration` and `GET /userinfo`, at the service root (spec §1). */
export const openIdRoutes: FastifyPluginAsync<OpenIdOptions> = async (app, options) => {
  useErrorFamily(app, 'oauth', { notFound: false });
  const base = `${options.publicUrl}/authentication/v2`;
  const discovery = Object.freeze({
    issuer: options.issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${options.publicUrl}/userinfo`,
    jwks_uri: `${base}/keys`,
    introspection_endpoint: `${base}/introspect`,
    // Both names (spec §2): RFC 8414's, and APS's, which the APS SDK reads.
    revocation_endpoint: `${base}/revoke`,
    revoke_endpoint: `${base}/revoke`,
    end_session_endpoint: `${base}/logout`,
    scopes_supported: [...new Set([...SCOPES, ...STANDARD_SCOPES])],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    code_challenge_methods_supported: ['S256'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'name', 'given_name', 'family_name', 'email', 'email_verified', 'preferred_username'],
    prompt_values_supported: ['none', 'login', 'consent'],
    authorization_response_iss_parameter_supported: true,
  });
  app.get('/.well-known/openid-configuration', { schema: discoverySchema }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return discovery;
  });
  // RFC 8414 §3: the same metadata at the OAuth 2.0 authorization-server address.
  app.get('/.well-known/oauth-authorization-server', { schema: { ...discoverySchema, summary: 'OAuth 2.0 Authorization Server Metadata (RFC 8414).' } },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return discovery;
    });

  await app.register(async (userinfo) => {
    // The APS SDK sends the token bare, without `Bearer ` (spec §2).
    requireBearerToken(userinfo, {
      store: options.store, verifyAccessToken: options.verifyAccessToken, tenancyCache: options.tenancyCache, allowBareToken: true,
    });
    userinfo.get('/userinfo', { schema: userinfoSchema, config: { scope: ['openid', 'user-profile:read'] } }, async (request) => {
      const user = principalOf(request).user;
      if (!user) throw new AppError('AUTH_TOKEN_INVALID', 'This access token acts for no user.');
      return {
        sub: user.id, name: user.fullName, given_name: user.firstName, family_name: user.lastName, email: user.email,
        // Addresses are entered by the operator, who vouches for them.
        email_verified: true, preferred_username: user.userName,
      };
    });
  });
};
