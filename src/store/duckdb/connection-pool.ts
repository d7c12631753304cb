import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

/**
 * A few connections to one DuckDB instance. A DuckDB connection runs one statement at a time, so
 * each caller borrows its own; connections are cheap, the pool only avoids re-creating them for
 * every request.
 */
export class ConnectionPool {
  readonly #instance: DuckDBInstance;
  readonly #idle: DuckDBConnection[] = [];
  readonly #maxIdle: number;
  #closed = false;
  #inUse = 0;

  constructor(instance: DuckDBInstance, maxIdle = 8) {
    this.#instance = instance;
    this.#maxIdle = maxIdle;
  }

  async use<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('the store is closed');
    this.#inUse++;
    let connection: DuckDBConnection;
    try {
      connection = this.#idle.pop() ?? (await this.#instance.connect());
    } catch (error) {
      this.#inUse--;
      throw error;
    }
    let healthy = true;
    try {
      return await fn(connection);
    } catch (error) {
      // A connection left inside a failed transaction would poison the next borrower.
      healthy = false;
      throw error;
    } finally {
      this.#inUse--;
      if (healthy && !this.#closed && this.#idle.length < this.#maxIdle) this.#idle.push(connection);
      else connection.closeSync();
    }
  }

  /** Connections borrowed and idle; nobody waits (a borrower without an idle one opens another). */
  stats(): { readonly inUse: number; readonly idle: number; readonly waiting: number } {
    return { inUse: this.#inUse, idle: this.#idle.length, waiting: 0 };
  }

  close(): void {
    this.#closed = true;
    for (const connection of this.#idle.splice(0)) connection.closeSync();
  }
}
