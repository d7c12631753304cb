import type { Config } from '../config.js';
import { CliError } from './cli-error.js';
import { runTokenCommand } from './commands/token.js';

/** Calls the running server's API as a user, with a short-lived token minted over the control socket. */
export interface ServerClient {
  readonly base: string;
  /** JSON in, JSON out; a non-2xx answer becomes a one-line CliError (with the `where` caret, if any). */
  call(path: string, init?: RequestInit): Promise<Record<string, unknown>>;
}

export async function connectToServer(config: Config, user: string, scope: string, ttl: string): Promise<ServerClient> {
  const token = await runTokenCommand(config, { user, scope, ttl });
  const base = `http://127.0.0.1:${config.port}`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    base,
    async call(path, init = {}) {
      const response = await fetch(`${base}${path}`, { ...init, headers });
      const body = (await response.json()) as Record<string, unknown>;
      if (!response.ok) {
        const message = body.detail ?? body.Message ?? body.developerMessage ?? response.statusText;
        throw new CliError(`${response.status}: ${String(message)}${body.snippet ? `\n${String(body.snippet)}` : ''}`);
      }
      return body;
    },
  };
}
