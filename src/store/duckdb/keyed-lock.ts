/**
 * Queues of work by key, in memory: work under one key runs one at a time, in arrival order;
 * different keys do not wait for each other. DuckDB has one writer process (this one), so a queue
 * here orders every write of the keyed rows.
 */
export class KeyedLock {
  /** The tail of each key's queue. */
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = previous.then(() => new Promise<void>((resolve) => { release = resolve; }));
    this.#tails.set(key, mine);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === mine) this.#tails.delete(key);
    }
  }

  /** Runs `fn` holding every key of `keys` (taken in sorted order, so two callers cannot deadlock). */
  runAll<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const take = (i: number): Promise<T> => (i === sorted.length ? fn() : this.run(sorted[i]!, () => take(i + 1)));
    return take(0);
  }
}
