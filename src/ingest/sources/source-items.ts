import * as crypto from 'node:crypto';
import type { RowProblem } from '../validate-record.js';

/**
 * A refused line of a source file: which file, which line, and why, in the shape of the
 * problems USAGE_BATCH_INVALID lists (`field` names the column of an export file, and is empty
 * for a problem of the whole line). Nothing of a batch with a problem is written.
 */
export interface SourceProblem extends RowProblem {
  readonly kind: 'problem';
  /** The file's name as the caller gave it (a path, or the name of an upload). */
  readonly file: string;
}

/**
 * SHA-256 of a text, hex: the readers' record ids. `crypto.hash` (Node 20.12+) is the one-shot
 * form, cheaper than createHash…digest where it runs once a record.
 */
export const sha256Hex: (text: string) => string = typeof crypto.hash === 'function'
  ? (text) => crypto.hash('sha256', text, 'hex')
  : (text) => crypto.createHash('sha256').update(text).digest('hex');
