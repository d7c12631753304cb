/** The worker no longer owns the job (it was swept, canceled or claimed by another worker). */
export class JobLeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} is no longer owned by this worker`);
    this.name = 'JobLeaseLostError';
  }
}

/** A running statement was interrupted through its AbortSignal. */
export class QueryInterruptedError extends Error {
  constructor(readonly reason: unknown) {
    super('the database query was interrupted');
    this.name = 'QueryInterruptedError';
  }
}


/**
 * Whether an error is two writers meeting on the same rows: a DuckDB write-write conflict
 * ("Conflict on update", or a duplicate key written by a concurrent transaction), or a PostgreSQL
 * serialization failure, deadlock or unique violation. The OAuth provider answers these as the
 * protocol says (the loser's grant is invalid), never as a 500 (issue 19).
 */
export function isWriteConflict(error: unknown): boolean {
  if (error instanceof DuplicateKeyError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '40001' || code === '40P01' || code === '23505') return true;
  return /conflict|duplicate key/i.test(String((error as Error | null)?.message ?? ''));
}


/** A row with this key (or e-mail address) exists already. */
export class DuplicateKeyError extends Error {
  constructor(readonly entity: string, options?: { cause?: unknown }) {
    super(`a ${entity} with this key exists already`, options);
    this.name = 'DuplicateKeyError';
  }
}
