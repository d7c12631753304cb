import type { JobState } from './contract/index.js';

/** The closed set of job states. */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled', 'expired'] as const satisfies readonly JobState[];

/**
 * The moves allowed between job states. Every update that changes `jobs.state` is fenced by
 * a move this table allows (`fence` in sql/jobs.ts checks it when the module loads), so a move not listed here matches no row.
 */
export const ALLOWED_MOVES = {
  queued: ['running', 'canceled'],
  // running → queued: a retry after a transient failure, or the sweeper after a worker died.
  running: ['succeeded', 'failed', 'canceled', 'queued'],
  succeeded: ['expired'],
  // failed → queued: an administrator's retry (retryFailedJob), with the attempts reset.
  failed: ['queued'],
  canceled: [],
  expired: [],
} as const satisfies Record<JobState, readonly JobState[]>;

export function canMove(from: JobState, to: JobState): boolean {
  return (ALLOWED_MOVES[from] as readonly JobState[]).includes(to);
}

/** The states in which a job is waiting for or holding a worker. */
export const PENDING_STATES = ['queued', 'running'] as const satisfies readonly JobState[];
