import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { startE2eServer, type E2eServer } from '../helpers/e2e-server.js';
import { suiteScope } from '../helpers/suite-scope.js';

// Issue "Exports", acceptance: killing the server during an export leaves no file presented as
// complete; after a restart the export finishes (or ends in ERROR), and `retry` works.
// A slow test (issue 21): the export must be big enough (400,000 demo records) to be killed midway.
const scope = suiteScope();
let server: E2eServer | undefined;
let headers: Record<string, string> = {};

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

test('an export killed midway leaves no partial file and completes after the restart', async () => {
  server = await startE2eServer(scope, { name: 'export-crash', demoRows: 400_000, startTimeoutMs: 300_000 });
  const dataDir = server.dataDir;
  headers = await server.headers();
  const submitted = await (await fetch(`${server.url}/insights/v1/exports`, {
    method: 'POST', headers, body: JSON.stringify({ outputFormat: 'EXCEL', reports: ['USAGE'], startDate: '2025-11-01', endDate: '2026-10-31' }),
  })).json() as { id: string };
  // Wait until the writer has started a file, then kill the process without warning.
  const deadline = Date.now() + 30_000;
  while (!(await filesUnder(path.join(dataDir, 'files'))).some((file) => file.endsWith('.partial')) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await server.restart({
    signal: 'SIGKILL',
    between: async () => assert.ok((await filesUnder(path.join(dataDir, 'files'))).every((file) => file.endsWith('.partial')), 'nothing complete before the kill'),
  });
  let status: { status: string; downloads: { downloadURL: string; rowCount: number }[] } | undefined;
  const finalDeadline = Date.now() + 120_000;
  while (Date.now() < finalDeadline) {
    status = await (await fetch(`${server.url}/insights/v1/exports/${submitted.id}`, { headers })).json() as typeof status;
    if (status!.status !== 'SUBMITTED') break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(status?.status, 'COMPLETED', JSON.stringify(status));
  assert.equal((await filesUnder(path.join(dataDir, 'files'))).filter((file) => file.endsWith('.partial')).length, 0, 'leftovers removed');
  const link = new URL(status!.downloads[0]!.downloadURL);
  const file = Buffer.from(await (await fetch(`${server.url}${link.pathname}${link.search}`)).arrayBuffer());
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(file as unknown as ArrayBuffer);
  assert.equal(workbook.worksheets[0]!.rowCount - 1, status!.downloads[0]!.rowCount);
});

test('a Token Flex export that ended in Error goes back to Requested on retry, then downloads; retry does nothing otherwise', async () => {
  assert.ok(server, 'runs on the server restarted by the test above');
  const dataDir = server.dataDir;
  const contract = '110000917988';
  const base = `${server.url}/tokenflex/v1/export/${contract}/requests`;
  type Request = { requestKey: string; requestStatus: string; downloadUrl?: string; rowCount?: number; error?: { title: string } };
  const call = async (url: string, method = 'GET', body?: object): Promise<Request> => {
    const response = await fetch(url, body
      ? { method, headers, body: JSON.stringify(body) }
      : { method, headers: { authorization: headers.authorization! } });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Request;
  };
  const settle = async (key: string): Promise<Request> => {
    for (;;) {
      const request = await call(`${base}/${encodeURIComponent(key)}`);
      if (request.requestStatus !== 'Requested') return request;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  // 1. A real failure: the directory Token Flex files go to cannot be created (a file is in the
  //    way, as after a botched restore), so the export fails on the server.
  const blocker = path.join(dataDir, 'files', 'exports', 'tokenflex');
  await rm(blocker, { recursive: true, force: true });
  await mkdir(path.dirname(blocker), { recursive: true });
  await writeFile(blocker, 'not a directory');
  const created = await call(base, 'POST', { fields: ['productName', 'usageMonth'], metrics: ['tokensConsumed'], usageCategory: ['DESKTOP_PRODUCT'], downloadFileName: 'retried' });
  const failed = await settle(created.requestKey);
  assert.equal(failed.requestStatus, 'Error', JSON.stringify(failed));
  assert.equal(failed.downloadUrl, undefined, 'no link while in Error');
  assert.ok(failed.error?.title, 'the Error carries a reason');

  // 2. The cause removed, retry puts it back to Requested and it completes with a working file.
  await rm(blocker);
  const retried = await call(`${base}/${encodeURIComponent(created.requestKey)}/retry`, 'POST');
  assert.equal(retried.requestStatus, 'Requested');
  const done = await settle(created.requestKey);
  assert.equal(done.requestStatus, 'Download', JSON.stringify(done));
  const link = new URL(done.downloadUrl!);
  const file = await fetch(`${server.url}${link.pathname}${link.search}`);
  assert.equal(file.status, 200);
  assert.match(String(file.headers.get('content-disposition')), /retried\.csv/);
  const rows = parse(await file.text()) as string[][];
  assert.deepEqual(rows[0], ['productName', 'usageMonth', 'tokensConsumed']);
  assert.ok(rows.length > 1);
  assert.equal(rows.length - 1, done.rowCount);

  // 3. From any other status retry changes nothing (spec §4: "no effect otherwise").
  const again = await call(`${base}/${encodeURIComponent(created.requestKey)}/retry`, 'POST');
  assert.equal(again.requestStatus, 'Download');
  assert.equal(new URL(again.downloadUrl!).pathname, link.pathname, 'the same file');
});
