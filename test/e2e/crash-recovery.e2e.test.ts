import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli, startServer, type ServerProcess } from '../helpers/server-process.js';

// Issue "Usage queries", acceptance: a server killed with SIGKILL while queries run leaves none of
// them RUNNING forever; after a restart each ends COMPLETED or ERROR.
let dataDir: string | undefined;
let server: ServerProcess | undefined;
after(async () => {
  await server?.stop('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('queries running when the server is killed end COMPLETED or ERROR after a restart', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-crash-'));
  const env = { DATA_DIR: dataDir, DEMO_ROWS: '400000', WORKER_CONCURRENCY: '1' };
  server = await startServer(env, 120_000);
  const token = (await runCli(['token', '--user', 'admin@example.com'], env)).stdout.trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  // 1. Queue several heavy queries; one worker runs them one after another.
  // Twelve, so that the queue is still busy when the kill lands even on a loaded CI machine, where
  // the poll that saw one RUNNING can take longer than that query has left.
  const ids: string[] = [];
  const metrics = ['totalUniqueDays', 'uniqueProducts', 'totalTokens', 'uniqueUsers', 'latestUsageDate', 'earliestUsageDate'];
  for (const fields of [['userId', 'usageDate', 'minorVersion', 'featureId'], ['userId', 'usageDate', 'featureId', 'minorVersion']]) {
    for (const metric of metrics) {
      const response: Response = await fetch(`${server.url}/insights/v1/usage-queries`, {
        method: 'POST', headers, body: JSON.stringify({ fields, metrics: [metric] }),
      });
      assert.equal(response.status, 200);
      ids.push(((await response.json()) as { id: string }).id);
    }
  }
  // 2. Wait until one of them is RUNNING, then kill the process without warning, at once.
  const deadline = Date.now() + 30_000;
  let sawRunning = false;
  while (!sawRunning && Date.now() < deadline) {
    for (const id of ids) {
      const status = ((await (await fetch(`${server.url}/insights/v1/usage-queries/${id}`, { headers })).json()) as { status: string }).status;
      if (status === 'RUNNING') {
        sawRunning = true;
        break;
      }
    }
  }
  assert.ok(sawRunning, 'a query was running when the server was killed');
  await server.stop('SIGKILL');

  // 3. Restart on the same data directory: every query must reach a final state.
  server = await startServer(env, 120_000);
  const finalDeadline = Date.now() + 120_000;
  const final = new Map<string, string>();
  while (final.size < ids.length && Date.now() < finalDeadline) {
    for (const id of ids) {
      const status = ((await (await fetch(`${server.url}/insights/v1/usage-queries/${id}`, { headers })).json()) as { status: string }).status;
      if (status === 'COMPLETED' || status === 'ERROR') final.set(id, status);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const statuses = await Promise.all(ids.map(async (id) => (await fetch(`${server!.url}/insights/v1/usage-queries/${id}?limit=1`, { headers })).text()));
  assert.equal(final.size, ids.length, `still unfinished: ${statuses.join('\n')}\n${server.output().slice(-3000)}`);
  assert.match(server.output(), /recovered jobs left running/);
});
