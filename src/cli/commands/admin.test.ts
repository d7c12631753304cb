import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Config } from '../../config.js';
import { CliError } from '../cli-error.js';
import { openStore, type ProductDetail } from '../../store/index.js';
import { formatContracts, formatProducts, parseContractYear, runAdminCliCommand } from './admin.js';

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

test('product set-seat-price sets the price of every version of a line, and list shows it', async (t) => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'usage-insights-admin-cli-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const config = { dataDir, databaseUrl: undefined, databaseSchema: 'public' } as unknown as Config;
  const store = await openStore(config);
  try {
    await store.migrate();
    for (const version of ['2025', '2026']) {
      await store.createProduct({ productLineCode: 'RVT', version, productName: 'Revit', featureCode: `RVT_${version}`, dailyTokenRate: 10, effectiveFrom: null, effectiveTo: null });
    }
  } finally {
    await store.close();
  }
  const versions = await runAdminCliCommand(config, 'product-set-seat-price', { productLineCode: 'RVT', seatTokensPerYear: 300 }) as ProductDetail[];
  assert.deepEqual(versions.map((p) => [p.version, p.seatTokensPerYear]), [['2025', 300], ['2026', 300]]);
  const table = formatProducts('table', await runAdminCliCommand(config, 'product-list', {}) as ProductDetail[]);
  assert.match(table.split('\n')[2]!, /^RVT\s+2025\s+Revit\s+10\s+300$/);
  await assert.rejects(runAdminCliCommand(config, 'product-set-seat-price', { productLineCode: 'NOPE', seatTokensPerYear: 1 }), /No product line NOPE/);
});
