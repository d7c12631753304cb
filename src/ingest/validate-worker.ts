import { parentPort, workerData } from 'node:worker_threads';
import type { UsageReferences } from '../store/index.js';
import type { NdjsonSegment } from './ndjson-segments.js';
import { RecordValidator } from './validate-record.js';
import { validateSegment } from './validate-segment.js';

// A validation worker (validation-pool.ts): validates the segments it is sent, in the order they
// come, against the references it was started with, and answers each with its result.

interface Data {
  readonly references: UsageReferences;
  readonly defaults: { readonly contractNumber?: string };
}

const { references, defaults } = workerData as Data;
const validator = new RecordValidator(references, defaults);
const port = parentPort;
if (!port) throw new Error('validate-worker runs as a worker thread');
port.on('message', (message: { readonly seq: number; readonly segment: NdjsonSegment; readonly stage: boolean }) => {
  const result = validateSegment(message.segment, validator, message.stage);
  // The staged bytes are moved to the main thread, not copied (they are a view of a buffer of their own: validate-segment.ts).
  port.postMessage({ seq: message.seq, result }, result.staged.byteLength > 0 ? [result.staged.buffer] : []);
});
