import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { firingRequestKey, nextFiring, resolveDateRange, ScheduleService } from '../../../exports/index.js';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore } from '../../../../test/helpers/build-app.js';

let store: Store;
before(async (t) => {
  store = await openSeededStore(t as never, 3_000);
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const CONTRACT = '110000917988';
const SCHEDULE = {
  dateRangeExpression: 'Previous-1-Month', enableFlag: 'Y', frequencyExpression: '0 * * * * *',
  scheduleObjects: [{ usageCategory: 'DESKTOP_PRODUCT', aggregationLevel: ['Daily', 'Monthly'] }, { usageCategory: 'CLOUD', aggregationLevel: ['Monthly'] }],
};

describe('schedule rules', () => {
  test('a cron expression needs six fields and a valid syntax, and fires in UTC', () => {
    assert.equal(nextFiring('0 0 2 1 * *', new Date('2026-01-15T00:00:00Z')).toISOString(), '2026-02-01T02:00:00.000Z');
    assert.throws(() => nextFiring('0 2 1 * *', new Date()), /six fields/);
    assert.throws(() => nextFiring('0 0 99 * * *', new Date()), /not a valid cron/);
  });

  test('Previous-N-Month covers the whole previous months; days and weeks end yesterday', () => {
    assert.deepEqual(resolveDateRange('Previous-1-Month', new Date('2026-03-15T10:00:00Z')), { from: '2026-02-01', to: '2026-03-01' });
    assert.deepEqual(resolveDateRange('Previous-3-Month', new Date('2026-01-01T00:00:00Z')), { from: '2025-10-01', to: '2026-01-01' });
    assert.deepEqual(resolveDateRange('Previous-7-Day', new Date('2026-03-15T10:00:00Z')), { from: '2026-03-08', to: '2026-03-15' });
  });
});

describe('/tokenflex/v1/export/:c/schedules', () => {
  test('create, list, get, update and delete a schedule, with next and last run dates kept true', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const headers = bearer(await tokenFor('admin@example.com'));
    const created = await app.inject({ method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/schedules`, headers, payload: SCHEDULE });
    assert.equal(created.statusCode, 200, created.body);
    const schedule = created.json();
    assert.match(schedule.scheduleID, /^[0-9a-f-]{36}$/);
    assert.equal(schedule.enableFlag, 'Y');
    assert.equal(schedule.lastRanDate, null);
    assert.ok(Date.parse(schedule.nextRunDate) > Date.now());
    const listed = (await app.inject({ url: `/tokenflex/v1/export/${CONTRACT}/schedules`, headers })).json() as { scheduleID: string }[];
    assert.ok(listed.some((s) => s.scheduleID === schedule.scheduleID));
    const url = `/tokenflex/v1/export/${CONTRACT}/schedules/${schedule.scheduleID}`;
    const disabled = await app.inject({ method: 'PUT', url, headers, payload: { ...SCHEDULE, enableFlag: 'N' } });
    assert.equal(disabled.json().enableFlag, 'N');
    assert.equal(disabled.json().nextRunDate, null);
    assert.equal((await app.inject({ method: 'DELETE', url, headers })).statusCode, 204);
    assert.equal((await app.inject({ url, headers })).statusCode, 404);
  });

  test('an invalid cron expression answers 400 with the reason', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({
      method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/schedules`, headers: bearer(await tokenFor('admin@example.com')),
      payload: { ...SCHEDULE, frequencyExpression: '0 61 * * * *' },
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.json().Message, /cron/);
  });

  test('a due schedule fires once, even with two schedulers racing (two processes, or a restart), creating its exports', async (t) => {
    const { app, tokenFor, jobs } = await buildTestApp(t, store, { concurrency: 0 });
    const headers = bearer(await tokenFor('admin@example.com'));
    const schedule = (await app.inject({ method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/schedules`, headers, payload: SCHEDULE })).json();
    const due = new Date(Date.parse(schedule.nextRunDate) + 500);
    const other = new ScheduleService(store, jobs.tokenflexExports!);
    const fired = await Promise.all([jobs.schedules!.fireDue(due), other.fireDue(due), jobs.schedules!.fireDue(due)]);
    assert.equal(fired.reduce((a, b) => a + b, 0), 1, 'fired exactly once');
    const after = (await app.inject({ url: `/tokenflex/v1/export/${CONTRACT}/schedules/${schedule.scheduleID}`, headers })).json();
    assert.equal(Date.parse(after.lastRanDate), Math.floor(due.getTime() / 1000) * 1000);
    assert.equal(Date.parse(after.nextRunDate), Date.parse(schedule.nextRunDate) + 60_000, 'the next minute');
    // A server that was down for three due times fires once on its return, then keeps the rhythm.
    const late = new Date(Date.parse(after.nextRunDate) + 3 * 60_000 + 500);
    assert.equal(await other.fireDue(late), 1);
    assert.equal(await jobs.schedules!.fireDue(late), 0);
    const day = new Date().toISOString().slice(0, 10);
    const requests = (await app.inject({ url: `/tokenflex/v1/export/${CONTRACT}/requests?fromDate=${day}&toDate=2999-01-01`, headers })).json() as { scheduleId?: string; downloadFileName: string }[];
    const ours = requests.filter((r) => r.scheduleId === schedule.scheduleID);
    // Per firing: DESKTOP Daily + Monthly, and CLOUD Monthly for both cloud categories.
    assert.equal(ours.length, 2 * 4);
    assert.ok(ours.some((r) => r.downloadFileName.startsWith('CLOUD_SERVICE Monthly')));
  });

  test('a firing cut short after some of its requests (a crash) is completed by the next tick, not repeated', async (t) => {
    const { app, tokenFor, jobs } = await buildTestApp(t, store, { concurrency: 0 });
    const headers = bearer(await tokenFor('admin@example.com'));
    const schedule = (await app.inject({ method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/schedules`, headers, payload: SCHEDULE })).json();
    const keys = [0, 1, 2, 3].map((i) => firingRequestKey(schedule.scheduleID, schedule.nextRunDate, i));
    assert.ok(keys.every((key) => key.startsWith(schedule.nextRunDate.slice(0, 19))), 'keys carry the due time');
    // 1. What the process that died had done: the firing's first request, not yet the claim.
    const admin = (await store.findUserByEmail('admin@example.com'))!;
    await jobs.tokenflexExports!.submit(admin.id, CONTRACT, { fields: ['productName'], metrics: ['tokensConsumed'] }, { scheduleId: schedule.scheduleID, requestKey: keys[0]! });
    // 2. The schedule is still due; the next tick makes the other three requests and claims the firing.
    const due = new Date(Date.parse(schedule.nextRunDate) + 500);
    assert.equal(await jobs.schedules!.fireDue(due), 1);
    assert.equal(await jobs.schedules!.fireDue(due), 0);
    const day = new Date().toISOString().slice(0, 10);
    const requests = (await app.inject({ url: `/tokenflex/v1/export/${CONTRACT}/requests?fromDate=${day}&toDate=2999-01-01`, headers })).json() as { requestKey: string; scheduleId?: string }[];
    assert.deepEqual(requests.filter((r) => r.scheduleId === schedule.scheduleID).map((r) => r.requestKey).sort(), [...keys].sort());
  });
});
