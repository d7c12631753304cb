/** Schemas of the Authentication API (APS v2 wire format, spec §2). */
import { gatewayErrorSchema } from '../../schemas.js';

const oauthError = {
  type: 'object',
  properties: { error: { type: 'string' }, error_description: { type: 'string' }, requestId: { type: 'string' } },
  required: ['error'],
} as const;

/** A form body of text fields; its handler's body type is inferred from them (src/http/type-provider.ts). */
const form = <const P extends Record<string, { readonly type: 'string' }>>(properties: P) => ({
  type: 'object',
  // RFC 6749 §3.2: unknown parameters are ignored, not refused.
  properties,
} as const);

export const tokenSchema = {
  tags: ['authentication'],
  summary: 'Token endpoint: authorization_code (PKCE), client_credentials, refresh_token.',
  consumes: ['application/x-www-form-urlencoded'],
  body: form({
    grant_type: { type: 'string' }, code: { type: 'string' }, redirect_uri: { type: 'string' }, code_verifier: { type: 'string' },
    refresh_token: { type: 'string' }, scope: { type: 'string' }, client_id: { type: 'string' }, client_secret: { type: 'string' },
  }),
  response: {
    200: {
      type: 'object',
      properties: {
        access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' },
        refresh_token: { type: 'string' }, id_token: { type: 'string' }, scope: { type: 'string' },
      },
      required: ['access_token', 'token_type', 'expires_in'],
    },
    400: oauthError, 401: oauthError, 429: oauthError,
  },
} as const;

export const introspectSchema = {
  tags: ['authentication'],
  summary: 'Token introspection (RFC 7662).',
  consumes: ['application/x-www-form-urlencoded'],
  body: form({ token: { type: 'string' }, token_type_hint: { type: 'string' }, client_id: { type: 'string' }, client_secret: { type: 'string' } }),
  response: {
    200: {
      type: 'object',
      properties: {
        active: { type: 'boolean' }, token_type: { type: 'string' },
        scope: { type: 'string', description: 'Space-separated (a string here, unlike the JWT claim).' }, client_id: { type: 'string' },
        sub: { type: 'string' }, userid: { type: 'string', description: 'The user of a three-legged token (APS).' },
        exp: { type: 'integer' }, iat: { type: 'integer' }, iss: { type: 'string' }, aud: { type: 'string' }, jti: { type: 'string' },
      },
      required: ['active'],
    },
    400: oauthError, 401: oauthError, 429: oauthError,
  },
} as const;

export const revokeSchema = {
  tags: ['authentication'],
  summary: 'Token revocation (RFC 7009); revoking a refresh token ends the access tokens minted from it.',
  consumes: ['application/x-www-form-urlencoded'],
  body: form({ token: { type: 'string' }, token_type_hint: { type: 'string' }, client_id: { type: 'string' }, client_secret: { type: 'string' } }),
  response: { 200: { type: 'object', properties: {} }, 400: oauthError, 401: oauthError, 429: oauthError },
} as const;

/** The sign-in, consent and authorize pages answer their errors as HTML pages, not JSON. */
const htmlPage = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } }) as const;
const pageResponses = {
  200: htmlPage('The sign-in or consent page.'),
  302: { description: 'A redirect to the client (with a code, or an error) or back to the page.' },
  303: { description: 'A redirect to the client (with a code, or an error) or back to the page.' },
  400: {
    description: 'The request cannot go on (an unknown client, a redirect URI not registered, a form without its CSRF token): an HTML page saying why; a body that is not a form: OAuth JSON.',
    content: { 'text/html': { schema: { type: 'string' } }, 'application/json': { schema: oauthError } },
  },
  429: htmlPage('Too many sign-in attempts from this address; retry after the time in Retry-After.'),
} as const;

export const authorizeSchema = {
  tags: ['authentication'],
  summary: 'Three-legged flow: sign-in and consent pages, then a redirect with a code.',
  querystring: {
    type: 'object',
    properties: {
      response_type: { type: 'string' }, client_id: { type: 'string' }, redirect_uri: { type: 'string' }, scope: { type: 'string' },
      state: { type: 'string' }, nonce: { type: 'string' }, code_challenge: { type: 'string' },
      code_challenge_method: { type: 'string' }, prompt: { type: 'string' },
      max_age: { type: 'string', description: 'Seconds; an older sign-in must sign in again (OIDC Core §3.1.2.1).' },
    },
  },
  response: pageResponses,
} as const;

/** `POST /authorize` with a form body: the same parameters as the query of `GET` (OIDC Core §3.1.2.1). */
export const authorizePostSchema = {
  tags: ['authentication'],
  summary: 'Three-legged flow, as GET /authorize, with the parameters in a form body.',
  consumes: ['application/x-www-form-urlencoded'],
  body: authorizeSchema.querystring,
  response: pageResponses,
} as const;

const pageForm = form({
    csrf: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, decision: { type: 'string' },
    response_type: { type: 'string' }, client_id: { type: 'string' }, redirect_uri: { type: 'string' }, scope: { type: 'string' },
    state: { type: 'string' }, nonce: { type: 'string' }, code_challenge: { type: 'string' }, code_challenge_method: { type: 'string' },
    max_age: { type: 'string' }, prompt: { type: 'string' },
  });

export const signInSchema = {
  tags: ['authentication'],
  summary: 'The sign-in form of the authorize page (HTML; CSRF-protected).',
  consumes: ['application/x-www-form-urlencoded'],
  body: pageForm,
  response: pageResponses,
} as const;

export const consentSchema = {
  tags: ['authentication'],
  summary: 'The consent form of the authorize page (HTML; CSRF-protected); redirects with a code or error=access_denied.',
  consumes: ['application/x-www-form-urlencoded'],
  body: pageForm,
  response: pageResponses,
} as const;

export const logoutSchema = {
  tags: ['authentication'],
  summary: 'Ends the sign-in session.',
  querystring: { type: 'object', properties: { post_logout_redirect_uri: { type: 'string' }, client_id: { type: 'string' }, state: { type: 'string' } } },
} as const;

export const discoverySchema = {
  tags: ['authentication'],
  summary: 'OpenID Connect Discovery document.',
} as const;

export const userinfoSchema = {
  tags: ['authentication'],
  summary: 'The signed-in user of the access token (OIDC UserInfo).',
  response: {
    200: {
      type: 'object',
      properties: {
        sub: { type: 'string' }, name: { type: 'string' }, given_name: { type: 'string' }, family_name: { type: 'string' },
        email: { type: 'string' }, email_verified: { type: 'boolean' }, preferred_username: { type: 'string' },
      },
      required: ['sub'],
    },
    401: { anyOf: [gatewayErrorSchema, oauthError], description: 'No valid access token (WWW-Authenticate: Bearer error="invalid_token").' },
    403: { anyOf: [oauthError, gatewayErrorSchema], description: 'The token lacks the openid scope (WWW-Authenticate: Bearer error="insufficient_scope").' },
  },
} as const;
