import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Config } from '../../config.js';
import { CliError } from '../cli-error.js';
import { formatContracts, parseContractYear, runAdminCliCommand } from './admin.js';

test('with no server running, team commands open the database themselves', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-admin-cli-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const config = { dataDir, databaseUrl: undefined, databaseSchema: 'public' } as unknown as Config;
  const created = await runAdminCliCommand(config, 'team-create', { teamId: 'T-OFFLINE', name: 'Offline' }) as { teamId: string };
  assert.equal(created.teamId, 'T-OFFLINE');
  const teams = await runAdminCliCommand(config, 'team-list', {}) as { teamId: string }[];
  assert.deepEqual(teams.map((team) => team.teamId), ['T-OFFLINE']);
});

test('--year takes YEAR:START:END:TOKENS and says so when it is malformed', () => {
  assert.deepEqual(parseContractYear('2:2026-01-01:2026-12-31:12500.5'), { year: 2, startDate: '2026-01-01', endDate: '2026-12-31', provisionedTokens: 12500.5 });
  assert.throws(() => parseContractYear('2:2026-01-01'), CliError);
});

test('contract list as a table shows the counts of years and managers', () => {
  const table = formatContracts('table', [{
    contractNumber: 'C-1', contractName: 'Flex', teamId: 'T-1', contractStartDate: '2025-01-01', contractEndDate: '2025-12-31',
    multiyearProvisionedTokens: 0, contractYears: [], enrichmentCategories: [], contractManagers: ['U1', 'U2'],
  }]);
  assert.match(table.split('\n')[2]!, /^C-1\s+Flex\s+T-1\s+2025-01-01\s+2025-12-31\s+0\s+2$/);
});
