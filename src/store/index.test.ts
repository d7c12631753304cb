import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

test('importing the store for its types and helpers loads neither DuckDB nor pg (backends load on open)', () => {
  const index = fileURLToPath(new URL('./index.ts', import.meta.url));
  // A fresh process: the shared libraries it has loaded show whether DuckDB's native addon came in.
  const script = `await import(${JSON.stringify(index)});
    const libraries = process.report.getReport().sharedObjects.filter((s) => /duckdb/i.test(s));
    const modules = Object.keys((await import('node:module')).createRequire(import.meta.url).cache).filter((m) => /node_modules[\\\\/]pg[\\\\/]/.test(m));
    console.log(JSON.stringify({ libraries, modules }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), { libraries: [], modules: [] });
});
