import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startE2eServer } from '../helpers/e2e-server.js';

// Issue "Usage queries", acceptance: a server killed with SIGKILL while queries run leaves none of
// them RUNNING forever; after a restart each ends COMPLETED or ERROR.
// A slow test (issue 21): it needs real size, queries that are still running when the kill lands.
test('queries running when the server is killed end COMPLETED or ERROR after a restart', async (t) => {
  // No submit hold: the twelve queries are queued at once, not each after the last one's POST waited for it.
  const server = await startE2eServer(t, { name: 'crash', demoRows: 400_000, env: { WORKER_CONCURRENCY: '1', SUBMIT_HOLD_MS: '0' }, startTimeoutMs: 300_000 });
  const headers = await server.headers();

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
  // 3. Restart on the same data directory: every query must reach a final state.
  await server.restart({ signal: 'SIGKILL' });
  const finalDeadline = Date.now() + 120_000;
  const final = new Map<string, string>();
  while (final.size < ids.length && Date.now() < finalDeadline) {
    for (const id of ids) {
      const status = ((await (await fetch(`${server.url}/insights/v1/usage-queries/${id}`, { headers })).json()) as { status: string }).status;
      if (status === 'COMPLETED' || status === 'ERROR') final.set(id, status);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const statuses = await Promise.all(ids.map(async (id) => (await fetch(`${server.url}/insights/v1/usage-queries/${id}?limit=1`, { headers })).text()));
  assert.equal(final.size, ids.length, `still unfinished: ${statuses.join('\n')}\n${server.process.output().slice(-3000)}`);
  assert.match(server.process.output(), /recovered jobs left running/);
});
