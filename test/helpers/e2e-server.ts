import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTokenCommand } from '../../src/cli/commands/token.js';
import { loadConfig } from '../../src/config.js';
import { withTestDatabase } from './databases.js';
import { ROOT, runCli, startServer, type ServerProcess } from './server-process.js';

/** How an end-to-end test wants its server. */
export interface E2eServerOptions {
  /** Names the temp data directory (`usage-insights-<name>-…`). */
  readonly name: string;
  /** Demo records seeded by the first start (default 2,000). */
  readonly demoRows?: number;
  /** More environment for the server and CLI processes (WORKER_CONCURRENCY, DATABASE_URL, …). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long a start may take (default 120 s: a loaded machine; large demo data needs more). */
  readonly startTimeoutMs?: number;
  /** Fills the new data directory before the first start (a database it leaves non-empty gets no demo data). */
  readonly prepare?: (dataDir: string) => Promise<void>;
  /** Starts the server with a movable export-schedule clock at this offset (see serve-with-clock.ts). */
  readonly scheduleClockOffsetMs?: number;
}

/** A real `insights serve` process on a temp data directory of its own, for the tests of one file. */
export interface E2eServer {
  readonly dataDir: string;
  /** The environment of its processes (DATA_DIR, DEMO_ROWS and the options' env). */
  readonly env: Readonly<Record<string, string>>;
  /** The process serving now; `restart` replaces it. */
  readonly process: ServerProcess;
  /** Its base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /**
   * A bearer token for a user, minted by the running server exactly as `insights token` has it
   * minted (the CLI's own code, over the control socket), without the cost of a CLI process.
   */
  token(email?: string, scope?: string): Promise<string>;
  /** `authorization` (a token for `email`, default admin@example.com) and a JSON content type. */
  headers(email?: string): Promise<Record<string, string>>;
  /** Runs `insights <args>` as a process, with this server's environment (and `env` over it). */
  cli(args: string[], env?: Readonly<Record<string, string>>): ReturnType<typeof runCli>;
  /**
   * Stops the process with `signal` (default SIGTERM), runs `between` (an outage), and starts a
   * new one on the same data directory, its schedule clock at `scheduleClockOffsetMs` (a function
   * is asked at the start); resolves with the old process's exit code.
   */
  restart(options?: {
    readonly signal?: NodeJS.Signals; readonly between?: () => Promise<void>; readonly scheduleClockOffsetMs?: number | (() => number);
  }): Promise<number | null>;
}

/**
 * Starts a server for the tests of a file (or of one test) and stops it (SIGKILL if still
 * running: nothing is asserted about that stop) and removes its data directory when `scope` ends.
 * Pass `suiteScope()` for a file, or the test's context for one test.
 */
export async function startE2eServer(scope: { after: (fn: () => Promise<void>) => void }, options: E2eServerOptions): Promise<E2eServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `usage-insights-${options.name}-`));
  const env = { DATA_DIR: dataDir, DEMO_ROWS: String(options.demoRows ?? 2_000), ...options.env };
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  let current: ServerProcess | undefined;
  scope.after(async () => {
    await current?.stop('SIGKILL');
    await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  });
  await options.prepare?.(dataDir);
  const start = (clockOffsetMs: number | undefined) => startServer(env, timeoutMs, clockOffsetMs === undefined ? {} : { scheduleClockOffsetMs: clockOffsetMs });
  current = await start(options.scheduleClockOffsetMs);
  const config = () => loadConfig({ ...process.env, ...withTestDatabase(env) }, ROOT);
  const token = (email = 'admin@example.com', scope = 'data:read data:write') =>
    runTokenCommand(config(), { user: email, scope, ttl: '1h' });
  return {
    dataDir,
    env,
    get process() { return current!; },
    get url() { return current!.url; },
    token,
    headers: async (email) => ({ authorization: `Bearer ${await token(email)}`, 'content-type': 'application/json' }),
    cli: (args, more = {}) => runCli(args, { ...env, ...more }),
    async restart({ signal = 'SIGTERM', between, scheduleClockOffsetMs } = {}) {
      const code = await current!.stop(signal);
      await between?.();
      current = await start(typeof scheduleClockOffsetMs === 'function' ? scheduleClockOffsetMs() : scheduleClockOffsetMs ?? options.scheduleClockOffsetMs);
      return code;
    },
  };
}
