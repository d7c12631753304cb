import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual, type AuthorizationParams, type OAuthProvider } from '../../../auth/index.js';
import { readCookies, setCookie } from './forms.js';
import { renderConsentPage, renderMessagePage, renderSignInPage } from './pages.js';
import { typedRoutes } from '../../type-provider.js';
import { authorizePostSchema, authorizeSchema, consentSchema, logoutSchema, signInSchema } from './schemas.js';

const SESSION_COOKIE = 'insights_session';
const CSRF_COOKIE = 'insights_csrf';
/** The authorization request's parameters, carried through the forms as hidden fields and checked again on each POST. */
const CARRIED = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'max_age', 'prompt'] as const;

/** What the pages read of a request's parameters (the authorize query or a page's form), typed by their schemas. */
type Params = { readonly [K in (typeof CARRIED)[number] | 'csrf']?: string };

function carried(params: Params): Record<string, string | undefined> {
  return Object.fromEntries(CARRIED.map((name) => [name, params[name]]));
}

function withQuery(base: string, params: Readonly<Record<string, string | undefined>>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * The consent form's CSRF token: an HMAC keyed with the sign-in session's id, so only a page
 * rendered for that session can post its consent (issue 19 item 8). A cookie and a field that an
 * attacker set to one value no longer pass: the token must match the live session's id, which the
 * attacker cannot read (HttpOnly) and the store keeps only as a hash. No server-wide key is needed,
 * so every process of a PostgreSQL deployment checks the same token.
 */
function consentCsrf(sessionId: string): string {
  return createHmac('sha256', sessionId).update('usage-insights consent form').digest('base64url');
}

/** `max_age` (OIDC Core §3.1.2.1) in seconds; undefined when absent or not a whole number. */
function maxAgeOf(params: Params): number | undefined {
  const text = params.max_age;
  return text !== undefined && /^\d{1,10}$/.test(text) ? Number(text) : undefined;
}

/**
 * `GET` and `POST /authorize`, the sign-in and consent forms, and `GET /logout`.
 *
 * CSRF: the sign-in form (no session yet) carries a random token that is also in an HttpOnly,
 * SameSite=Lax cookie, and a POST whose field and cookie differ is refused (double submit). The
 * consent form's token is bound to the sign-in session (consentCsrf). SameSite=Lax already keeps
 * the cookies off cross-site POSTs; the tokens also cover browsers without SameSite. The session
 * cookie holds a random id whose sha-256 is the only thing stored.
 *
 * Consent is remembered per user and client, for the scopes allowed (issue 18): a later request
 * for no more than those scopes, `prompt=none` included, gets its code without the page.
 */
export function registerAuthorizeRoutes(untyped: FastifyInstance, options: {
  readonly provider: OAuthProvider; readonly secureCookies: boolean; readonly issuer: string;
  /** Clients that are part of this service (the console): consent is implied, never asked. */
  readonly firstPartyClientIds: ReadonlySet<string>;
  readonly limitRate: (request: FastifyRequest) => Promise<void>;
}): void {
  const { provider, secureCookies } = options;
  // Query and form types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);

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

  const consentCsrfValid = (sessionId: string | undefined, form: Params): boolean =>
    Boolean(sessionId && form.csrf && safeEqual(consentCsrf(sessionId), form.csrf));

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

  const authorize = async (request: FastifyRequest, reply: FastifyReply, params: Params) => {
    const checked = await check(params, reply);
    if (!checked) return reply;
    const sessionId = readCookies(request)[SESSION_COOKIE];
    // OIDC Core §3.1.2.1: prompt is a space-separated list (none, login, consent).
    const prompt = new Set((params.prompt ?? '').split(' ').filter(Boolean));
    let session = prompt.has('login') ? undefined : await provider.session(sessionId);
    // max_age: a sign-in older than that many seconds counts as none, so the user signs in again.
    const maxAge = maxAgeOf(params);
    if (session && maxAge !== undefined && Date.now() - session.signedInAt.getTime() > maxAge * 1000) session = undefined;
    const respondWithCode = async (userId: string, signedInAt: Date) => {
      const code = await provider.issueCode(checked.request, userId, signedInAt);
      return redirect(reply, checked.request.redirectUri, { code, state: checked.request.state });
    };
    if (session && !prompt.has('consent')) {
      // The service's own console is no third party: the user signed in to it, so nothing to consent to.
      if (options.firstPartyClientIds.has(checked.client.id)) return respondWithCode(session.user.id, session.signedInAt);
      if (await provider.hasConsent(session.user.id, checked.client.id, checked.request.scopes)) {
        return respondWithCode(session.user.id, session.signedInAt);
      }
    }
    if (prompt.has('none')) {
      return redirect(reply, checked.request.redirectUri, { error: session ? 'consent_required' : 'login_required', state: checked.request.state });
    }
    if (!session) {
      const csrf = csrfFor(request, reply);
      return html(reply, 200, renderSignInPage({ appName: checked.client.name, csrf, params: carried(params) }));
    }
    return html(reply, 200, renderConsentPage({
      appName: checked.client.name, userEmail: session.user.email, scopes: checked.request.scopes,
      csrf: consentCsrf(sessionId!), params: carried(params),
    }));
  };

  app.get('/authorize', { schema: authorizeSchema }, (request, reply) => authorize(request, reply, request.query));
  // OIDC Core §3.1.2.1: the authorization endpoint takes POST with a form body as well as GET.
  app.post('/authorize', { schema: authorizePostSchema }, (request, reply) => authorize(request, reply, request.body ?? {}));

  app.post('/sign-in', { schema: signInSchema, onRequest: options.limitRate }, async (request, reply) => {
    const form = request.body ?? {};
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
    // Post/redirect/get: back to /authorize, which now shows the consent page. Without max_age and
    // prompt=login: this sign-in is the fresh one they asked for (else it would be asked again).
    const prompt = (form.prompt ?? '').split(' ').filter((value) => value && value !== 'login').join(' ');
    const back = Object.entries({ ...carried(form), prompt: prompt || undefined }).filter(([name]) => name !== 'max_age').filter((entry): entry is [string, string] => entry[1] !== undefined);
    return reply.header('cache-control', 'no-store').redirect(`/authentication/v2/authorize?${new URLSearchParams(back).toString()}`, 303);
  });

  app.post('/consent', { schema: consentSchema }, async (request, reply) => {
    const form = request.body ?? {};
    const checked = await check(form, reply);
    if (!checked) return reply;
    const sessionId = readCookies(request)[SESSION_COOKIE];
    const session = await provider.session(sessionId);
    if (!session || !consentCsrfValid(sessionId, form)) {
      return html(reply, 403, renderMessagePage('Consent expired', 'Your session ended or the form did not come from this site. Go back to the application and start again.'));
    }
    const { request: authorization } = checked;
    if (form.decision !== 'allow') {
      return redirect(reply, authorization.redirectUri, { error: 'access_denied', error_description: 'The user denied access.', state: authorization.state });
    }
    await provider.rememberConsent(session.user.id, checked.client.id, authorization.scopes);
    const code = await provider.issueCode(authorization, session.user.id, session.signedInAt);
    return redirect(reply, authorization.redirectUri, { code, state: authorization.state });
  });

  app.get('/logout', { schema: logoutSchema }, async (request, reply) => {
    const query = request.query;
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
