#!/usr/bin/env node
// Runs the *.test.ts files under src/ and test/ with Node's own test runner (through tsx), so CI
// reads node's summary lines. Node 20's `--test` takes no globs, hence this file list.
//
//   node scripts/run-tests.js                 every test file, one process each (npm test)
//   node scripts/run-tests.js --quick         the quick files, grouped (npm run test:quick)
//   node scripts/run-tests.js a.test.ts …     just these files, one process each
//   --grouped / --isolated                    force grouping on or off
//
// Quick files: all but the slow ones (`*.slow.test.ts`: real time or real size) and the end-to-end
// ones (`test/e2e/`: real server processes). Grouped, the files run in TEST_CONCURRENCY processes
// (default: the cores, at least 2), each importing its share of the files one after the other,
// every file's tests and hooks inside a suite named after the file: a process and its module graph
// (tsx, Fastify, DuckDB, …) are paid once per group, not once per file; property and race tests
// take a fifth of their rounds (TEST_QUICK=1, test/helpers/rounds.ts). The groups are balanced by
// each file's duration in the last grouped run (node_modules/.cache/usage-insights/test-durations.json).
// Isolated, each file has its own process, TEST_CONCURRENCY at a time; each file has its own temp
// directories, PostgreSQL schemas and ports either way.
//
// Nothing may hang CI: each test (and hook) has a timeout, and the whole run is stopped after
// TEST_RUN_TIMEOUT_SECONDS (default 60 minutes) with a closing line CI can still read. Not
// --test-force-exit: on Node 20 a file's process then exits before its last results reach the
// runner, and they vanish from the count without a failure.
import { spawn } from 'node:child_process';
import { clearTimeout, setTimeout } from 'node:timers';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
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
const DURATIONS_FILE = path.resolve('node_modules/.cache/usage-insights/test-durations.json');

const flags = new Set(['--quick', '--grouped', '--isolated']);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const grouped = args.includes('--grouped') || (quick && !args.includes('--isolated'));
const only = args.filter((arg) => !flags.has(arg));
const isQuick = (file) => !file.endsWith('.slow.test.ts') && !file.startsWith(`test${path.sep}e2e${path.sep}`);
const all = [...collect('src', []), ...collect('test', [])].sort();
const files = only.length > 0 ? only : all.filter((file) => !quick || isQuick(file));

function readDurations() {
  try {
    return JSON.parse(readFileSync(DURATIONS_FILE, 'utf8'));
  } catch {
    return {};
  }
}

/** Longest first, each to the group with the least work so far; unknown files weigh by size. */
function groupFiles(list, count) {
  const known = readDurations();
  const weight = (file) => known[file] ?? statSync(file).size / 5;
  const groups = Array.from({ length: Math.min(count, list.length) }, () => ({ files: [], total: 0 }));
  for (const file of [...list].sort((a, b) => weight(b) - weight(a))) {
    const lightest = groups.reduce((a, b) => (b.total < a.total ? b : a));
    lightest.files.push(file);
    lightest.total += weight(file);
  }
  return groups.map((group) => group.files);
}

/**
 * A test file that runs `list` one after the other, each file in a suite of its own. A file's
 * root-level hooks then get a suite's context, which on Node 20 has no `after()`; the files that
 * register cleanup through it (`before(async (t) => openSeededStore(t, …))`) get one that runs
 * when the file's suite ends, as the root's would at the end of the file's own process.
 */
function groupSource(list, durationsOut) {
  return `import { after, before, describe } from 'node:test';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const took = {};
let closers = [];
after(() => writeFileSync(${JSON.stringify(durationsOut)}, JSON.stringify(took)));
for (const file of ${JSON.stringify(list)}) {
  describe(file, async () => {
    const own = [];
    let start = 0;
    before((context) => {
      closers = own;
      start = performance.now();
      const proto = Object.getPrototypeOf(context);
      if (typeof proto.after !== 'function') {
        Object.defineProperty(proto, 'after', { configurable: true, value: (fn) => { closers.unshift(fn); } });
      }
    });
    await import(pathToFileURL(${JSON.stringify(process.cwd() + path.sep)} + file).href);
    after(async () => {
      for (const close of own) await close();
      took[file] = Math.round(performance.now() - start);
    });
  });
}
`;
}

let targets;
let groupDir;
if (grouped && files.length > 1) {
  groupDir = mkdtempSync(path.join(tmpdir(), 'usage-insights-test-groups-'));
  targets = groupFiles(files, CONCURRENCY).map((list, i) => {
    const file = path.join(groupDir, `group-${i + 1}.test.mjs`);
    writeFileSync(file, groupSource(list, path.join(groupDir, `durations-${i + 1}.json`)));
    return file;
  });
} else {
  // The slow files start first: they set the length of the run, the others fill in beside them.
  targets = [...files].sort((a, b) => Number(b.endsWith('.slow.test.ts')) - Number(a.endsWith('.slow.test.ts')));
}

/** Keeps the durations the groups measured, for the next run's balance. */
function saveDurations() {
  if (!groupDir) return;
  const durations = readDurations();
  for (const name of readdirSync(groupDir)) {
    if (!name.startsWith('durations-')) continue;
    try {
      Object.assign(durations, JSON.parse(readFileSync(path.join(groupDir, name), 'utf8')));
    } catch { /* a group that died wrote nothing */ }
  }
  try {
    mkdirSync(path.dirname(DURATIONS_FILE), { recursive: true });
    writeFileSync(DURATIONS_FILE, `${JSON.stringify(durations, null, 1)}\n`);
  } catch { /* a read-only tree: balance by size next time */ }
  rmSync(groupDir, { recursive: true, force: true });
}

// The quick run samples property and race tests fewer times (test/helpers/rounds.ts).
const env = quick ? { ...process.env, TEST_QUICK: '1' } : process.env;
const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=spec', `--test-timeout=${TEST_TIMEOUT_MS}`, `--test-concurrency=${CONCURRENCY}`, ...targets,
], { stdio: 'inherit', detached: true, env });
const watchdog = setTimeout(() => {
  console.error(`\nThe test run did not finish within ${RUN_TIMEOUT_MS / 1000} s; it was stopped.`);
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  if (groupDir) rmSync(groupDir, { recursive: true, force: true });
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
  saveDurations();
  process.exit(code ?? (signal ? 1 : 0));
});
