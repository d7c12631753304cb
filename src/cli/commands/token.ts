import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { controlSocketPath, type Config } from '../../config.js';
import { parseDuration } from '../duration.js';
import { CliError } from '../cli-error.js';

export interface TokenCommandOptions {
  readonly user: string;
  readonly scope: string;
  readonly ttl: string;
}

function askRunningServer(socketPath: string, body: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/token', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { token?: string; error?: string };
        if (answer.token) resolve(answer.token);
        else reject(new CliError(answer.error ?? 'the server refused'));
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * Prints an access token for a user. While a server runs on the data directory it holds the
 * DuckDB file, so the token is minted by that server over its control socket; otherwise the CLI
 * opens the database read-only and mints it itself with the same keys.
 */
export async function runTokenCommand(config: Config, options: TokenCommandOptions): Promise<string> {
  const ttlSeconds = parseDuration(options.ttl);
  if (ttlSeconds === undefined) throw new CliError(`--ttl must look like 3600, 90s, 15m, 1h or 7d, got "${options.ttl}"`);
  // parseScopeList's rule, written out: the auth module (and the store) load only when no server runs
  // (issue 22: `insights token` under 0.5 s); whoever mints the token checks the scopes.
  const scopes = [...new Set(options.scope.split(/\s+/).filter(Boolean))];
  const body = { email: options.user, scopes, ttlSeconds };
  const socketPath = controlSocketPath(config.dataDir);
  if (existsSync(socketPath)) {
    try {
      return await askRunningServer(socketPath, body);
    } catch (error) {
      if (error instanceof CliError) throw error;
      // A socket left by a server that died: fall through and open the database ourselves.
    }
  }
  if (!existsSync(config.dataDir)) {
    throw new CliError(`No data directory at ${config.dataDir}: start the server once (npm start) or run "insights seed".`);
  }
  const [{ issueUserToken, loadSigningKeys }, { openStore }] = await Promise.all([import('../../auth/index.js'), import('../../store/index.js')]);
  const store = await openStore({ ...config, readOnly: true });
  try {
    const keys = await loadSigningKeys(config.dataDir, { keysDir: config.keysDir });
    return await issueUserToken({ store, keys, tokens: { issuer: config.tokenIssuer, audience: config.tokenAudience } }, body);
  } finally {
    await store.close();
  }
}
