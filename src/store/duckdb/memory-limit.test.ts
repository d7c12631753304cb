import assert from 'node:assert/strict';
import { totalmem } from 'node:os';
import { test } from 'node:test';
import { usageBatchMemoryLimit } from './memory-limit.js';

test('a usage batch runs under 512 MiB, or DUCKDB_MEMORY_LIMIT when larger: bounded, whatever the machine', () => {
  if (totalmem() * 0.8 < 512 * 2 ** 20) return; // a machine under 640 MiB: DuckDB's own default is lower
  assert.equal(usageBatchMemoryLimit(undefined), '512MiB');
  assert.equal(usageBatchMemoryLimit('256MB'), '512MiB');
  assert.equal(usageBatchMemoryLimit('2GB'), '1907MiB');
  assert.equal(usageBatchMemoryLimit('3GiB'), '3072MiB');
});
