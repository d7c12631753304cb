import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli, startServer, type ServerProcess } from '../helpers/server-process.js';

// Issue "Exports", acceptance: a schedule due every minute fires once per minute across a
// restart, not twice and not zero times. What "once" means, as ScheduleService implements it:
// - every due time while a server runs fires once, at that time (within the 1 s scheduler tick);
// - a restart between two due times changes nothing: the next due time fires once;
// - due times missed while no server ran fire once, late, when a server starts again (one
//   catch-up firing for the earliest missed due time, never one per missed minute), and the
//   rhythm continues from then.
// Each firing's requests are keyed `<due time>#<uuid>`, so the keys show which due time made them.
// The schedule fires at a second of the minute picked so the first firing comes a few seconds
// after the server is up: no waiting for a :00 boundary. About 130 s.
const CONTRACT = '110000917988';
const PER_FIRING = 2; // DESKTOP_PRODUCT × (Daily, Monthly)

let dataDir: string | undefined;
let server: ServerProcess | undefined;
after(async () => {
  await server?.stop('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Schedule { scheduleID: string; nextRunDate: string | null; lastRanDate: string | null }
interface ExportRequest { requestKey: string; scheduleId?: string; exportRequestDate: string }

const sleepUntil = (millis: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, millis - Date.now())));

test('an every-minute schedule fires once per due minute across a SIGTERM restart and a SIGKILL outage', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-schedule-'));
  const env = { DATA_DIR: dataDir, DEMO_ROWS: '2000' };
  server = await startServer(env);
  const token = (await runCli(['token', '--user', 'admin@example.com'], env)).stdout.trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const base = `/tokenflex/v1/export/${CONTRACT}`;
  const get = async <T>(url: string): Promise<T> => {
    const response = await fetch(`${server!.url}${url}`, { headers });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as T;
  };
  /** Polls the schedule until it has run at or after `at`. */
  const ranSince = async (id: string, at: number, timeoutMs: number): Promise<Schedule> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const schedule = await get<Schedule>(`${base}/schedules/${id}`);
      if (schedule.lastRanDate && Date.parse(schedule.lastRanDate) >= at) return schedule;
      assert.ok(Date.now() < deadline, `the schedule did not run at or after ${new Date(at).toISOString()}: ${JSON.stringify(schedule)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  // 1. Every minute at the second that comes 3 s from now.
  const second = new Date(Date.now() + 3_000).getUTCSeconds();
  const created = await fetch(`${server.url}${base}/schedules`, {
    method: 'POST', headers,
    body: JSON.stringify({
      dateRangeExpression: 'Previous-1-Month', enableFlag: 'Y', frequencyExpression: `${second} * * * * *`,
      scheduleObjects: [{ usageCategory: 'DESKTOP_PRODUCT', aggregationLevel: ['Daily', 'Monthly'] }],
    }),
  });
  assert.equal(created.status, 200, await created.clone().text());
  const schedule = (await created.json()) as Schedule;
  const due0 = Date.parse(schedule.nextRunDate!);
  const due = (n: number) => due0 + n * 60_000;
  assert.equal(new Date(due0).getUTCSeconds(), second);

  // 2. Server A fires due 0, then stops gracefully; server B starts at once (no due time missed).
  await ranSince(schedule.scheduleID, due(0), 10_000);
  assert.equal(await server.stop('SIGTERM'), 0);
  server = await startServer(env);
  assert.equal((await get<Schedule>(`${base}/schedules/${schedule.scheduleID}`)).nextRunDate, new Date(due(1)).toISOString().replace('.000Z', 'Z'),
    'the restart did not fire due 0 again');

  // 3. B fires due 1, then is killed; nothing runs over due 2; server C starts after it.
  await ranSince(schedule.scheduleID, due(1), 65_000);
  await server.stop('SIGKILL');
  await sleepUntil(due(2) + 1_000);
  const restartedAt = Date.now();
  server = await startServer(env);
  const caughtUp = await ranSince(schedule.scheduleID, Math.floor(restartedAt / 1000) * 1000, 10_000);
  assert.equal(caughtUp.nextRunDate, new Date(due(3)).toISOString().replace('.000Z', 'Z'), 'the rhythm continues from due 3');

  // 4. Exactly PER_FIRING requests per due time, none for any other time; the missed one came late, once.
  const day = (millis: number) => new Date(millis).toISOString().slice(0, 10);
  const requests = (await get<ExportRequest[]>(`${base}/requests?fromDate=${day(due0 - 86_400_000)}&toDate=${day(Date.now() + 86_400_000)}`))
    .filter((r) => r.scheduleId === schedule.scheduleID);
  const byDue = new Map<string, ExportRequest[]>();
  for (const request of requests) byDue.set(request.requestKey.slice(0, 19), [...(byDue.get(request.requestKey.slice(0, 19)) ?? []), request]);
  const iso = (millis: number) => new Date(millis).toISOString().slice(0, 19);
  assert.deepEqual([...byDue.keys()].sort(), [iso(due(0)), iso(due(1)), iso(due(2))], JSON.stringify(requests, null, 1));
  for (const [key, group] of byDue) assert.equal(group.length, PER_FIRING, `requests of due ${key}`);
  for (const n of [0, 1]) {
    for (const request of byDue.get(iso(due(n)))!) {
      const lag = Date.parse(request.exportRequestDate) - due(n);
      assert.ok(lag >= 0 && lag < 3_000, `due ${n} fired on time (lag ${lag} ms)`);
    }
  }
  for (const request of byDue.get(iso(due(2)))!) assert.ok(Date.parse(request.exportRequestDate) >= restartedAt, 'due 2 fired on the restart');
});
