import { existsSync } from 'node:fs';
import { loadSigningKeys } from '../../auth/index.js';
import { controlSocketPath, type Config } from '../../config.js';
import { CliError } from '../cli-error.js';
import { askRunningServer } from './accounts.js';

/**
 * Rotates the signing keys of a data directory and returns the new `kid`. While a server runs, it
 * rotates them itself through its control socket, so it signs with the new key at once (there is
 * no polling of the key file); otherwise the CLI rewrites the key file, which the next server start reads.
 */
export async function runKeysRotateCommand(config: Config): Promise<string> {
  const socketPath = controlSocketPath(config.dataDir);
  if (existsSync(socketPath)) {
    try {
      return (await askRunningServer(socketPath, '/keys/rotate', {}) as { kid: string }).kid;
    } catch (error) {
      if (error instanceof CliError) throw error;
      // A socket left by a server that died: rotate the file ourselves.
    }
  }
  if (!existsSync(config.dataDir)) {
    throw new CliError(`No data directory at ${config.dataDir}: start the server once (npm start) or run "insights seed".`);
  }
  return (await loadSigningKeys(config.dataDir, { keysDir: config.keysDir })).rotate();
}
