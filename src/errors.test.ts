import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AppError, ERROR_CODES } from './errors.js';

// Adding a code is a deliberate act: bump this, document the code in docs/errors.md.
const EXPECTED_CODES = 32;
const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

test('the registry holds the expected number of codes', () => {
  assert.equal(Object.keys(ERROR_CODES).length, EXPECTED_CODES);
});

test('every code is documented in docs/errors.md', () => {
  for (const code of Object.keys(ERROR_CODES)) {
    assert.ok(docs.includes(`<a id="${code.toLowerCase()}">${code}</a>`), `${code} is missing from docs/errors.md`);
  }
});

test('docs/errors.md documents no code the registry lacks', () => {
  const documented = [...docs.matchAll(/<a id="[a-z_]+">([A-Z_]+)<\/a>/g)].map((m) => m[1]);
  assert.deepEqual(documented.filter((code) => !(code! in ERROR_CODES)), []);
});

test('an AppError carries the code, kind and title of its registry entry', () => {
  const error = new AppError('ACCESS_DENIED', 'nope');
  assert.equal(error.code, 'ACCESS_DENIED');
  assert.equal(error.kind, 'forbidden');
  assert.equal(error.title, ERROR_CODES.ACCESS_DENIED.title);
  assert.equal(error.message, 'nope');
});
