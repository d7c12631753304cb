import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { UsageReferences } from '../store/index.js';
import { isProblem, ndjsonSegments, type NdjsonSegment, type UsageBody } from './ndjson-segments.js';
import { RecordValidator } from './validate-record.js';
import { validateSegment, type SegmentResult } from './validate-segment.js';

/**
 * Validation workers for a batch: up to this many, never more than the machine's cores. Parsing,
 * checking and writing the staging text of records was most of a batch's time in the request's
 * thread (docs/measurements.md).
 */
export const DEFAULT_VALIDATION_WORKERS = Math.max(1, Math.min(4, availableParallelism()));

/** Segments sent ahead per worker: enough to keep each busy, few enough to bound memory (~1 MB each). */
const AHEAD_PER_WORKER = 2;

/**
 * The worker module runs through tsx as the rest of the service does; a worker thread does not
 * inherit the loader the main thread registered, so its first code registers it.
 */
const WORKER_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./validate-worker.ts', import.meta.url).href)}); })`;

export interface ValidationOptions {
  readonly references: UsageReferences;
  readonly defaults: { readonly contractNumber?: string };
  /** Worker threads to validate in (0: all in this thread). */
  readonly workers: number;
  /** Whether a segment's records are still wanted as staging text (false once the batch is known bad). */
  readonly stage: () => boolean;
}

/**
 * Cuts an NDJSON body into segments (ndjson-segments.ts) and validates them, yielding their
 * results in body order. The first segment is validated in this thread, so a small batch starts
 * no worker; from the second on, segments go to worker threads, a few ahead, round robin.
 */
export async function* validateNdjson(body: UsageBody, options: ValidationOptions): AsyncIterable<SegmentResult> {
  const validator = new RecordValidator(options.references, options.defaults);
  let pool: WorkerPool | undefined;
  const inFlight: Promise<SegmentResult>[] = [];
  try {
    let first = true;
    for await (const piece of ndjsonSegments(body)) {
      if (isProblem(piece)) {
        // A line too long to hold: in its place among the segments' results.
        inFlight.push(Promise.resolve({ rows: 1, staged: new Uint8Array(0), records: 0, problems: [piece], problemCount: 1, problemLines: 1 }));
      } else if (first || options.workers === 0) {
        inFlight.push(Promise.resolve(validateSegment(piece, validator, options.stage())));
      } else {
        pool ??= new WorkerPool(options.workers, { references: options.references, defaults: options.defaults });
        inFlight.push(pool.validate(piece, options.stage()));
      }
      first = false;
      while (inFlight.length > (pool ? pool.size * AHEAD_PER_WORKER : 0)) yield await (inFlight.shift() as Promise<SegmentResult>);
    }
    while (inFlight.length > 0) yield await (inFlight.shift() as Promise<SegmentResult>);
  } finally {
    // Results not taken (the caller stopped early) must not reject unhandled.
    for (const pending of inFlight) pending.catch(() => undefined);
    await pool?.close();
  }
}

/** Worker threads each running validate-worker.ts, sent segments round robin. */
class WorkerPool {
  readonly #workers: Worker[] = [];
  readonly #waiting = new Map<number, { resolve: (result: SegmentResult) => void; reject: (error: Error) => void }>();
  #seq = 0;
  #failure: Error | undefined;

  constructor(size: number, workerData: { readonly references: UsageReferences; readonly defaults: { readonly contractNumber?: string } }) {
    for (let k = 0; k < size; k++) {
      const worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData, execArgv: [] });
      worker.on('message', (message: { readonly seq: number; readonly result: SegmentResult }) => {
        const waiting = this.#waiting.get(message.seq);
        this.#waiting.delete(message.seq);
        waiting?.resolve(message.result);
      });
      worker.on('error', (error) => this.#fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.#fail(new Error(`a validation worker stopped with exit code ${code}`));
      });
      this.#workers.push(worker);
    }
  }

  get size(): number {
    return this.#workers.length;
  }

  validate(segment: NdjsonSegment, stage: boolean): Promise<SegmentResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seq = this.#seq++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(seq, { resolve, reject });
      // The segment's bytes are moved to the worker, not copied: ndjsonSegments gave them a buffer of their own.
      (this.#workers[seq % this.#workers.length] as Worker).postMessage({ seq, segment, stage }, [segment.bytes.buffer]);
    });
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiting of this.#waiting.values()) waiting.reject(this.#failure);
    this.#waiting.clear();
  }

  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    // Terminating is not a failure of the batch.
    this.#failure ??= new Error('the validation workers were closed');
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
