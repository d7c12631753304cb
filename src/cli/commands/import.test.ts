import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { loadSigningKeys } from '../../auth/index.js';
import { loadConfig } from '../../config.js';
import { controlSocketPath, startControlSocket } from '../../http/index.js';
import { openDuckDbStore } from '../../store/index.js';
import { copyFixtureDatabase } from '../../../test/helpers/usage-fixture.js';
import { describeImport, formatOfFile, runImportCommand, type ImportOutput } from './import.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const NDJSON = path.join(FIXTURES, 'usage-sessions.ndjson');
const CSV = path.join(FIXTURES, 'usage-sessions.csv');

function capture(isTTY = false): ImportOutput & { lines: string[]; drawn: string[] } {
  const lines: string[] = [];
  const drawn: string[] = [];
  return { lines, drawn, isTTY, summary: (line) => lines.push(line), progress: (text) => drawn.push(text) };
}

async function dataDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'usage-import-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await copyFixtureDatabase(dir);
  return dir;
}

test('the format comes from --format, else from the extension under .gz', () => {
  assert.equal(formatOfFile('a.CSV'), 'csv');
  assert.equal(formatOfFile('a.jsonl.gz'), 'ndjson');
  assert.equal(formatOfFile('a.txt', 'csv'), 'csv');
  assert.throws(() => formatOfFile('a.txt'), /pass --format csv or --format ndjson/);
});

test('without a server the files are imported on the store opened here, one summary line each', async (t) => {
  const dir = await dataDir(t);
  const config = loadConfig({ DATA_DIR: dir }, process.cwd());
  const output = capture();
  assert.equal(await runImportCommand(config, { files: [NDJSON, CSV], dryRun: false }, output), true);
  assert.match(output.lines[0] ?? '', /usage-sessions\.ndjson: 8 records: 8 inserted, 0 duplicates, 8 records rated \(the new ones and the earlier records of the same users and days\) in \d+\.\d s \(\d+ records\/s\)$/);
  assert.match(output.lines[1] ?? '', /usage-sessions\.csv: 8 records: 0 inserted, 8 duplicates, 0 records rated in/);
  assert.deepEqual(output.drawn, []);

  const bad = path.join(dir, 'bad.jsonl.gz');
  await writeFile(bad, gzipSync('{"contractNumber":"FX1","userName":"ann"}\n'));
  const refused = capture();
  assert.equal(await runImportCommand(config, { files: [bad], dryRun: false }, refused), false);
  assert.match(refused.lines[0] ?? '', /bad\.jsonl\.gz: The batch has 5 problems on 1 line; nothing was written\./);
  assert.match(refused.lines[0] ?? '', /\n {2}line 1, productLineCode: is required for DESKTOP_PRODUCT records/);
});

test('while a server holds the database the files stream through its control socket', async (t) => {
  const dir = await dataDir(t);
  const store = await openDuckDbStore({ dataDir: dir });
  const keys = await loadSigningKeys(dir);
  const socket = await startControlSocket(controlSocketPath(dir), { store, keys, tokens: { issuer: 'http://localhost:8080', audience: 'usage-insights' } });
  t.after(async () => {
    await new Promise((resolve) => socket.close(resolve));
    await store.close();
  });
  const config = loadConfig({ DATA_DIR: dir }, process.cwd());
  const dry = capture(true);
  assert.equal(await runImportCommand(config, { files: [CSV], dryRun: true }, dry), true);
  assert.match(dry.lines[0] ?? '', /8 records valid; would insert 8, 0 duplicates \(dry run: nothing written\)/);
  // A terminal gets its progress line cleared before the summary.
  assert.equal(dry.drawn.at(-1), '\r\u001b[K');
  const output = capture();
  assert.equal(await runImportCommand(config, { files: [NDJSON], dryRun: false, contract: 'FX1' }, output), true);
  assert.match(output.lines[0] ?? '', /8 records: 8 inserted, 0 duplicates, 8 records rated/);
  const rows: unknown[][] = [];
  for await (const row of store.streamRows({ sql: 'select count(*)::integer, sum(tokens_consumed) from usage_records', parameters: [] }, new AbortController().signal)) rows.push(row);
  assert.deepEqual(rows, [[8, 32]]);
  // The body never sat in memory on the server side: a file bigger than the control socket's 64 KiB limit goes through.
  const big = path.join(dir, 'big.ndjson');
  await writeFile(big, readFileSync(NDJSON, 'utf8').repeat(1000));
  const again = capture();
  assert.equal(await runImportCommand(config, { files: [big], dryRun: true }, again), true);
  assert.match(again.lines[0] ?? '', /8000 records valid; would insert 0, 8000 duplicates/);
});

// Issue 22: "1 records … (2 records/s)" read badly, and "rated" did not say what it counts.
test('the summary line is pluralised and says what "rated" counts', () => {
  const line = describeImport('one.ndjson', { records: 1, inserted: 1, duplicates: 0, rated: 20_697, dryRun: false }, 0.5);
  assert.equal(line, 'one.ndjson: 1 record: 1 inserted, 0 duplicates, 20697 records rated (the new ones and the earlier records of the same users and days) in 0.5 s (2 records/s)');
  assert.equal(describeImport('two.csv', { records: 1, inserted: 0, duplicates: 1, rated: 1, dryRun: false }, 1),
    'two.csv: 1 record: 0 inserted, 1 duplicate, 1 record rated (the new ones and the earlier records of the same users and days) in 1.0 s (1 record/s)');
});
