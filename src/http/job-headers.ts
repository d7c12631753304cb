import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isPending } from '../jobs/index.js';
import type { Job } from '../store/index.js';

/** Seconds a client should wait before polling an unfinished job again. */
export const POLL_AFTER_SECONDS = 1;

/** Location + Retry-After on a submit response (spec §1 extensions). */
export function setSubmitHeaders(reply: FastifyReply, location: string): void {
  reply.header('location', location).header('retry-after', String(POLL_AFTER_SECONDS));
}

/**
 * ETag and Retry-After of a job status response. The ETag covers the job's version and the page
 * asked for, so `If-None-Match` gets a 304 exactly while nothing the caller would see changed.
 * Returns true when the reply was answered 304.
 */
export function answerNotModified(request: FastifyRequest, reply: FastifyReply, job: Job, variant: string): boolean {
  const etag = `W/"${createHash('sha256').update(`${job.id}|${job.state}|${job.updatedAt}|${variant}`).digest('base64url').slice(0, 27)}"`;
  reply.header('etag', etag).header('cache-control', 'private, no-cache');
  if (isPending(job.state)) reply.header('retry-after', String(POLL_AFTER_SECONDS));
  const given = request.headers['if-none-match'];
  if (typeof given === 'string' && given.split(',').map((tag) => tag.trim()).includes(etag)) {
    reply.code(304).send();
    return true;
  }
  return false;
}

/** The longest a request may ask to be held with `Prefer: wait` (ours). */
export const MAX_PREFER_WAIT_SECONDS = 60;

/**
 * The wait a client asked for with `Prefer: wait=N` (RFC 7240 §4.3), capped, in milliseconds;
 * 0 when it asked for none. Sets `Preference-Applied` when honoured.
 */
export function preferredWaitMs(request: FastifyRequest, reply: FastifyReply): number {
  const header = request.headers.prefer;
  const text = Array.isArray(header) ? header.join(',') : header ?? '';
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(text);
  if (!match) return 0;
  const seconds = Math.min(Number(match[1]), MAX_PREFER_WAIT_SECONDS);
  reply.header('preference-applied', `wait=${seconds}`);
  return seconds * 1000;
}

/**
 * How long a submit is held for its query to finish: the client's `Prefer: wait`, else the
 * service's submit hold (spec §3.2: default 2 s; 0 turns it off).
 */
export function submitWaitMs(request: FastifyRequest, reply: FastifyReply, holdMs: number): number {
  const asked = preferredWaitMs(request, reply);
  return asked > 0 ? asked : holdMs;
}

/**
 * How long a status read of an unfinished query is held for it to settle when the client asked
 * for no `Prefer: wait`. Unmodified clients poll; a read that comes while the query runs is
 * answered the moment it settles, or after this, with the same body either way: fast polls cost
 * the CPU the query needs, and saw it finished a poll late (docs/measurements.md).
 */
export const STATUS_HOLD_MS = 100;

/** The wait of a status read: the client's `Prefer: wait`, else STATUS_HOLD_MS. */
export function statusWaitMs(request: FastifyRequest, reply: FastifyReply): number {
  const asked = preferredWaitMs(request, reply);
  return asked > 0 ? asked : STATUS_HOLD_MS;
}
