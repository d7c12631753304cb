export { ALLOWED_MOVES, canMove, isFinal, isPending, JOB_ERROR_TITLES, JOB_STATES } from './job-state.js';
export { JobRunner } from './runner.js';
export type { JobHandler, JobRunObserver, JobRunOutcome, RunnerOptions, WorkerReservation } from './runner.js';
export { buildResultQuery, UsageQueryService } from './usage-queries.js';
export type { UsageQueryRequest, UsageQueryServiceOptions } from './usage-queries.js';
