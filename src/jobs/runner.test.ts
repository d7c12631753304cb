import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import { jobOfNew, JobLeaseLostError, openDuckDbStore, type Job, type JobKind, type NewJob, type Store } from '../store/index.js';
import { JOB_ERROR_TITLES } from './job-state.js';
import { JobRunner, type JobHandler, type JobRunOutcome, type RunnerOptions, type WorkerReservation } from './runner.js';

// The worker pool over a real (in-memory DuckDB) store, without HTTP: what a run ends in, as the
// job's row and the observer see it.

// Each test has a store of its own (an in-memory DuckDB takes milliseconds): no job of one test is
// left for the next one's workers.
let store: Store;
beforeEach(async () => {
  store = await openDuckDbStore({ dataDir: ':memory:' });
  await store.migrate();
});

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: randomUUID(), kind: 'export', api: 'tokenflex', ownerUserId: 'U1', tenantKey: 'C1', request: {}, requestHash: '', maxAttempts: 3, ...overrides,
  };
}

/** A handler that completes the export job it was given (the success path writes the row itself). */
const completes: JobHandler = async (job, { workerId }) => {
  await store.completeExportJob(job.id, workerId, [], 60_000);
};

/** A handler that waits until its signal aborts, then throws as a statement interrupted would. */
const waitsForAbort: JobHandler = (_job, { signal }) => new Promise((_resolve, reject) => {
  if (signal.aborted) reject(new Error('interrupted'));
  signal.addEventListener('abort', () => reject(new Error('interrupted')), { once: true });
});

interface Harness {
  readonly runner: JobRunner;
  readonly outcomes: { readonly kind: JobKind; readonly outcome: JobRunOutcome }[];
  readonly started: (number | undefined)[];
}

/** A runner with fast timers, stopped when the test ends. */
async function startRunner(
  t: { after: (fn: () => Promise<void>) => void }, handler: JobHandler, options: Partial<RunnerOptions> = {},
): Promise<Harness> {
  const outcomes: Harness['outcomes'] = [];
  const started: Harness['started'] = [];
  const runner = new JobRunner({
    // Heartbeats only where a test wants them (they are tested below, racing every kind of final write).
    store, handlers: { export: handler }, concurrency: 2, executionCapMs: 60_000, heartbeatMs: 60_000, pollMs: 50,
    observer: { jobStarted: (_kind, wait) => started.push(wait), jobEnded: (kind, outcome) => outcomes.push({ kind, outcome }) },
    ...options,
  });
  const own = store;
  t.after(async () => {
    await runner.stop();
    await own.close();
  });
  await runner.start();
  return { runner, outcomes, started };
}

/** Reserves an idle worker, waiting for one to go idle (the workers start asynchronously). */
async function reserve(runner: JobRunner): Promise<WorkerReservation> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reservation = runner.reserveWorker();
    if (reservation) return reservation;
    if (Date.now() > deadline) assert.fail('no worker went idle in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function until(id: string, test: (job: Job) => boolean, ms = 10_000): Promise<Job> {
  const deadline = Date.now() + ms;
  for (;;) {
    const job = await store.getJob(id);
    if (job && test(job)) return job;
    if (Date.now() > deadline) assert.fail(`job ${id} did not get there in ${ms} ms: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('JobRunner', () => {
  test('runs a queued job woken by its id, once, and the observer sees it start and succeed', async (t) => {
    let runs = 0;
    const { runner, outcomes, started } = await startRunner(t, async (job, context) => {
      runs++;
      await completes(job, context);
    });
    const job = await store.createJob(newJob());
    runner.wake(job.id);
    const done = await until(job.id, (j) => j.state === 'succeeded');
    assert.equal(done.attempts, 1);
    await runner.waitForSettled(job.id, 1_000);
    assert.equal(runs, 1);
    assert.deepEqual(outcomes, [{ kind: 'export', outcome: 'succeeded' }]);
    assert.equal(started.length, 1);
    assert.ok(started[0] !== undefined && started[0] >= 0, 'a first attempt reports its queue wait');
  });

  test('finds a job queued by someone else at its next poll, without a wake', async (t) => {
    await startRunner(t, completes);
    const job = await store.createJob(newJob());
    await until(job.id, (j) => j.state === 'succeeded');
  });

  test('a handler that throws fails the job with QUERY_FAILED and no retry', async (t) => {
    const { runner, outcomes } = await startRunner(t, async () => {
      throw new Error('disk full');
    });
    const job = await store.createJob(newJob());
    runner.wake(job.id);
    const failed = await until(job.id, (j) => j.state === 'failed');
    assert.equal(failed.errorTitle, JOB_ERROR_TITLES.failed);
    assert.match(failed.errorDetail ?? '', /export could not be written/);
    await runner.waitForSettled(job.id, 1_000);
    assert.deepEqual(outcomes.map((o) => o.outcome), ['failed']);
  });

  test('a run longer than its execution cap is stopped and fails QUERY_TIMEOUT, even with heartbeats racing the failure', async (t) => {
    // Beats every 2 ms: the runner stops them before it writes the failure (on DuckDB they would conflict).
    const { runner } = await startRunner(t, waitsForAbort, { executionCapMs: 100, heartbeatMs: 2 });
    const job = await store.createJob(newJob());
    runner.wake(job.id);
    const failed = await until(job.id, (j) => j.state === 'failed');
    assert.equal(failed.errorTitle, JOB_ERROR_TITLES.timeout);
    assert.match(failed.errorDetail ?? '', /execution cap of 0 s/);
  });

  test('cancel: a running job whose cancel was requested is stopped at its next heartbeat and ends canceled', async (t) => {
    let running!: () => void;
    const isRunning = new Promise<void>((resolve) => { running = resolve; });
    const { runner, outcomes } = await startRunner(t, (job, context) => {
      running();
      return waitsForAbort(job, context);
    }, { heartbeatMs: 20 });
    const job = await store.createJob(newJob());
    runner.wake(job.id);
    await isRunning;
    const flagged = await store.requestCancel(job.id);
    assert.equal(flagged?.state, 'running', 'a running job is flagged, its worker stops it');
    const canceled = await until(job.id, (j) => j.state === 'canceled');
    assert.equal(canceled.finishedAt !== null, true);
    await runner.waitForSettled(job.id, 1_000);
    assert.deepEqual(outcomes.map((o) => o.outcome), ['canceled']);
  });

  test('cancel: abort() stops a job running in this process at once; false for one that is not', async (t) => {
    let running!: () => void;
    const isRunning = new Promise<void>((resolve) => { running = resolve; });
    const { runner } = await startRunner(t, (job, context) => {
      running();
      return waitsForAbort(job, context);
    });
    const job = await store.createJob(newJob());
    runner.wake(job.id);
    await isRunning;
    assert.equal(runner.abort('no-such-job'), false);
    assert.equal(runner.abort(job.id), true);
    await until(job.id, (j) => j.state === 'canceled');
  });

  test('a queued job canceled before any worker claims it is never run', async (t) => {
    let runs = 0;
    const job = await store.createJob(newJob());
    assert.equal((await store.requestCancel(job.id))?.state, 'canceled');
    const { runner } = await startRunner(t, async (j, context) => {
      runs++;
      await completes(j, context);
    });
    runner.wake(job.id);
    runner.wake();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(runs, 0);
    assert.equal((await store.getJob(job.id))?.state, 'canceled');
  });

  test('requeue: stopping the runner puts a running job back in the queue (WORKER_LOST), and another runner finishes it', async (t) => {
    let running!: () => void;
    const isRunning = new Promise<void>((resolve) => { running = resolve; });
    const first = await startRunner(t, (job, context) => {
      running();
      return waitsForAbort(job, context);
    });
    const job = await store.createJob(newJob());
    first.runner.wake(job.id);
    await isRunning;
    await first.runner.stop();
    const requeued = await store.getJob(job.id);
    assert.equal(requeued?.state, 'queued');
    assert.equal(requeued?.errorTitle, JOB_ERROR_TITLES.workerLost);
    assert.equal(requeued?.attempts, 1);
    assert.deepEqual(first.outcomes.map((o) => o.outcome), ['requeued']);

    // The retry waits out its backoff (run_at); a runner started later sweeps nothing and claims it then.
    const second = await startRunner(t, completes);
    const done = await until(job.id, (j) => j.state === 'succeeded', 15_000);
    assert.equal(done.attempts, 2);
    assert.equal(second.started[0], undefined, 'a retry reports no queue wait');
  });

  test('fair between users: with both workers on alice\'s burst, bob\'s later query runs before the rest of hers', async (t) => {
    const releases = new Map<string, () => void>();
    const order: string[] = [];
    const { runner } = await startRunner(t, async (job, context) => {
      order.push(job.id);
      await new Promise<void>((resolve) => releases.set(job.id, resolve));
      await completes(job, context);
    });
    const submit = async (owner: string, id: string) => {
      await store.createJob(newJob({ id, ownerUserId: owner }));
      runner.wake(id);
    };
    await submit('alice', 'alice-0');
    await submit('alice', 'alice-1');
    await until('alice-1', (j) => j.state === 'running');
    for (const id of ['alice-2', 'alice-3', 'alice-4']) await submit('alice', id);
    await submit('bob', 'bob-0');
    try {
      releases.get('alice-0')!();
      await until('bob-0', (j) => j.state !== 'queued');
      // alice-0 and alice-1 start on the two workers at once, in either order.
      assert.deepEqual([...order.slice(0, 2)].sort(), ['alice-0', 'alice-1']);
      assert.equal(order[2], 'bob-0');
    } finally {
      for (const id of ['alice-0', 'alice-1', 'alice-2', 'alice-3', 'alice-4', 'bob-0']) {
        await until(id, (j) => j.state !== 'queued');
        releases.get(id)?.();
      }
    }
  });

  test('heartbeats every millisecond never break a success write: 60 query and export jobs all succeed', async (t) => {
    // On DuckDB a beat that committed while the handler marked its job succeeded undid that write
    // without an error on either side: the job stayed running (71 of 120 before the fix, measured).
    const query = { sql: 'select range as n from range(40)', parameters: [], columns: ['n'], order: [] };
    const handler: JobHandler = async (job, { workerId, signal }) => {
      await new Promise((resolve) => setTimeout(resolve, 1 + (job.id.charCodeAt(0) % 4)));
      if (job.kind === 'usage-query') await store.completeQueryJob(job.id, workerId, query, 60_000, signal);
      else await store.completeExportJob(job.id, workerId, [], 60_000);
    };
    const { runner, outcomes } = await startRunner(t, handler, { heartbeatMs: 1, handlers: { export: handler, 'usage-query': handler } });
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const job = await store.createJob(newJob({ kind: i % 2 === 0 ? 'usage-query' : 'export', api: 'insights' }));
      ids.push(job.id);
      runner.wake(job.id);
    }
    for (const id of ids) {
      const done = await until(id, (j) => j.state !== 'queued' && j.state !== 'running', 30_000);
      assert.equal(done.state, 'succeeded', `job ${id}: ${done.state} ${done.errorTitle ?? ''} ${done.errorDetail ?? ''}`);
    }
    assert.deepEqual(new Set(outcomes.map((o) => o.outcome)), new Set(['succeeded']));
    assert.equal(outcomes.length, 60);
    const first = await store.readResultPage(ids[0]!, 0, 100);
    assert.equal(first.length, 40);
  });

  test('a query whose run spans several heartbeats ends succeeded with its rows', async (t) => {
    // The production case of the test above (heartbeats every 5 s, a query running longer): the
    // success was lost on DuckDB and the sweep ran the query again, until its attempts were spent.
    const query = { sql: 'select count(*) as n from range(40000000) t(x) where x % 7 = 3', parameters: [], columns: ['n'], order: [] };
    let runMs = 0;
    const handler: JobHandler = async (job, { workerId, signal }) => {
      const started = performance.now();
      await store.completeQueryJob(job.id, workerId, query, 60_000, signal);
      runMs = performance.now() - started;
    };
    const { runner, outcomes } = await startRunner(t, handler, { heartbeatMs: 10, handlers: { 'usage-query': handler } });
    const job = await store.createJob(newJob({ kind: 'usage-query', api: 'insights' }));
    runner.wake(job.id);
    const done = await until(job.id, (j) => j.state !== 'queued' && j.state !== 'running', 30_000);
    assert.equal(done.state, 'succeeded');
    assert.equal(done.attempts, 1);
    assert.deepEqual(await store.readResultPage(job.id, 0, 10), [[5714286]]);
    assert.deepEqual(outcomes.map((o) => o.outcome), ['succeeded']);
    assert.ok(runMs > 50, `the query ran ${runMs.toFixed(0)} ms, over several heartbeats of 10 ms`);
  });

  test('a handler that lost its lease writes nothing: the job stays as the new owner left it', async (t) => {
    const { runner, outcomes } = await startRunner(t, async (job) => {
      throw new JobLeaseLostError(job.id);
    });
    const job = await store.createJob(newJob());
    runner.wake(job.id);
    await runner.waitForSettled(job.id, 5_000);
    const after = await store.getJob(job.id);
    assert.equal(after?.state, 'running');
    assert.equal(after?.errorTitle, null);
    assert.deepEqual(outcomes.map((o) => o.outcome), ['lost']);
  });

  test('start({ recoverAll }) returns every running job to the queue (a crashed single process left them)', async (t) => {
    t.after(() => store.close());
    const job = await store.createJob(newJob({ claimedBy: 'worker-dead-0' }));
    assert.equal(job.state, 'running');
    const runner = new JobRunner({ store, handlers: { export: waitsForAbort }, concurrency: 1, executionCapMs: 60_000, pollMs: 60_000 });
    const claimed: string[] = [];
    runner.onSettled((id) => claimed.push(id));
    await runner.start({ recoverAll: true });
    await runner.stop();
    const recovered = await store.getJob(job.id);
    assert.ok(recovered && ['queued', 'running'].includes(recovered.state));
    assert.notEqual(recovered?.workerId, 'worker-dead-0');
  });
});

describe('JobRunner.reserveWorker (hold: a job created already claimed by an idle worker)', () => {
  test('the worker starts the job before its row is written and finishes it after', async (t) => {
    let release!: () => void;
    const rowMayBeWritten = new Promise<void>((resolve) => { release = resolve; });
    const order: string[] = [];
    const { runner } = await startRunner(t, async (job, context) => {
      order.push('handler started');
      await context.rowWritten;
      order.push('row written');
      await completes(job, context);
    });
    const reservation = await reserve(runner);
    const spec = newJob({ claimedBy: reservation.workerId });
    const written = rowMayBeWritten.then(() => { order.push('writing'); return store.createJob(spec); });
    reservation.start(jobOfNew(spec, new Date()), written);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(order, ['handler started']);
    } finally {
      release();
    }
    await until(spec.id, (j) => j.state === 'succeeded');
    assert.deepEqual(order, ['handler started', 'writing', 'row written']);
  });

  test('no reservation while every worker is busy; a freed worker can be reserved again', async (t) => {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => { finish = resolve; });
    const { runner } = await startRunner(t, async (job, context) => {
      await finished;
      await completes(job, context);
    }, { concurrency: 1 });
    const job = await store.createJob(newJob());
    runner.wake(job.id);
    try {
      await until(job.id, (j) => j.state === 'running');
      assert.equal(runner.reserveWorker(), undefined);
    } finally {
      finish();
    }
    await until(job.id, (j) => j.state === 'succeeded');
    await reserve(runner);
    // Never started: stopping the runner (t.after) must release it rather than wait for it.
  });

  test('when the row cannot be written the handler\'s work ends there and nothing is left running', async (t) => {
    const { runner, outcomes } = await startRunner(t, async (job, context) => {
      await context.rowWritten;
      await completes(job, context);
    });
    const reservation = await reserve(runner);
    const spec = newJob({ claimedBy: reservation.workerId });
    const failedWrite = Promise.reject(new Error('duplicate key'));
    failedWrite.catch(() => undefined);
    reservation.start(jobOfNew(spec, new Date()), failedWrite);
    await runner.waitForSettled(spec.id, 5_000);
    assert.equal(await store.getJob(spec.id), undefined);
    assert.equal(outcomes.length, 1);
  });
});
