import type { FastifyReply } from 'fastify';
import type { Page, PageRequest } from '../../../store/index.js';

/** The answer to a list: one page of items and where it sits in the whole list. */
export function pageReply<T, R>(page: Page<T>, request: PageRequest, describe: (item: T) => R) {
  return { items: page.items.map(describe), pagination: { offset: request.offset, limit: request.limit, totalResults: page.total } };
}

/** 201 with `Location` naming the new resource (RFC 9110 §10.2.2). */
export function created<T>(reply: FastifyReply, location: string, body: T): T {
  reply.code(201).header('location', location);
  return body;
}
