import { createServer, type Server } from 'node:http';
import { chmod, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { issueUserToken, runAccountCommand, type SigningKeys, type TokenSettings } from '../auth/index.js';
import { runAdminCommand } from '../admin/index.js';
import { AppError } from '../errors.js';
import { importUsageFromSocket, type IngestObserver } from './control-usage-import.js';
import type { Store } from '../store/index.js';

export interface ControlSocketDeps {
  readonly store: Store;
  readonly keys: SigningKeys;
  readonly tokens: TokenSettings;
  readonly observeIngest?: IngestObserver;
  /** The HTTP API's address as this machine reaches it (e.g. `http://127.0.0.1:18383`), for the CLI. */
  readonly localUrl?: string;
}

/**
 * A local HTTP endpoint on a Unix socket inside the data directory, for the operator's CLI.
 * DuckDB lets one process hold the database, so while the server runs, `insights token` cannot
 * open it and asks the server instead. Security: the socket file is mode 0600 in a 0700 folder of the data
 * directory, so only the account that runs the service (which can read the signing keys anyway)
 * can use it; it is never reachable over the network.
 */
export async function startControlSocket(socketPath: string, deps: ControlSocketDeps): Promise<Server> {
  await rm(socketPath, { force: true });
  const server = createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.method === 'POST' && request.url?.startsWith('/usage?')) {
      // `insights import`: a body of any size, streamed to the ingestion (not read into memory here).
      void importUsageFromSocket(request, deps.store, deps.observeIngest).then(({ status, body }) => reply(status, body), () => request.destroy());
      return;
    }
    if (request.method === 'GET' && request.url === '/address') {
      // The CLI calls the HTTP API where this server listens, whatever PORT its own environment says.
      return reply(200, { url: deps.localUrl ?? null });
    }
    const account = request.url?.startsWith('/accounts/') ? request.url.slice('/accounts/'.length) : undefined;
    const admin = request.url?.startsWith('/admin/') ? request.url.slice('/admin/'.length) : undefined;
    const known = request.url === '/token' || request.url === '/keys/rotate' || account !== undefined || admin !== undefined;
    if (request.method !== 'POST' || !known) return reply(404, { error: 'not found' });
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      void (async () => {
        try {
          if (request.url === '/keys/rotate') {
            // `insights keys rotate`: the server rotates its own key ring, so it signs with the new key at once.
            reply(200, { result: { kid: await deps.keys.rotate() } });
            return;
          }
          if (admin !== undefined) {
            // `insights team …` / `insights contract …` while the server holds the database.
            reply(200, { result: await runAdminCommand(deps.store, admin, JSON.parse(Buffer.concat(chunks).toString('utf8'))) });
            return;
          }
          if (account !== undefined) {
            // `insights user …` / `insights client …` while the server holds the database.
            reply(200, { result: await runAccountCommand(deps.store, account, JSON.parse(Buffer.concat(chunks).toString('utf8'))) });
            return;
          }
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { email?: unknown; scopes?: unknown; ttlSeconds?: unknown };
          if (typeof body.email !== 'string' || !Array.isArray(body.scopes) || typeof body.ttlSeconds !== 'number') {
            throw new AppError('REQUEST_INVALID', 'Expected {email, scopes, ttlSeconds}.');
          }
          const token = await issueUserToken(deps, { email: body.email, scopes: body.scopes.map(String), ttlSeconds: body.ttlSeconds });
          reply(200, { token });
        } catch (error) {
          reply(AppError.is(error) ? 400 : 500, { error: AppError.is(error) ? error.message : 'internal error' });
        }
      })();
    });
  });
  // The socket lives in a 0700 directory, so nobody else can reach it even before the chmod.
  await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  await chmod(path.dirname(socketPath), 0o700);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o600);
  return server;
}
