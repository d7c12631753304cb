import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { runAccountCommand } from '../../auth/index.js';
import { controlSocketPath, type Config } from '../../config.js';
import { openStore } from '../../store/index.js';
import { CliError } from '../cli-error.js';

/** POSTs a JSON body to the running server's control socket; resolves with its `result`. */
export function askRunningServer(socketPath: string, urlPath: string, body: object): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: urlPath, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { result?: unknown; error?: string };
        if (res.statusCode === 200) resolve(answer.result);
        else reject(new CliError(answer.error ?? 'the server refused'));
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * Runs a user or client command: through the running server's control socket when one holds the
 * database (DuckDB allows one writer), else on the database directly.
 */
export async function runAccountsCommand(config: Config, command: string, body: object): Promise<unknown> {
  const socketPath = controlSocketPath(config.dataDir);
  if (existsSync(socketPath)) {
    try {
      return await askRunningServer(socketPath, `/accounts/${command}`, body);
    } catch (error) {
      if (error instanceof CliError) throw error;
      // A socket left by a server that died: open the database ourselves.
    }
  }
  const store = await openStore(config);
  try {
    await store.migrate();
    return await runAccountCommand(store, command, body);
  } finally {
    await store.close();
  }
}

/** Reads a password from stdin (piped), without echoing it anywhere. */
export async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('Pipe the password on stdin (e.g. `read -rs P; printf %s "$P" | insights user set-password …`), or pass --password.');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
