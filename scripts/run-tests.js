#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's own test runner (through tsx), so CI reads
// node's summary lines. Node 20's `--test` takes no globs, hence this file list.
//
//   node scripts/run-tests.js                 every test file (npm test)
//   node scripts/run-tests.js --quick         all but the slow ones (npm run test:quick)
//   node scripts/run-tests.js a.test.ts …     just these files
//
// Slow files are named `*.slow.test.ts`: the few that need real time or real size (server
// processes killed mid-work on large data, three processes on one database, a real browser).
//
// Files run TEST_CONCURRENCY at a time (default: the cores, at least 2). Each file has its own temp
// directories, PostgreSQL schemas and ports, so they do not meet. More than the cores gains little
// (the files are mostly CPU-bound) and makes the slow files' server starts miss their timeouts
// on a machine that is busy with other work.
//
// Nothing may hang CI: each test (and hook) has a timeout, and the whole run is stopped after
// TEST_RUN_TIMEOUT_SECONDS (default 60 minutes) with a closing line CI can still read. Not
// --test-force-exit: on Node 20 a file's process then exits before its last results reach the
// runner, and they vanish from the count without a failure.
import { spawn } from 'node:child_process';
import { clearTimeout, setTimeout } from 'node:timers';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const TEST_TIMEOUT_MS = 15 * 60_000;
const RUN_TIMEOUT_MS = Number(process.env.TEST_RUN_TIMEOUT_SECONDS ?? 60 * 60) * 1000;
const CONCURRENCY = Number(process.env.TEST_CONCURRENCY ?? Math.max(2, availableParallelism()));
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) {
  console.error(`TEST_CONCURRENCY must be a whole number from 1 up, got "${process.env.TEST_CONCURRENCY}"`);
  process.exit(2);
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((arg) => arg !== '--quick');
const all = [...collect('src', []), ...collect('test', [])].sort();
const files = only.length > 0 ? only : all.filter((file) => !quick || !file.endsWith('.slow.test.ts'));
// The slow files start first: they set the length of the run, the others fill in beside them.
files.sort((a, b) => Number(b.endsWith('.slow.test.ts')) - Number(a.endsWith('.slow.test.ts')));
const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=spec', `--test-timeout=${TEST_TIMEOUT_MS}`, `--test-concurrency=${CONCURRENCY}`, ...files,
], { stdio: 'inherit', detached: true });
const watchdog = setTimeout(() => {
  console.error(`\nThe test run did not finish within ${RUN_TIMEOUT_MS / 1000} s; it was stopped.`);
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  console.log('0 passed, 1 failed');
  process.exit(1);
}, RUN_TIMEOUT_MS);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  });
}
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  process.exit(code ?? (signal ? 1 : 0));
});
