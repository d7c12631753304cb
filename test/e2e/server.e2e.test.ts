import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { routeTestsUsePostgres } from '../helpers/databases.js';
import { startE2eServer, type E2eServer } from '../helpers/e2e-server.js';
import { startServer } from '../helpers/server-process.js';
import { suiteScope } from '../helpers/suite-scope.js';

// Over a real socket, against a real `insights serve` process with a temp-dir DuckDB file.
const scope = suiteScope();
let e2e: E2eServer;
before(async () => {
  e2e = await startE2eServer(scope, { name: 'e2e', demoRows: 5_000 });
});

/** A token minted by the running server, as `insights token` has it minted (the CLI itself is tested below). */
const token = (email: string, scope?: string) => e2e.token(email, scope);

describe('the service over a real socket', () => {
  test('first start seeds the demo dataset and says so in its log', () => {
    assert.match(e2e.process.output(), /empty database: generating the demo dataset/);
    assert.match(e2e.process.output(), /demo dataset ready/);
  });

  test('health and readiness answer without a token', async () => {
    assert.equal((await fetch(`${e2e.url}/healthz`)).status, 200);
    const ready = await fetch(`${e2e.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal((await ready.json() as { backend: string }).backend, routeTestsUsePostgres() ? 'postgres' : 'duckdb');
  });

  test('the CLI mints a token while the server runs, and the catalogue answers 200 with it', async () => {
    const result = await e2e.cli(['token', '--user', 'admin@example.com', '--scope', 'data:read data:write']);
    assert.equal(result.code, 0, result.stderr);
    const response = await fetch(`${e2e.url}/insights/v1/catalog`, { headers: { authorization: `Bearer ${result.stdout.trim()}` } });
    assert.equal(response.status, 200);
    assert.ok(((await response.json()) as { fields: unknown[] }).fields.length > 10);
  });

  test('no token and a bad token answer 401 with the gateway body', async () => {
    const none = await fetch(`${e2e.url}/insights/v1/catalog`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    assert.ok(((await none.json()) as { developerMessage: string }).developerMessage);
    const bad = await fetch(`${e2e.url}/tokenflex/v1/catalog`, { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1N' } });
    assert.equal(bad.status, 401);
  });

  test('alice gets 403 on a contract she does not manage', async () => {
    const adminContracts = await (await fetch(`${e2e.url}/tokenflex/v1/contract`, { headers: { authorization: `Bearer ${await token('admin@example.com')}` } })).json() as { contractNumber: string }[];
    const aliceToken = await token('alice@example.com');
    const aliceContracts = await (await fetch(`${e2e.url}/tokenflex/v1/contract`, { headers: { authorization: `Bearer ${aliceToken}` } })).json() as { contractNumber: string }[];
    const other = adminContracts.find((c) => !aliceContracts.some((a) => a.contractNumber === c.contractNumber))!;
    const response = await fetch(`${e2e.url}/tokenflex/v1/contract/${other.contractNumber}`, { headers: { authorization: `Bearer ${aliceToken}` } });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { Code: string }).Code, 'ForbiddenError');
  });

  test('the CLI refuses an unknown user with a one-line message', async () => {
    const result = await e2e.cli(['token', '--user', 'nobody@example.com']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^insights: No user has the e-mail address nobody@example.com/);
  });

  test('the CLI runs a query through the running server and prints it as JSON', async () => {
    const contracts = await (await fetch(`${e2e.url}/tokenflex/v1/contract`, { headers: { authorization: `Bearer ${await token('admin@example.com')}` } })).json() as { contractNumber: string }[];
    const result = await e2e.cli(['query', '--api', 'tokenflex', '--user', 'admin@example.com', '--contract', contracts[0]!.contractNumber,
      '--fields', 'usageCategory', '--metrics', 'tokensConsumed,uniqueUsers', '--format', 'json'], { PORT: new URL(e2e.url).port });
    assert.equal(result.code, 0, result.stderr);
    const rows = JSON.parse(result.stdout) as { usageCategory: string; tokensConsumed: number }[];
    assert.ok(rows.length > 0);
    assert.match(result.stderr, new RegExp(`^query DONE in \\d+\\.\\d s: ${rows.length} rows\n$`), 'not a terminal: one summary line on stderr');
    assert.ok(rows.every((row) => typeof row.usageCategory === 'string' && typeof row.tokensConsumed === 'number'));
  });

  test('the CLI runs a Token Flex export through the running server and saves the CSV', async () => {
    const out = path.join(e2e.dataDir, 'cli-export.csv');
    const result = await e2e.cli(['export', '--api', 'tokenflex', '--user', 'admin@example.com', '--contract', '110000917988',
      '--fields', 'productName,usageMonth', '--metrics', 'tokensConsumed', '--out', out], { PORT: new URL(e2e.url).port });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^wrote \d+ rows to /);
    // Not a terminal (a pipe): no progress line redrawn with \r, only one summary line.
    assert.match(result.stderr, /^export Download in \d+\.\d s: [\d,]+ rows in 1 file\n$/);
    const text = await readFile(out, 'utf8');
    assert.ok(text.startsWith('productName,usageMonth,tokensConsumed\r\n'));
  });

  // DuckDB's single-writer lock; on PostgreSQL (TEST_STORE=postgres) several servers share one database.
  test('a second server on the same data directory refuses with a clear message', { skip: routeTestsUsePostgres() && 'PostgreSQL has no single-writer lock' }, async () => {
    await assert.rejects(startServer({ ...e2e.env }, 30_000), /in use by another process/);
  });

  test('after SIGTERM the server exits cleanly, and a restart keeps every record', async () => {
    const before = await fetch(`${e2e.url}/tokenflex/v1/contract`, { headers: { authorization: `Bearer ${await token('admin@example.com')}` } });
    const contracts = await before.json();
    const stopped = e2e.process;
    assert.equal(await e2e.restart({ signal: 'SIGTERM' }), 0);
    assert.match(stopped.output(), /stopped/);
    assert.doesNotMatch(e2e.process.output(), /generating the demo dataset/);
    const again = await fetch(`${e2e.url}/tokenflex/v1/contract`, { headers: { authorization: `Bearer ${await token('admin@example.com')}` } });
    assert.deepEqual(await again.json(), contracts);
  });
});
