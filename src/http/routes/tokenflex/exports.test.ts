import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { DuckDBConnection } from '@duckdb/node-api';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { LocalFileStore, loadDownloadSecret, UrlSigner } from '../../../exports/index.js';
import { createJobServices } from '../../../app-services.js';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededDatabases } from '../../../../test/helpers/build-app.js';
import { pollUntil } from '../../../../test/helpers/poll.js';

let store: Store;
let raw: DuckDBConnection;
before(async (t) => {
  ({ store, raw } = await openSeededDatabases(t as never, 20_000));
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const CONTRACT = '110000917988';
const settled = (body: Record<string, unknown>) => body.requestStatus !== 'Requested';
const keyPath = (key: string) => `/tokenflex/v1/export/${CONTRACT}/requests/${encodeURIComponent(key)}`;

// Seed 002: the full desktop session-level field and metric set.
const SESSION_EXPORT = {
  fields: ['usageMonth', 'usageDate', 'contractYear', 'productName', 'productLineCode', 'productVersion', 'productFeatureCode', 'userName',
    'machineName', 'sessionStartDate', 'sessionEndDate', 'licenseServerTimeZoneOffset', 'chargedItemID', 'chargeCategory', 'licenseServerName',
    'usageType', 'usageCategory', ...Array.from({ length: 10 }, (_, i) => `customField${i + 1}`)],
  metrics: ['tokensConsumed', 'usageMinutes', 'usageHours'],
  usageCategory: ['DESKTOP_PRODUCT'],
  where: "usageDate >= '2025-03-01' and usageDate < '2025-04-01'",
  downloadFileName: 'myDesktopSessionLevelExport',
};

describe('Token Flex export requests', () => {
  test('the seed 002 desktop session-level export downloads as a CSV with one row per session of the month', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const submit = await app.inject({ method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/requests`, headers: bearer(token), payload: SESSION_EXPORT });
    assert.equal(submit.statusCode, 200, submit.body);
    const created = submit.json();
    assert.match(created.requestKey, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}#[0-9a-f-]{36}$/);
    assert.equal(created.requestStatus, 'Requested');
    assert.equal(created.downloadFileName, 'myDesktopSessionLevelExport.csv');
    const done = await pollUntil(app, keyPath(created.requestKey), token, settled);
    assert.equal(done.requestStatus, 'Download', JSON.stringify(done));
    assert.equal(done.readFlag, 'N');
    const link = new URL(String(done.downloadUrl));
    const file = await app.inject({ url: `${link.pathname}${link.search}` });
    assert.equal(file.statusCode, 200);
    assert.match(String(file.headers['content-disposition']), /myDesktopSessionLevelExport\.csv/);
    const rows = parse(file.body) as string[][];
    assert.deepEqual(rows[0], [...SESSION_EXPORT.fields, ...SESSION_EXPORT.metrics]);
    const expected = (await raw.runAndReadAll(
      `select count(*) from usage_records where contract_number = $1 and usage_category = 'DESKTOP_PRODUCT'
         and usage_date >= date '2025-03-01' and usage_date < date '2025-04-01'`, [CONTRACT])).getRowsJson()[0]![0];
    assert.equal(rows.length - 1, Number(expected));
    assert.equal(done.rowCount, Number(expected));
    const ids = rows.slice(1).map((row) => row[SESSION_EXPORT.fields.indexOf('chargedItemID')]);
    assert.equal(new Set(ids).size, ids.length, 'one row per session');
  });

  test('a session-level desktop export with a field outside the seed 002 set is rejected naming it', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({
      method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/requests`, headers: bearer(await tokenFor('admin@example.com')),
      payload: { ...SESSION_EXPORT, fields: [...SESSION_EXPORT.fields, 'tokenPool'], metrics: ['tokensConsumed', 'uniqueUsers'] },
    });
    assert.equal(response.statusCode, 400);
    assert.match(response.json().Message, /tokenPool, uniqueUsers/);
  });

  test('a session-level export without an explicit usage category is rejected', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const response = await app.inject({
      method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/requests`, headers: bearer(await tokenFor('admin@example.com')),
      payload: { fields: ['chargedItemID'], metrics: ['tokensConsumed'] },
    });
    assert.equal(response.statusCode, 400);
  });

  test('the 51st waiting request answers 429 with Retry-After and the queue figures; after some complete, new ones are accepted', async (t) => {
    const { app, tokenFor, dataDir } = await buildTestApp(t, store, { concurrency: 0 });
    const token = await tokenFor('alice@example.com');
    const contract = ((await app.inject({ url: '/tokenflex/v1/contract', headers: bearer(token) })).json() as { contractNumber: string }[])[0]!.contractNumber;
    for (let i = 0; i < 50; i++) {
      const ok = await app.inject({ method: 'POST', url: `/tokenflex/v1/export/${contract}/requests`, headers: bearer(token), payload: { fields: ['productName'], metrics: ['tokensConsumed'] } });
      assert.equal(ok.statusCode, 200);
    }
    const refused = await app.inject({ method: 'POST', url: `/tokenflex/v1/export/${contract}/requests`, headers: bearer(token), payload: { fields: ['productName'], metrics: ['tokensConsumed'] } });
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers['retry-after'], '30');
    assert.equal(refused.json().Code, 'TooManyRequestsError');
    assert.deepEqual([refused.json().queued, refused.json().limit], [50, 50]);
    // After some complete (here a second worker process on the same database runs them), new
    // requests are accepted again.
    const worker = createJobServices(store, store.backend, { concurrency: 2, queryTimeoutMs: 60_000, resultRetentionMs: 3_600_000 }, undefined, {
      files: new LocalFileStore(path.join(dataDir, 'files')), signer: new UrlSigner(await loadDownloadSecret(dataDir), 'http://localhost:8080'),
    });
    await worker.runner.start();
    // Stopped here, not in an after hook: the app's cleanup removes the directory it writes into.
    try {
      const day = new Date().toISOString().slice(0, 10);
      const list = `/tokenflex/v1/export/${contract}/requests?fromDate=${day}&toDate=2999-01-01`;
      const deadline = Date.now() + 30_000;
      for (;;) {
        const listed = (await app.inject({ url: list, headers: bearer(token) })).json() as { requestStatus: string }[];
        if (listed.filter((r) => r.requestStatus === 'Download').length >= 3) break;
        assert.ok(Date.now() < deadline, 'the second worker completes some requests');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await worker.runner.stop();
    }
    const accepted = await app.inject({ method: 'POST', url: `/tokenflex/v1/export/${contract}/requests`, headers: bearer(token), payload: { fields: ['productName'], metrics: ['tokensConsumed'] } });
    assert.equal(accepted.statusCode, 200, accepted.body);
  });

  test('list, markRead, refreshUrl and delete behave as the original', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const token = await tokenFor('admin@example.com');
    const created = (await app.inject({
      method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/requests`, headers: bearer(token),
      payload: { fields: ['productName', 'usageMonth'], metrics: ['tokensConsumed'], usageCategory: ['DESKTOP_PRODUCT'], where: "usageMonth = '2025-10-01'", downloadFileName: 'DesktopUsage Oct 2025.csv' },
    })).json();
    assert.equal(created.downloadFileName, 'DesktopUsage Oct 2025.csv', '.csv is appended once');
    const done = await pollUntil(app, keyPath(created.requestKey), token, settled);
    assert.equal(done.requestStatus, 'Download');
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const listed = (await app.inject({ url: `/tokenflex/v1/export/${CONTRACT}/requests?fromDate=${today}&toDate=${tomorrow}`, headers: bearer(token) })).json() as { requestKey: string }[];
    assert.ok(listed.some((r) => r.requestKey === created.requestKey));
    const empty = (await app.inject({ url: `/tokenflex/v1/export/${CONTRACT}/requests?fromDate=${tomorrow}&toDate=${tomorrow}`, headers: bearer(token) })).json();
    assert.deepEqual(empty, []);
    assert.equal((await app.inject({ url: `/tokenflex/v1/export/${CONTRACT}/requests`, headers: bearer(token) })).statusCode, 400, 'both dates required');
    const marked = (await app.inject({ method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/requests/markRead`, headers: bearer(token), payload: [created.requestKey] })).json();
    assert.deepEqual(marked, [created.requestKey]);
    const again = (await app.inject({ method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/requests/markRead`, headers: bearer(token), payload: [created.requestKey] })).json();
    assert.deepEqual(again, []);
    const refreshed = (await app.inject({ method: 'POST', url: `${keyPath(created.requestKey)}/refreshUrl`, headers: bearer(token) })).json();
    assert.equal(refreshed.readFlag, 'Y');
    assert.ok(refreshed.downloadUrl);
    const retried = (await app.inject({ method: 'POST', url: `${keyPath(created.requestKey)}/retry`, headers: bearer(token) })).json();
    assert.equal(retried.requestStatus, 'Download', 'retry has no effect unless Error');
    assert.equal((await app.inject({ method: 'DELETE', url: keyPath(created.requestKey), headers: bearer(token) })).statusCode, 204);
    assert.equal((await app.inject({ url: keyPath(created.requestKey), headers: bearer(token) })).statusCode, 404);
    const link = new URL(String(done.downloadUrl));
    assert.equal((await app.inject({ url: `${link.pathname}${link.search}` })).statusCode, 403, 'the file went with the request');
  });

  test('retry of a request still waiting in Requested changes nothing (spec §4: only from Error)', async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store, { concurrency: 0 });
    const token = await tokenFor('admin@example.com');
    const created = (await app.inject({
      method: 'POST', url: `/tokenflex/v1/export/${CONTRACT}/requests`, headers: bearer(token), payload: { fields: ['productName'], metrics: ['tokensConsumed'] },
    })).json();
    const before = await store.getJob(created.requestKey);
    const retried = await app.inject({ method: 'POST', url: `${keyPath(created.requestKey)}/retry`, headers: bearer(token) });
    assert.equal(retried.statusCode, 200);
    assert.equal(retried.json().requestStatus, 'Requested');
    assert.deepEqual(await store.getJob(created.requestKey), before, 'the job row is untouched');
  });

  test("another contract's requests are 403, a malformed key 400", async (t) => {
    const { app, tokenFor } = await buildTestApp(t, store);
    const alice = await tokenFor('alice@example.com');
    assert.equal((await app.inject({ url: `/tokenflex/v1/export/${CONTRACT}/requests?fromDate=2025-01-01&toDate=2026-01-01`, headers: bearer(alice) })).statusCode, 403);
    const admin = await tokenFor('admin@example.com');
    assert.equal((await app.inject({ url: `/tokenflex/v1/export/${CONTRACT}/requests/not-a-key`, headers: bearer(admin) })).statusCode, 400);
  });
});
