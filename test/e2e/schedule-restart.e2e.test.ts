import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startE2eServer } from '../helpers/e2e-server.js';

// Issue "Exports", acceptance: a schedule due every minute fires once per minute across a
// restart, not twice and not zero times. What "once" means, as ScheduleService implements it:
// - every due time while a server runs fires once, at that time (within the 1 s scheduler tick);
// - a restart between two due times changes nothing: the next due time fires once;
// - due times missed while no server ran fire once, late, when a server starts again (one
//   catch-up firing for the earliest missed due time, never one per missed minute), and the
//   rhythm continues from then.
// Each firing's requests are keyed `<due time>#<uuid>`, so the keys show which due time made them.
// The servers are real processes (SIGTERM, SIGKILL), but their schedule clock is the system's
// plus an offset the test moves (issue 21): it jumps to half a second before each due time, or
// over the outage, instead of waiting for the minutes to pass. Export requests keep the system's
// time, so a request's time on the schedule clock is its exportRequestDate plus the offset then.
const CONTRACT = '110000917988';
const PER_FIRING = 2; // DESKTOP_PRODUCT × (Daily, Monthly)

interface Schedule { scheduleID: string; nextRunDate: string | null; lastRanDate: string | null }
interface ExportRequest { requestKey: string; scheduleId?: string; exportRequestDate: string }

test('an every-minute schedule fires once per due minute across a SIGTERM restart and a SIGKILL outage', async (t) => {
  let offset = 0;
  /** Now on the servers' schedule clock. */
  const clockNow = () => Date.now() + offset;
  const e2e = await startE2eServer(t, { name: 'schedule', scheduleClockOffsetMs: offset });
  /** Moves the running server's schedule clock to `at`. */
  const moveClockTo = async (at: number) => {
    offset = at - Date.now();
    await e2e.process.setScheduleClockOffset(offset);
  };
  const headers = await e2e.headers();
  const base = `/tokenflex/v1/export/${CONTRACT}`;
  const get = async <T>(url: string): Promise<T> => {
    const response = await fetch(`${e2e.url}${url}`, { headers });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as T;
  };
  /** Polls the schedule until it has run at or after `at` (schedule clock). */
  const ranSince = async (id: string, at: number, timeoutMs: number): Promise<Schedule> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const schedule = await get<Schedule>(`${base}/schedules/${id}`);
      if (schedule.lastRanDate && Date.parse(schedule.lastRanDate) >= at) return schedule;
      assert.ok(Date.now() < deadline, `the schedule did not run at or after ${new Date(at).toISOString()}: ${JSON.stringify(schedule)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  // 1. Every minute at the second that comes 3 s from now.
  const second = new Date(clockNow() + 3_000).getUTCSeconds();
  const created = await fetch(`${e2e.url}${base}/schedules`, {
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
  /** The schedule clock's offset while due n fired. */
  const offsetAt: number[] = [];

  // 2. Server A fires due 0, then stops gracefully; server B starts at once (no due time missed).
  await moveClockTo(due(0) - 500);
  offsetAt[0] = offset;
  await ranSince(schedule.scheduleID, due(0), 10_000);
  assert.equal(await e2e.restart({ signal: 'SIGTERM', scheduleClockOffsetMs: offset }), 0);
  assert.equal((await get<Schedule>(`${base}/schedules/${schedule.scheduleID}`)).nextRunDate, new Date(due(1)).toISOString().replace('.000Z', 'Z'),
    'the restart did not fire due 0 again');

  // 3. B fires due 1, then is killed; nothing runs over due 2; server C starts after it.
  await moveClockTo(due(1) - 500);
  offsetAt[1] = offset;
  await ranSince(schedule.scheduleID, due(1), 10_000);
  const restartedAt = due(2) + 1_000;
  await e2e.restart({ signal: 'SIGKILL', scheduleClockOffsetMs: () => (offset = restartedAt - Date.now()) });
  const caughtUp = await ranSince(schedule.scheduleID, Math.floor(restartedAt / 1000) * 1000, 10_000);
  assert.equal(caughtUp.nextRunDate, new Date(due(3)).toISOString().replace('.000Z', 'Z'), 'the rhythm continues from due 3');

  // 4. Exactly PER_FIRING requests per due time, none for any other time; the missed one came late, once.
  const day = (millis: number) => new Date(millis).toISOString().slice(0, 10);
  const requests = (await get<ExportRequest[]>(`${base}/requests?fromDate=${day(due0 - 86_400_000)}&toDate=${day(clockNow() + 86_400_000)}`))
    .filter((r) => r.scheduleId === schedule.scheduleID);
  const byDue = new Map<string, ExportRequest[]>();
  for (const request of requests) byDue.set(request.requestKey.slice(0, 19), [...(byDue.get(request.requestKey.slice(0, 19)) ?? []), request]);
  const iso = (millis: number) => new Date(millis).toISOString().slice(0, 19);
  assert.deepEqual([...byDue.keys()].sort(), [iso(due(0)), iso(due(1)), iso(due(2))], JSON.stringify(requests, null, 1));
  for (const [key, group] of byDue) assert.equal(group.length, PER_FIRING, `requests of due ${key}`);
  for (const n of [0, 1]) {
    for (const request of byDue.get(iso(due(n)))!) {
      const lag = Date.parse(request.exportRequestDate) + offsetAt[n]! - due(n);
      assert.ok(lag >= 0 && lag < 3_000, `due ${n} fired on time (lag ${lag} ms)`);
    }
  }
  for (const request of byDue.get(iso(due(2)))!) assert.ok(Date.parse(request.exportRequestDate) + offset >= restartedAt, 'due 2 fired on the restart');
});
