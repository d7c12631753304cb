/**
 * Sign-in with the service's own OAuth provider, as a public client: authorization code + PKCE
 * (RFC 7636). Tokens live in memory only; the refresh token rotates on every use. A reload has no
 * tokens, so it signs in again silently (`prompt=none`) while the provider's sign-in session lives:
 * the console is first-party and is never shown a consent page. Only the PKCE verifier, the state
 * and the page to return to wait in sessionStorage during the redirect.
 */

export const CLIENT_ID = 'insights-console';
const SCOPE = 'data:read data:write openid user-profile:read';
const PENDING = 'insights-console.pending';
const SIGNED_OUT = 'insights-console.signed-out';
const CALLBACK_PATH = '/console/callback';

export interface User {
  readonly sub: string;
  readonly name: string;
  readonly email: string;
}

interface Tokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
}

interface Pending {
  readonly state: string;
  readonly verifier: string;
  readonly returnTo: string;
  readonly silent: boolean;
}

let tokens: Tokens | undefined;
let refreshing: Promise<Tokens> | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

export const redirectUri = (): string => `${location.origin}${CALLBACK_PATH}`;

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function challengeOf(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
}

/** Leaves for the provider's authorize page; `silent` asks it not to show any page (prompt=none). */
export async function redirectToSignIn(silent: boolean, returnTo = location.pathname + location.search): Promise<never> {
  const pending: Pending = { state: randomString(16), verifier: randomString(48), returnTo, silent };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  if (!silent) sessionStorage.removeItem(SIGNED_OUT);
  const query = new URLSearchParams({
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: redirectUri(), scope: SCOPE, state: pending.state,
    code_challenge: await challengeOf(pending.verifier), code_challenge_method: 'S256',
    ...(silent ? { prompt: 'none' } : {}),
  });
  location.assign(`/authentication/v2/authorize?${query.toString()}`);
  return new Promise<never>(() => undefined);
}

async function tokenRequest(form: Record<string, string>): Promise<Tokens> {
  const response = await fetch('/authentication/v2/token', {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, ...form }).toString(),
  });
  const body = await response.json().catch(() => ({})) as { access_token?: string; refresh_token?: string; expires_in?: number; error_description?: string };
  if (!response.ok || !body.access_token || !body.refresh_token) {
    throw new Error(body.error_description ?? `The sign-in service answered ${response.status}.`);
  }
  const next = { accessToken: body.access_token, refreshToken: body.refresh_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
  tokens = next;
  scheduleRefresh(next);
  return next;
}

function scheduleRefresh(current: Tokens): void {
  if (refreshTimer) clearTimeout(refreshTimer);
  // A minute before the access token expires; the browser may run it late, `accessToken` checks too.
  refreshTimer = setTimeout(() => void refresh().catch(() => undefined), Math.max(5_000, current.expiresAt - Date.now() - 60_000));
}

/** Trades the refresh token for a new pair (one at a time: a rotated token is spent). */
export function refresh(): Promise<Tokens> {
  if (!tokens) return Promise.reject(new Error('Not signed in.'));
  const spent = tokens.refreshToken;
  refreshing ??= tokenRequest({ grant_type: 'refresh_token', refresh_token: spent })
    .catch(async (error: unknown) => {
      // The grant ended (revoked, expired, user disabled): start over, silently while the session lives.
      tokens = undefined;
      await redirectToSignIn(true);
      throw error;
    })
    .finally(() => { refreshing = undefined; });
  return refreshing;
}

/** A valid access token, refreshed first when it is about to expire. */
export async function accessToken(): Promise<string> {
  if (refreshing) return (await refreshing).accessToken;
  if (!tokens) throw new Error('Not signed in.');
  if (tokens.expiresAt - Date.now() < 30_000) return (await refresh()).accessToken;
  return tokens.accessToken;
}

export type StartOutcome =
  | { readonly kind: 'signed-in'; readonly user: User }
  | { readonly kind: 'signed-out' }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'redirecting' };

/** Runs at page load: completes a sign-in that comes back, or starts one. */
export async function startSession(): Promise<StartOutcome> {
  const url = new URL(location.href);
  if (url.pathname === CALLBACK_PATH) {
    const params = url.searchParams;
    if (params.get('state') === 'signed-out') return { kind: 'signed-out' };
    const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as Pending | null;
    sessionStorage.removeItem(PENDING);
    if (!pending || params.get('state') !== pending.state) {
      // A stale or forged answer: start again rather than trust it.
      return redirectToSignIn(true, '/console/');
    }
    const error = params.get('error');
    if (error === 'login_required' && pending.silent) return redirectToSignIn(false, pending.returnTo);
    if (error) return { kind: 'error', message: params.get('error_description') ?? error };
    try {
      await tokenRequest({ grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: redirectUri(), code_verifier: pending.verifier });
    } catch (failure) {
      return { kind: 'error', message: (failure as Error).message };
    }
    history.replaceState(null, '', pending.returnTo.startsWith('/console/') ? pending.returnTo : '/console/');
    return { kind: 'signed-in', user: await userInfo() };
  }
  if (sessionStorage.getItem(SIGNED_OUT)) return { kind: 'signed-out' };
  return redirectToSignIn(true);
}

async function userInfo(): Promise<User> {
  const response = await fetch('/userinfo', { headers: { authorization: `Bearer ${await accessToken()}` } });
  const body = await response.json() as Partial<User>;
  return { sub: body.sub ?? '', name: body.name ?? body.email ?? '', email: body.email ?? '' };
}

/** Ends the grant (refresh and access tokens) and the provider's sign-in session. */
export async function signOut(): Promise<void> {
  const current = tokens;
  tokens = undefined;
  if (refreshTimer) clearTimeout(refreshTimer);
  sessionStorage.setItem(SIGNED_OUT, '1');
  if (current) {
    await fetch('/authentication/v2/revoke', {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, token: current.refreshToken, token_type_hint: 'refresh_token' }).toString(),
    }).catch(() => undefined);
  }
  const query = new URLSearchParams({ client_id: CLIENT_ID, post_logout_redirect_uri: redirectUri(), state: 'signed-out' });
  location.assign(`/authentication/v2/logout?${query.toString()}`);
}
