import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createUser } from '../auth/index.js';
import { AppError } from '../errors.js';
import { openDuckDbStore, type Store } from '../store/index.js';
import { suiteScope } from '../../test/helpers/suite-scope.js';
import { runAdminCommand, updateUser } from './index.js';

const ctx = suiteScope();
let store: Store;

before(async () => {
  store = await openDuckDbStore({ dataDir: ':memory:' });
  await store.migrate();
  ctx.after(() => store.close());
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (AppError.is(error)) return error;
    throw error;
  }
  assert.fail('expected an AppError');
}

describe('the last administrator', () => {
  test('cannot lose the admin role or be disabled while no other active admin exists', async () => {
    const only = await createUser(store, { email: 'root@example.com', name: 'Root', roles: ['admin'] });
    assert.equal((await rejection(updateUser(store, only.id, { roles: [] }))).code, 'CONFLICT');
    assert.equal((await rejection(updateUser(store, only.id, { status: 'inactive' }))).code, 'CONFLICT');
    // With a second admin, the first may step down.
    await createUser(store, { email: 'deputy@example.com', name: 'Deputy', roles: ['admin'] });
    assert.deepEqual((await updateUser(store, only.id, { roles: [] })).roles, []);
  });
});

describe('CLI commands (runAdminCommand)', () => {
  test('team-create names people by e-mail; contract-create checks its team; lists return everything', async () => {
    const lead = await createUser(store, { email: 'lead@example.com', name: 'Team Lead' });
    const team = await runAdminCommand(store, 'team-create', { teamId: 'T-1', name: 'Riga', administrators: ['lead@example.com'], reportingBenefits: ['InsightsTeam'] });
    assert.deepEqual(team, { teamId: 'T-1', name: 'Riga', reportingBenefits: ['InsightsTeam'], personalData: true, administrators: [lead.id], members: [] });
    assert.deepEqual((await store.listAdministeredTeams(lead.id)).map((t) => t.teamId), ['T-1']);
    const missing = await rejection(runAdminCommand(store, 'team-create', { name: 'X', administrators: ['ghost@example.com'] }));
    assert.equal(missing.code, 'NOT_FOUND');
    assert.match(missing.message, /--admin: no user has the e-mail address ghost@example.com/);
    const contract = {
      contractNumber: 'C-1', contractName: 'Riga Flex', teamId: 'T-1', contractStartDate: '2025-01-01', contractEndDate: '2025-12-31',
      contractYears: [{ year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 100 }], contractManagers: ['lead@example.com'],
    };
    const created = await runAdminCommand(store, 'contract-create', contract) as { contractManagers: string[] };
    assert.deepEqual(created.contractManagers, [lead.id]);
    assert.equal((await rejection(runAdminCommand(store, 'contract-create', { ...contract, contractNumber: 'C-2', teamId: 'T-404' }))).code, 'REQUEST_INVALID');
    assert.equal((await rejection(runAdminCommand(store, 'contract-create', contract))).code, 'CONFLICT');
    assert.deepEqual((await runAdminCommand(store, 'team-list', {}) as { teamId: string }[]).map((t) => t.teamId), ['T-1']);
    assert.deepEqual((await runAdminCommand(store, 'contract-list', {}) as { contractNumber: string }[]).map((c) => c.contractNumber), ['C-1']);
    assert.equal((await rejection(runAdminCommand(store, 'team-delete-everything', {}))).code, 'NOT_FOUND');
  });
});
