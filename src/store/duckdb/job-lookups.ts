import type { Job } from '../contract/index.js';

type Indexed = Pick<Job, 'id' | 'ownerUserId' | 'idempotencyKey' | 'requestHash'>;

/**
 * The ids of the jobs of each owner by idempotency key and by request hash, kept in memory by the
 * DuckDB store. Every query submission looks a job up by one of them, and on DuckDB that was a
 * scan of the whole `jobs` table, growing with the 30 days of jobs kept (docs/measurements.md).
 * Only this process writes the file (DuckDB: one writer process), so ids loaded once and added on
 * every insert are every candidate there is; a candidate is then read by primary key and checked
 * against the row, so an entry whose job was deleted costs a read, never a wrong answer.
 */
export class JobLookups {
  readonly #ids = new Map<string, Set<string>>();
  readonly #keysOf = new Map<string, string[]>();

  constructor(jobs: Iterable<Indexed>) {
    for (const job of jobs) this.add(job);
  }

  add(job: Indexed): void {
    const keys = [requestKey(job.ownerUserId, job.requestHash)];
    if (job.idempotencyKey !== null) keys.push(idempotencyKey(job.ownerUserId, job.idempotencyKey));
    this.#keysOf.set(job.id, keys);
    for (const key of keys) {
      let ids = this.#ids.get(key);
      if (!ids) this.#ids.set(key, (ids = new Set()));
      ids.add(job.id);
    }
  }

  remove(id: string): void {
    for (const key of this.#keysOf.get(id) ?? []) {
      const ids = this.#ids.get(key);
      ids?.delete(id);
      if (ids?.size === 0) this.#ids.delete(key);
    }
    this.#keysOf.delete(id);
  }

  byRequest(ownerUserId: string, requestHash: string): readonly string[] {
    return [...(this.#ids.get(requestKey(ownerUserId, requestHash)) ?? [])];
  }

  byIdempotencyKey(ownerUserId: string, key: string): readonly string[] {
    return [...(this.#ids.get(idempotencyKey(ownerUserId, key)) ?? [])];
  }
}

const requestKey = (owner: string, hash: string) => `r\u0000${owner}\u0000${hash}`;
const idempotencyKey = (owner: string, key: string) => `k\u0000${owner}\u0000${key}`;

/** The newest of some jobs that passes a test (the lookups' rule when several match). */
export function newestJob(jobs: readonly (Job | undefined)[], test: (job: Job) => boolean): Job | undefined {
  let best: Job | undefined;
  for (const job of jobs) if (job && test(job) && (!best || job.createdAt > best.createdAt)) best = job;
  return best;
}
