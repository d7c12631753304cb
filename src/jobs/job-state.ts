import type { JobState } from '../store/index.js';

/**
 * The closed set of job states and the moves allowed between them. Every move is made by an
 * owner-fenced update in the store (`… where id = $1 and state = 'running' and worker_id = $2`).
 */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'canceled', 'expired'] as const satisfies readonly JobState[];

export const ALLOWED_MOVES = {
  queued: ['running', 'canceled'],
  // running → queued: a retry after a transient failure, or the sweeper after a worker died.
  running: ['succeeded', 'failed', 'canceled', 'queued'],
  succeeded: ['expired'],
  failed: [],
  canceled: [],
  expired: [],
} as const satisfies Record<JobState, readonly JobState[]>;

/** States a job never leaves. */
export function isFinal(state: JobState): boolean {
  return state === 'failed' || state === 'canceled' || state === 'expired';
}

/** States in which a client should keep polling. */
export function isPending(state: JobState): boolean {
  return state === 'queued' || state === 'running';
}

export function canMove(from: JobState, to: JobState): boolean {
  return (ALLOWED_MOVES[from] as readonly JobState[]).includes(to);
}

/** Error titles the service writes on jobs; the APIs show them (Insights `error.title`). */
export const JOB_ERROR_TITLES = {
  timeout: 'QUERY_TIMEOUT',
  canceled: 'CANCELED',
  workerLost: 'WORKER_LOST',
  failed: 'QUERY_FAILED',
} as const;
