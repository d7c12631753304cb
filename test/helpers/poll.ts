import type { FastifyInstance } from 'fastify';

/** Polls a job status URL through `inject` until `done(body)` holds; fails after `timeoutMs`. */
export async function pollUntil(
  app: FastifyInstance, url: string, token: string, done: (body: Record<string, unknown>) => boolean, timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    const body = response.json() as Record<string, unknown>;
    if (response.statusCode !== 200) throw new Error(`GET ${url} answered ${response.statusCode}: ${response.body}`);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`GET ${url} still ${JSON.stringify(body.status)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
