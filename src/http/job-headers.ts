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
