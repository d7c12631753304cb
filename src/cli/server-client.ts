import { request } from 'node:http';
import { controlSocketPath, type Config } from '../config.js';
import { CliError } from './cli-error.js';
import { runTokenCommand } from './commands/token.js';

/** Calls the running server's API as a user, with a short-lived token minted over the control socket. */
export interface ServerClient {
  readonly base: string;
  /** JSON in, JSON out; a non-2xx answer becomes a one-line CliError (with the `where` caret, if any). */
  call(path: string, init?: RequestInit): Promise<Record<string, unknown>>;
  /** A plain GET of a URL under the server (a download); unreachable becomes a one-line CliError. */
  fetchRaw(path: string): Promise<Response>;
}

/** The address the running server recorded on its control socket (`GET /address`); undefined if it has none. */
function askAddress(socketPath: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/address', method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { url?: unknown };
          resolve(res.statusCode === 200 && typeof answer.url === 'string' ? answer.url : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** The one sentence for a server that does not answer. */
export function unreachable(base: string, config: Config, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code ?? (error as Error).message;
  return new CliError(`No usage-insights server answers at ${base} (${cause}): start one with \`npm start\` in this folder `
    + `(DATA_DIR=${config.dataDir}), or stop the command and run it again once the server is up.`);
}

/**
 * Connects to the server that runs on this data directory: its address comes from its control
 * socket (so `PORT=18383 npm start` in one terminal and `npx insights query …` in another agree
 * without PORT in the second), else from PORT.
 */
export async function connectToServer(config: Config, user: string, scope: string, ttl: string): Promise<ServerClient> {
  const token = await runTokenCommand(config, { user, scope, ttl });
  const base = (await askAddress(controlSocketPath(config.dataDir))) ?? `http://127.0.0.1:${config.port}`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const reach = async (url: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetch(url, init);
    } catch (error) {
      throw unreachable(base, config, error);
    }
  };
  return {
    base,
    async call(path, init = {}) {
      const response = await reach(`${base}${path}`, { ...init, headers });
      const text = await response.text();
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new CliError(`${response.status} ${response.statusText}: the server at ${base} did not answer JSON (is it usage-insights?).`);
      }
      if (!response.ok) {
        const message = body.detail ?? body.Message ?? body.developerMessage ?? response.statusText;
        throw new CliError(`${response.status}: ${String(message)}${body.snippet ? `\n${String(body.snippet)}` : ''}`);
      }
      return body;
    },
    fetchRaw: (path) => reach(`${base}${path}`, {}),
  };
}
