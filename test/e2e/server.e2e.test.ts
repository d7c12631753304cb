import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { routeTestsUsePostgres } from '../helpers/databases.js';
import { runCli, startServer, type ServerProcess } from '../helpers/server-process.js';

// Over a real socket, against a real `insights serve` process with a temp-dir DuckDB file.
let dataDir: string;
let env: Record<string, string>;
let server: ServerProcess;

before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-e2e-'));
  env = { DATA_DIR: dataDir, DEMO_ROWS: '5000' };
  server = await startServer(env);
});
after(async () => {
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function token(email: string, scope = 'data:read data:write'): Promise<string> {
  const result = await runCli(['token', '--user', email, '--scope', scope], env);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.trim();
}

describe('the service over a real socket', () => {
  test('first start seeds the demo dataset and says so in its log', () => {
    assert.match(server.output(), /empty database: generating the demo dataset/);
    assert.match(server.output(), /demo dataset ready/);
  });

  test('health and readiness answer without a token', async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal((await ready.json() as { backend: string }).backend, routeTestsUsePostgres() ? 'postgres' : 'duckdb');
  });

  test('the CLI mints a token while the server runs, and the catalogue answers 200 with it', async () => {
    const response = await fetch(`${server.url}/insights/v1/catalog`, { headers: { authorization: `Bearer ${await token('admin@example.com')}` } });
    assert.equal(response.status, 200);
    assert.ok(((await response.json()) as { fields: unknown[] }).fields.length > 10);
  });

  test('no token and a bad token answer 401 with the gateway body', async () => {
    const none = await fetch(`${server.url}/insights/v1/catalog`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    assert.ok(((await none.json()) as { developerMessage: string }).developerMessage);
    const bad = await fetch(`${server.url}/tokenflex/v1/catalog`, { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1N' } });
    assert.equal(bad.status, 401);
  });

  test('alice gets 403 on a contract she does not manage', async () => {
    const adminContracts = await (await fetch(`${server.url}/tokenflex/v1/contract`, { headers: { authorization: `Bearer ${await token('admin@example.com')}` } })).json() as { contractNumber: string }[];
    const aliceToken = await token('alice@example.com');
    const aliceContracts = await (await fetch(`${server.url}/tokenflex/v1/contract`, { headers: { authorization: `Bearer ${aliceToken}` } })).json() as { contractNumber: string }[];
    const other = adminContracts.find((c) => !aliceContracts.some((a) => a.contractNumber === c.contractNumber))!;
    const response = await fetch(`${server.url}/tokenflex/v1/contract/${other.contractNumber}`, { headers: { authorization: `Bearer ${aliceToken}` } });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { Code: string }).Code, 'ForbiddenError');
  });

  test('the CLI refuses an unknown user with a one-line message', async () => {
    const result = await runCli(['token', '--user', 'nobody@example.com'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^insights: No user has the e-mail address nobody@example.com/);
  });

  test('the CLI runs a query through the running server and prints it as JSON', async () => {
    const contracts = await (await fetch(`${server.url}/tokenflex/v1/contract`, { headers: { authorization: `Bearer ${await token('admin@example.com')}` } })).json() as { contractNumber: string }[];
    const result = await runCli(['query', '--api', 'tokenflex', '--user', 'admin@example.com', '--contract', contracts[0]!.contractNumber,
      '--fields', 'usageCategory', '--metrics', 'tokensConsumed,uniqueUsers', '--format', 'json'], { ...env, PORT: new URL(server.url).port });
    assert.equal(result.code, 0, result.stderr);
    const rows = JSON.parse(result.stdout) as { usageCategory: string; tokensConsumed: number }[];
    assert.ok(rows.length > 0);
    assert.match(result.stderr, new RegExp(`^query DONE in \\d+\\.\\d s: ${rows.length} rows\n$`), 'not a terminal: one summary line on stderr');
    assert.ok(rows.every((row) => typeof row.usageCategory === 'string' && typeof row.tokensConsumed === 'number'));
  });

  test('the CLI runs a Token Flex export through the running server and saves the CSV', async () => {
    const out = path.join(dataDir, 'cli-export.csv');
    const result = await runCli(['export', '--api', 'tokenflex', '--user', 'admin@example.com', '--contract', '110000917988',
      '--fields', 'productName,usageMonth', '--metrics', 'tokensConsumed', '--out', out], { ...env, PORT: new URL(server.url).port });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^wrote \d+ rows to /);
    // Not a terminal (a pipe): no progress line redrawn with \r, only one summary line.
    assert.match(result.stderr, /^export Download in \d+\.\d s: [\d,]+ rows in 1 file\n$/);
    const text = await readFile(out, 'utf8');
    assert.ok(text.startsWith('productName,usageMonth,tokensConsumed\r\n'));
  });

  // DuckDB's single-writer lock; on PostgreSQL (TEST_STORE=postgres) several servers share one database.
  test('a second server on the same data directory refuses with a clear message', { skip: routeTestsUsePostgres() && 'PostgreSQL has no single-writer lock' }, async () => {
    await assert.rejects(startServer(env, 30_000), /in use by another process/);
  });

  test('after SIGTERM the server exits cleanly, and a restart keeps every record', async () => {
    const before = await fetch(`${server.url}/tokenflex/v1/contract`, { headers: { authorization: `Bearer ${await token('admin@example.com')}` } });
    const contracts = await before.json();
    assert.equal(await server.stop('SIGTERM'), 0);
    assert.match(server.output(), /stopped/);
    server = await startServer(env);
    assert.doesNotMatch(server.output(), /generating the demo dataset/);
    const again = await fetch(`${server.url}/tokenflex/v1/contract`, { headers: { authorization: `Bearer ${await token('admin@example.com')}` } });
    assert.deepEqual(await again.json(), contracts);
  });
});
