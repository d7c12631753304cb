import type { JobState } from '../store/index.js';

// The states and their allowed moves belong to the store, whose fenced updates enforce them.
export { ALLOWED_MOVES, canMove, JOB_STATES } from '../store/index.js';

/** States a job leaves only by an administrator's retry (failed) or never. */
export function isFinal(state: JobState): boolean {
  return state === 'failed' || state === 'canceled' || state === 'expired';
}

/** States in which a client should keep polling. */
export function isPending(state: JobState): boolean {
  return state === 'queued' || state === 'running';
}

/** Error titles the service writes on jobs; the APIs show them (Insights `error.title`). */
export const JOB_ERROR_TITLES = {
  timeout: 'QUERY_TIMEOUT',
  canceled: 'CANCELED',
  workerLost: 'WORKER_LOST',
  failed: 'QUERY_FAILED',
} as const;
