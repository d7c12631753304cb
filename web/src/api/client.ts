import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../../generated/api';
import { accessToken, refresh } from '../auth/auth';
import { ApiError, sentenceOf } from './errors';

/** Requests as sent, to send again once after a 401 with a refreshed token. */
const originals = new WeakMap<Request, Request>();

const bearer: Middleware = {
  async onRequest({ request }) {
    request.headers.set('authorization', `Bearer ${await accessToken()}`);
    originals.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    const original = originals.get(request);
    if (response.status !== 401 || !original) return response;
    // The access token was revoked or expired early: one refresh, one retry.
    const fresh = await refresh();
    const retry = new Request(original);
    retry.headers.set('authorization', `Bearer ${fresh.accessToken}`);
    return fetch(retry);
  },
};

/** The service's APIs, typed from its own /openapi.json (web/generated/api.ts). */
export const api = createClient<paths>({ baseUrl: location.origin });
api.use(bearer);

/** The body of a successful answer, or an ApiError whose message is a sentence for the user. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    throw new ApiError(0, sentenceOf(0, undefined, (error as Error).message));
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) {
    throw new ApiError(response.status, sentenceOf(response.status, error, undefined, response.headers.get('x-request-id') ?? undefined), error);
  }
  return data as T;
}
