import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTestDatabase } from './databases.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'insights.js');

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process wrote so far (its JSON log lines). */
  output(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Moves the export-schedule clock to the system's time plus `offsetMs` (only with `scheduleClockOffsetMs`). */
  setScheduleClockOffset(offsetMs: number): Promise<void>;
}

const SERVE_WITH_CLOCK = path.join(ROOT, 'test', 'helpers', 'serve-with-clock.ts');

/**
 * Starts `insights serve` as a real process and waits until it listens (or exits). With
 * `scheduleClockOffsetMs`, the process is serve-with-clock.ts: the same server, whose export
 * schedules run on a clock the test moves.
 */
export async function startServer(
  env: Record<string, string>, timeoutMs = 60_000, options: { readonly scheduleClockOffsetMs?: number } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const clocked = options.scheduleClockOffsetMs !== undefined;
  const child = spawn(process.execPath, clocked ? ['--import', 'tsx', SERVE_WITH_CLOCK] : [BIN, 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env, PORT: String(port), LOG_LEVEL: 'info', ...withTestDatabase(env),
      ...(clocked ? { TEST_SCHEDULE_CLOCK_OFFSET_MS: String(options.scheduleClockOffsetMs) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe', ...(clocked ? ['ipc' as const] : [])],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const exited = once(child, 'exit');
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('usage-insights is listening')) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start in ${timeoutMs} ms: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code as number | null;
    },
    async setScheduleClockOffset(offsetMs) {
      if (!clocked) throw new Error('this server was started without a movable schedule clock');
      const applied = new Promise<void>((resolve) => {
        const onMessage = (message: { scheduleClockOffsetMs?: number }) => {
          if (message.scheduleClockOffsetMs !== offsetMs) return;
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
      });
      child.send({ scheduleClockOffsetMs: offsetMs });
      await applied;
    },
  };
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...withTestDatabase(env) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}
