import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { safeEqual, type AuthorizationParams, type OAuthProvider } from '../../../auth/index.js';
import { readCookies, setCookie } from './forms.js';
import { renderConsentPage, renderMessagePage, renderSignInPage } from './pages.js';
import { authorizeSchema, consentSchema, logoutSchema, signInSchema } from './schemas.js';

const SESSION_COOKIE = 'insights_session';
const CSRF_COOKIE = 'insights_csrf';
/** The authorization request's parameters, carried through the forms as hidden fields and checked again on each POST. */
const CARRIED = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method'] as const;

type Params = Readonly<Record<string, string | undefined>>;

function carried(params: Params): Record<string, string | undefined> {
  return Object.fromEntries(CARRIED.map((name) => [name, params[name]]));
}

function withQuery(base: string, params: Readonly<Record<string, string | undefined>>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * `GET /authorize`, the sign-in and consent forms, and `GET /logout`.
 *
 * CSRF: a random token in an HttpOnly, SameSite=Lax cookie is repeated in a hidden field of every
 * form, and a POST whose field and cookie differ is refused (double submit). SameSite=Lax already
 * keeps the cookies off cross-site POSTs; the token also covers browsers without SameSite. The
 * session cookie holds a random id whose sha-256 is the only thing stored.
 */
export function registerAuthorizeRoutes(app: FastifyInstance, options: {
  readonly provider: OAuthProvider; readonly secureCookies: boolean; readonly issuer: string;
  /** Clients that are part of this service (the console): consent is implied, never asked. */
  readonly firstPartyClientIds: ReadonlySet<string>;
  readonly limitRate: (request: FastifyRequest) => Promise<void>;
}): void {
  const { provider, secureCookies } = options;

  const html = (reply: FastifyReply, status: number, body: string) => reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    // No scripts at all; pages cannot be framed (clickjacking of the consent button).
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
    .header('referrer-policy', 'no-referrer')
    .send(body);

  const csrfFor = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = readCookies(request)[CSRF_COOKIE];
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString('base64url');
    setCookie(reply, CSRF_COOKIE, token, { secure: secureCookies, maxAgeSeconds: 3600 });
    return token;
  };

  const csrfValid = (request: FastifyRequest, form: Params): boolean => {
    const cookie = readCookies(request)[CSRF_COOKIE];
    return Boolean(cookie && form.csrf && safeEqual(cookie, form.csrf));
  };

  const redirect = (reply: FastifyReply, uri: string, params: Readonly<Record<string, string | undefined>>) =>
    reply.header('cache-control', 'no-store').redirect(withQuery(uri, { ...params, iss: options.issuer }), 303);

  /** Checks the request; answers with an error page or an error redirect when it is bad. */
  const check = async (params: Params, reply: FastifyReply) => {
    const result = await provider.checkAuthorization(params as AuthorizationParams);
    if (result.kind === 'page') {
      await html(reply, 400, renderMessagePage('This sign-in link is not valid', result.message));
      return undefined;
    }
    if (result.kind === 'redirect') {
      await redirect(reply, result.redirectUri, { error: result.error, error_description: result.description, state: result.state });
      return undefined;
    }
    return result;
  };

  app.get('/authorize', { schema: authorizeSchema }, async (request, reply) => {
    const params = request.query as Params;
    const checked = await check(params, reply);
    if (!checked) return reply;
    const user = params.prompt === 'login' ? undefined : await provider.sessionUser(readCookies(request)[SESSION_COOKIE]);
    // The service's own console is no third party: the user signed in to it, so nothing to consent to.
    const firstParty = options.firstPartyClientIds.has(checked.client.id) && params.prompt !== 'consent';
    if (user && firstParty) {
      const code = await provider.issueCode(checked.request, user.id, new Date());
      return redirect(reply, checked.request.redirectUri, { code, state: checked.request.state });
    }
    if (params.prompt === 'none') {
      // Other clients are always asked for consent, so a silent request cannot succeed.
      return redirect(reply, checked.request.redirectUri, { error: user ? 'consent_required' : 'login_required', state: checked.request.state });
    }
    const csrf = csrfFor(request, reply);
    if (!user) return html(reply, 200, renderSignInPage({ appName: checked.client.name, csrf, params: carried(params) }));
    return html(reply, 200, renderConsentPage({
      appName: checked.client.name, userEmail: user.email, scopes: checked.request.scopes, csrf, params: carried(params),
    }));
  });

  app.post('/sign-in', { schema: signInSchema, onRequest: options.limitRate }, async (request, reply) => {
    const form = (request.body ?? {}) as Params;
    const checked = await check(form, reply);
    if (!checked) return reply;
    if (!csrfValid(request, form)) {
      return html(reply, 403, renderMessagePage('Sign-in expired', 'The form was stale or did not come from this site. Go back to the application and start again.'));
    }
    const user = await provider.signIn(form.email ?? '', form.password ?? '');
    if (!user) {
      return html(reply, 401, renderSignInPage({
        appName: checked.client.name, csrf: form.csrf!, params: carried(form), email: form.email ?? '',
        error: 'The e-mail address or password is not correct.',
      }));
    }
    const sessionId = await provider.startSession(user.id);
    setCookie(reply, SESSION_COOKIE, sessionId, { secure: secureCookies, maxAgeSeconds: 8 * 3600 });
    // Post/redirect/get: back to /authorize, which now shows the consent page.
    return reply.header('cache-control', 'no-store').redirect(`/authentication/v2/authorize?${new URLSearchParams(
      Object.entries(carried(form)).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString()}`, 303);
  });

  app.post('/consent', { schema: consentSchema }, async (request, reply) => {
    const form = (request.body ?? {}) as Params;
    const checked = await check(form, reply);
    if (!checked) return reply;
    const user = await provider.sessionUser(readCookies(request)[SESSION_COOKIE]);
    if (!csrfValid(request, form) || !user) {
      return html(reply, 403, renderMessagePage('Consent expired', 'Your session ended or the form did not come from this site. Go back to the application and start again.'));
    }
    const { request: authorization } = checked;
    if (form.decision !== 'allow') {
      return redirect(reply, authorization.redirectUri, { error: 'access_denied', error_description: 'The user denied access.', state: authorization.state });
    }
    const code = await provider.issueCode(authorization, user.id, new Date());
    return redirect(reply, authorization.redirectUri, { code, state: authorization.state });
  });

  app.get('/logout', { schema: logoutSchema }, async (request, reply) => {
    const query = request.query as Params;
    await provider.endSession(readCookies(request)[SESSION_COOKIE]);
    setCookie(reply, SESSION_COOKIE, '', { secure: secureCookies, maxAgeSeconds: 0 });
    const target = query.post_logout_redirect_uri;
    // Only to an address registered for the named client: never an open redirector.
    if (target && (await provider.isRegisteredRedirect(query.client_id, target))) {
      return reply.redirect(withQuery(target, { state: query.state }), 303);
    }
    return html(reply, 200, renderMessagePage('Signed out', 'You are signed out of usage-insights.'));
  });
}
