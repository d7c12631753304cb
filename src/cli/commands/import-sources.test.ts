import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadSigningKeys } from '../../auth/index.js';
import { loadConfig } from '../../config.js';
import { controlSocketPath, startControlSocket } from '../../http/index.js';
import { openDuckDbStore } from '../../store/index.js';
import { copyFixtureDatabase } from '../../../test/helpers/usage-fixture.js';
import { runImportCommand, type ImportOutput } from './import.js';

// `insights import --source …` (issue 20, docs/sources.md), on the fixture world (contract FX1,
// AutoCAD 2025 = 87140ACD_2025_0F).

function capture(): ImportOutput & { lines: string[] } {
  const lines: string[] = [];
  return { lines, isTTY: false, summary: (line) => lines.push(line), progress: () => undefined };
}

async function dataDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'usage-import-sources-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await copyFixtureDatabase(dir);
  return dir;
}

test('--source flexlm: rotated logs given in any order are one batch; --dry-run lists the unknown features first', async (t) => {
  const dir = await dataDir(t);
  const config = loadConfig({ DATA_DIR: dir }, process.cwd());
  const older = path.join(dir, 'debug.log.1');
  const newer = path.join(dir, 'debug.log');
  await writeFile(older, [
    ' 7:40:19 (lmgrd) FlexNet Licensing (v11.16.2.1 build 245043 x64_n6) started on NYC-LIC01 (IBM PC) (3/3/2025)',
    ' 8:00:00 (adskflex) OUT: "87140ACD_2025_0F" ann@WS-31',
    ' 8:05:00 (adskflex) OUT: "87600INVPROSA_2024_0F" bob@WS-33',
    ' 8:06:00 (adskflex) DENIED: "87140ACD_2025_0F" cy@WS-40  (Licensed number of users already reached. (-4,342:10054 ""))',
    '',
  ].join('\n'));
  await writeFile(newer, [' 9:00:00 (adskflex) TIMESTAMP 3/3/2025', ' 9:30:00 (adskflex) IN: "87140ACD_2025_0F" ann@WS-31', ''].join('\n'));
  const options = { files: [newer, older], source: 'flexlm', server: 'NYC-LIC01', offset: '-05:00', contract: 'FX1' } as const;
  const dry = capture();
  assert.equal(await runImportCommand(config, { ...options, dryRun: true }, dry), true);
  assert.match(dry.lines.join('\n'), /1 record valid; would insert 1/);
  assert.match(dry.lines.join('\n'), /6 log lines: 1 session \(1 checkin\), 1 denial/);
  assert.match(dry.lines.join('\n'), /features no product has \(1 line; add .*\n {2}87600INVPROSA_2024_0F: 1 line, first .*debug\.log\.1 line 3 \(looks like INVPROSA 2024\)/);
  const refused = capture();
  assert.equal(await runImportCommand(config, { ...options, dryRun: false }, refused), false);
  assert.match(refused.lines[0] ?? '', /nothing was written[^]*debug\.log\.1, line 3, feature: no product has the feature code 87600INVPROSA_2024_0F/);

  await writeFile(older, (await import('node:fs')).readFileSync(older, 'utf8').replace(' 8:05:00 (adskflex) OUT: "87600INVPROSA_2024_0F" bob@WS-33\n', ''));
  const output = capture();
  assert.equal(await runImportCommand(config, { ...options, dryRun: false }, output), true);
  assert.match(output.lines.join('\n'), /1 record: 1 inserted, 0 duplicates, 1 record rated/);
  const store = await openDuckDbStore({ dataDir: dir });
  t.after(() => store.close());
  const rows: string[] = [];
  for await (const row of store.streamRows({
    sql: `select 'session', user_name, strftime(session_start, '%H:%M'), strftime(session_end, '%H:%M') from usage_records
      union all select 'denial', user_name, strftime(denied_at, '%H:%M'), reason_code from license_denials order by 1`, parameters: [],
  }, new AbortController().signal)) rows.push(row.join(' '));
  assert.deepEqual(rows, ['denial cy 13:06 -4,342', 'session ann 13:00 14:30']);
});

test('--source tokenflex-export streams through the running server; it needs --contract', async (t) => {
  const dir = await dataDir(t);
  const store = await openDuckDbStore({ dataDir: dir });
  await store.updateContract('FX1', { chargesFrom: 'autodesk' });
  const keys = await loadSigningKeys(dir);
  const socket = await startControlSocket(controlSocketPath(dir), { store, keys, tokens: { issuer: 'http://localhost:8080', audience: 'usage-insights' } });
  t.after(async () => {
    await new Promise((resolve) => socket.close(resolve));
    await store.close();
  });
  const file = path.join(dir, 'export.csv');
  await writeFile(file, [
    '"usageDate","contractYear","productLineCode","productVersion","userName","sessionStartDate","sessionEndDate","licenseServerTimeZoneOffset","chargedItemID","chargeCategory","tokensConsumed",',
    '"2025-03-03","1","ACD","2025","ann","2025-03-03 14:00:00","2025-03-03 15:00:00","+00:00","c-1","CHARGED","6.0",',
    '"2025-03-03","1","ACD","2025","ann","2025-03-03 16:00:00","2025-03-03 16:02:00","+00:00","c-2","CASUAL","0.0",',
    '',
  ].join('\r\n'));
  const config = loadConfig({ DATA_DIR: dir }, process.cwd());
  await assert.rejects(runImportCommand(config, { files: [file], source: 'tokenflex-export', dryRun: false }, capture()), /needs --contract/);
  const output = capture();
  assert.equal(await runImportCommand(config, { files: [file], source: 'tokenflex-export', contract: 'FX1', dryRun: false }, output), true, output.lines.join('\n'));
  assert.match(output.lines[0] ?? '', /export\.csv: 2 records: 2 inserted, 0 duplicates, 0 records rated/);
  const again = capture();
  assert.equal(await runImportCommand(config, { files: [file], source: 'tokenflex-export', contract: 'FX1', dryRun: false }, again), true);
  assert.match(again.lines[0] ?? '', /2 records: 0 inserted, 2 duplicates/);
  const rows: string[] = [];
  for await (const row of store.streamRows({ sql: 'select charge_category, tokens_consumed, usage_minutes from usage_records order by 1', parameters: [] }, new AbortController().signal)) {
    rows.push(row.join(' '));
  }
  assert.deepEqual(rows, ['CASUAL 0 2', 'CHARGED 6 60']);
});
