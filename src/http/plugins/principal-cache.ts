/**
 * A small time-bounded memo. Authentication reads the caller's user row and tenancy on every
 * request; with DuckDB each read costs a round trip of a millisecond or two, which dominated the
 * latency of status polls. Entries live `ttlMs` (5 s by default), so a disabled user or a removed
 * team administrator loses access within that time — the trade-off, stated in the README.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { readonly value: Promise<V>; readonly expires: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.#entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    const value = load();
    this.#entries.set(key, { value, expires: now + this.#ttlMs });
    // A failed load must not be remembered.
    value.catch(() => this.#entries.delete(key));
    return value;
  }

  /** Forgets every entry: the next read of each key loads it again. */
  clear(): void {
    this.#entries.clear();
  }
}
