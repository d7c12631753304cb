import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { startE2eServer, type E2eServer } from '../helpers/e2e-server.js';
import { suiteScope } from '../helpers/suite-scope.js';

// `insights team …` and `insights contract …` (spec §6) against a running server: the CLI goes
// through the control socket, and what it creates is visible on the compatible APIs.
const scope = suiteScope();
let e2e: E2eServer;
before(async () => {
  e2e = await startE2eServer(scope, { name: 'admin-cli' });
});

async function cli(args: string[]): Promise<string> {
  const result = await e2e.cli(args);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

test('team and contract create/list through the running server; the new administrator sees both', async () => {
  assert.match(await cli(['team', 'create', '--id', 'T-CLI-1', '--name', 'Porto Office', '--benefit', 'ReportingAPIAccess', '--admin', 'alice@example.com']),
    /^created team T-CLI-1$/m);
  assert.match(await cli([
    'contract', 'create', '--number', 'C-CLI-1', '--name', 'Porto Flex', '--team', 'T-CLI-1', '--start', '2025-01-01', '--end', '2025-12-31',
    '--year', '1:2025-01-01:2025-12-31:4000', '--multiyear-tokens', '250', '--enrichment', 'Department,,Site', '--manager', 'alice@example.com',
  ]), /^created contract C-CLI-1$/m);

  const teams = JSON.parse(await cli(['team', 'list', '--format', 'json'])) as { teamId: string; name: string; administrators: string[] }[];
  const porto = teams.find((t) => t.teamId === 'T-CLI-1');
  assert.equal(porto?.name, 'Porto Office');
  assert.equal(porto?.administrators.length, 1);
  assert.match(await cli(['contract', 'list']), /C-CLI-1\s+Porto Flex\s+T-CLI-1\s+2025-01-01\s+2025-12-31\s+1\s+1/);

  const token = (await cli(['token', '--user', 'alice@example.com', '--scope', 'data:read'])).trim();
  const get = async (url: string) => (await fetch(`${e2e.url}${url}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<unknown>;
  const contexts = await get('/insights/v1/contexts') as { contextId: string }[];
  assert.ok(contexts.some((c) => c.contextId === 'T-CLI-1'));
  const contracts = await get('/tokenflex/v1/contract') as { contractNumber: string }[];
  assert.ok(contracts.some((c) => c.contractNumber === 'C-CLI-1'));
});

test('the CLI refuses what the admin API refuses, in one line: a duplicate team, an unknown user, a bad year', async () => {
  await cli(['team', 'create', '--id', 'T-CLI-2', '--name', 'Once']);
  const duplicate = await e2e.cli(['team', 'create', '--id', 'T-CLI-2', '--name', 'Twice']);
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.stderr, /^insights: A team with the id T-CLI-2 exists already\.$/m);
  const unknown = await e2e.cli(['team', 'create', '--name', 'Ghost', '--admin', 'nobody@example.com']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no user has the e-mail address nobody@example.com/);
  const badYear = await e2e.cli(['contract', 'create', '--number', 'C-X', '--name', 'X', '--team', 'T-CLI-2', '--start', '2025-01-01', '--end', '2025-12-31', '--year', '1:2025']);
  assert.equal(badYear.code, 1);
  assert.match(badYear.stderr, /--year must look like YEAR:START:END:TOKENS/);
});

// Issue 22, a newcomer's first hour: `PORT=18383 npm start` in one terminal, `npx insights query …`
// in another (without PORT): the CLI finds the server through its control socket, not PORT.
test('query and export find the running server whatever PORT the CLI environment says', async () => {
  const contracts = JSON.parse(await cli(['contract', 'list', '--format', 'json'])) as { contractNumber: string }[];
  const contract = contracts[0]!.contractNumber;
  const query = await e2e.cli(['query', '--user', 'admin@example.com', '--contract', contract, '--fields', 'productName', '--metrics', 'tokensConsumed', '--format', 'csv'], { PORT: '1' });
  assert.equal(query.code, 0, query.stderr);
  assert.match(query.stdout, /^productName,tokensConsumed\r?\n/);
  const out = `${e2e.dataDir}/cli-export.csv`;
  const exported = await e2e.cli(['export', '--user', 'admin@example.com', '--contract', contract, '--fields', 'productName', '--metrics', 'tokensConsumed', '--out', out], { PORT: '1' });
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /^wrote \d+ rows to /);
});

test('no CLI command prints a stack trace: an unexpected failure is one line', async () => {
  // A data directory that is a file: nothing can open it.
  const result = await e2e.cli(['query', '--user', 'admin@example.com', '--contract', 'X', '--fields', 'productName'], { DATA_DIR: `${e2e.dataDir}/run/control.sock/nope` });
  assert.notEqual(result.code, 0);
  assert.doesNotMatch(result.stderr, /^\s+at /m, result.stderr);
  assert.match(result.stderr, /^insights: /);
});
