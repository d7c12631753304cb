/**
 * The browser's part of an OAuth sign-in in the e2e tests: a tiny cookie jar that fetches pages and
 * posts forms without following redirects, and reads a form page's hidden fields.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Keeps the cookies `response` sets; returns the response. */
  take(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.#cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return response;
  }

  /** The Cookie header of the next request. */
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** GET `url` with the cookies kept so far, not following a redirect; keeps what it sets. */
  async get(url: string | URL): Promise<Response> {
    return this.take(await fetch(url, { redirect: 'manual', headers: { cookie: this.header() } }));
  }

  /** POST `fields` as a form to `url` with the cookies kept so far, not following a redirect; keeps what it sets. */
  async submit(url: string | URL, fields: Record<string, string>): Promise<Response> {
    return this.take(await fetch(url, {
      method: 'POST', redirect: 'manual', body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.header() },
    }));
  }
}

/** The hidden fields of a form page (the CSRF token, the authorization request's parameters), unescaped. */
export function hiddenFields(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)]
    .map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')]));
}
