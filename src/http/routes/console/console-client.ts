import type { OAuthClient, Store } from '../../../store/index.js';

/** The console's OAuth client id: fixed, so every process of a deployment registers the same one. */
export const CONSOLE_CLIENT_ID = 'insights-console';

/** What the console asks for: the APIs' read and write scopes, and who the user is. */
const CONSOLE_SCOPES = ['data:read', 'data:write', 'openid', 'user-profile:read'] as const;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The console's redirect URIs: `/console/callback` under the public base URL. When that URL is a
 * loopback address, its aliases too (`localhost`, `127.0.0.1`, `[::1]` on the same port): a browser
 * opened at `http://127.0.0.1:8080/` must be able to sign in although PUBLIC_URL says `localhost`,
 * and the redirect must come back to the origin that holds the PKCE verifier.
 */
export function consoleRedirectUris(publicUrl: string): string[] {
  const base = new URL(publicUrl);
  const path = `${base.pathname.replace(/\/+$/, '')}/console/callback`;
  const hosts = LOOPBACK.has(base.hostname) ? [base.hostname, ...[...LOOPBACK].filter((h) => h !== base.hostname)] : [base.hostname];
  return hosts.map((host) => `${base.protocol}//${host}${base.port ? `:${base.port}` : ''}${path}`);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/**
 * Registers the console as a public OAuth client (PKCE, no secret), or brings its redirect URIs in
 * line with the public URL. Idempotent, and safe when several processes start at once on one
 * PostgreSQL database: the loser of a create race finds the winner's row.
 */
export async function registerConsoleClient(store: Store, publicUrl: string, now = new Date()): Promise<'created' | 'updated' | 'current'> {
  const redirectUris = consoleRedirectUris(publicUrl);
  let existing = await store.findOAuthClient(CONSOLE_CLIENT_ID);
  if (!existing) {
    const client: OAuthClient = {
      id: CONSOLE_CLIENT_ID, name: 'usage-insights console', secretHash: null, redirectUris, isPublic: true, boundUserId: null,
      scopes: [...CONSOLE_SCOPES], createdAt: now.toISOString(),
    };
    try {
      await store.createOAuthClient(client);
      return 'created';
    } catch (error) {
      // The store reports a duplicate id as the driver's own error: whoever wrote it first won.
      existing = await store.findOAuthClient(CONSOLE_CLIENT_ID);
      if (!existing) throw error;
    }
  }
  if (sameList(existing.redirectUris, redirectUris)) return 'current';
  await store.updateOAuthClient(CONSOLE_CLIENT_ID, { redirectUris });
  return 'updated';
}
