import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import ExcelJS from 'exceljs';
import { runCli, startServer, type ServerProcess } from '../helpers/server-process.js';

// Issue "Exports", acceptance: killing the server during an export leaves no file presented as
// complete; after a restart the export finishes (or ends in ERROR).
let dataDir: string | undefined;
let server: ServerProcess | undefined;
after(async () => {
  await server?.stop('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

test('an export killed midway leaves no partial file and completes after the restart', async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-export-crash-'));
  const env = { DATA_DIR: dataDir, DEMO_ROWS: '400000' };
  server = await startServer(env, 120_000);
  const token = (await runCli(['token', '--user', 'admin@example.com'], env)).stdout.trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const submitted = await (await fetch(`${server.url}/insights/v1/exports`, {
    method: 'POST', headers, body: JSON.stringify({ outputFormat: 'EXCEL', reports: ['USAGE'], startDate: '2025-11-01', endDate: '2026-10-31' }),
  })).json() as { id: string };
  // Wait until the writer has started a file, then kill the process without warning.
  const deadline = Date.now() + 30_000;
  while (!(await filesUnder(path.join(dataDir, 'files'))).some((file) => file.endsWith('.partial')) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await server.stop('SIGKILL');
  assert.ok((await filesUnder(path.join(dataDir, 'files'))).every((file) => file.endsWith('.partial')), 'nothing complete before the kill');

  server = await startServer(env, 120_000);
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
