import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateKeyError, type Store } from '../../src/store/index.js';
import type { StoreFactory } from './store-factories.js';

/**
 * What every Store backend does for the administration API (AdminStore) and the credential
 * housekeeping: each backend's test file calls this once, on a fresh migrated database.
 */
export function describeAdminStoreContract(name: string, factory: StoreFactory): void {
  describe(`${name} admin store contract`, () => {
    async function withStore(run: (store: Store) => Promise<void>): Promise<void> {
      const { store, dispose } = await factory.create({ migrated: true });
      try {
        await run(store);
      } finally {
        await dispose();
      }
    }

    async function users(store: Store, ...ids: string[]): Promise<void> {
      for (const id of ids) {
        await store.createUser({ id, email: `${id.toLowerCase()}@example.com`, userName: id, firstName: id, lastName: 'Test', fullName: `${id} Test`, roles: [] });
      }
    }

    test('users: pages in e-mail order with the total, partial updates, active admins, unknown ids in the order given', async () => {
      await withStore(async (store) => {
        await users(store, 'C', 'A', 'B');
        const page = await store.listUsers({ offset: 1, limit: 1 });
        assert.deepEqual(page.items.map((u) => u.id), ['B']);
        assert.equal(page.total, 3);
        const updated = await store.updateUser('A', { roles: ['admin'], lastName: 'Lovelace' });
        assert.deepEqual([updated?.roles, updated?.lastName, updated?.firstName, updated?.status], [['admin'], 'Lovelace', 'A', 'active']);
        assert.equal(await store.countActiveAdmins(), 1);
        await store.updateUser('A', { status: 'inactive' });
        assert.equal(await store.countActiveAdmins(), 0);
        assert.equal(await store.updateUser('nobody', { firstName: 'X' }), undefined);
        assert.deepEqual(await store.listUnknownUserIds(['Z', 'A', 'Y']), ['Z', 'Y']);
        assert.deepEqual(await store.listUnknownUserIds([]), []);
        await assert.rejects(store.createUser({ id: 'D', email: 'a@example.com', userName: 'd', firstName: 'D', lastName: '', fullName: 'D', roles: [] }), DuplicateKeyError);
      });
    });

    test('concurrent updates of one row all succeed, the last one written wins', async () => {
      await withStore(async (store) => {
        await users(store, 'A');
        await store.createTeam({ teamId: 'T', name: 'Team', reportingBenefits: [], administrators: ['A'], members: [] });
        const names = Array.from({ length: 8 }, (_, i) => `Name ${i}`);
        await Promise.all(names.map((lastName) => store.updateUser('A', { lastName })));
        assert.ok(names.includes((await store.findUserById('A'))!.lastName));
        await Promise.all(names.map((name) => store.updateTeam('T', { name, administrators: ['A'] })));
        assert.ok(names.includes((await store.findTeam('T'))!.name));
      });
    });

    test('teams: create with people, duplicate key, one list replaced keeps the other, delete only when unused', async () => {
      await withStore(async (store) => {
        await users(store, 'U1', 'U2', 'U3');
        const team = await store.createTeam({ teamId: 'T1', name: 'One', reportingBenefits: ['InsightsTeam'], administrators: ['U2', 'U1'], members: ['U3', 'U1'] });
        // An id in both lists is an administrator.
        assert.deepEqual(team, { teamId: 'T1', name: 'One', reportingBenefits: ['InsightsTeam'], personalData: true, administrators: ['U1', 'U2'], members: ['U3'] });
        assert.deepEqual((await store.listAdministeredTeams('U1')).map((t) => t.teamId), ['T1']);
        await assert.rejects(store.createTeam({ ...team, name: 'Again' }), DuplicateKeyError);
        const updated = await store.updateTeam('T1', { administrators: ['U3'] });
        assert.deepEqual([updated?.administrators, updated?.members, updated?.name], [['U3'], [], 'One']);
        assert.deepEqual((await store.updateTeam('T1', { members: ['U1'], name: 'Uno' }))?.administrators, ['U3']);
        assert.equal(await store.updateTeam('T9', { name: 'x' }), undefined);
        await store.createTeam({ teamId: 'T0', name: 'Zero', reportingBenefits: [], administrators: [], members: [] });
        const page = await store.listTeams({ offset: 0, limit: 10 });
        assert.deepEqual([page.items.map((t) => t.teamId), page.total], [['T0', 'T1'], 2]);
        await store.createContract({
          contractNumber: 'C1', contractName: 'C', teamId: 'T1', contractStartDate: '2025-01-01', contractEndDate: '2025-12-31',
          multiyearProvisionedTokens: 0, contractYears: [], enrichmentCategories: [], contractManagers: [],
        });
        assert.equal(await store.deleteTeam('T1'), 'in-use');
        assert.equal(await store.deleteTeam('T0'), 'deleted');
        assert.equal(await store.deleteTeam('T0'), 'not-found');
        assert.equal(await store.findTeam('T0'), undefined);
      });
    });

    test('teams: the personal-data switch is on by default; the policy hides while any team has it off, under one lasting key', async () => {
      // Issue 18: Autodesk hashes for every team while one team has personal data off.
      await withStore(async (store) => {
        await users(store, 'U1');
        assert.equal((await store.personalDataPolicy()).hidden, false);
        await store.createTeam({ teamId: 'T1', name: 'One', reportingBenefits: [], administrators: ['U1'], members: [] });
        await store.createTeam({ teamId: 'T2', name: 'Two', reportingBenefits: [], personalData: false, administrators: [], members: [] });
        assert.equal((await store.findTeam('T1'))?.personalData, true);
        assert.equal((await store.findTeam('T2'))?.personalData, false);
        assert.deepEqual((await store.listAdministeredTeams('U1')).map((t) => t.personalData), [true]);
        const policies = await Promise.all(Array.from({ length: 4 }, () => store.personalDataPolicy()));
        assert.ok(policies.every((p) => p.hidden && p.hashKey === policies[0]!.hashKey && p.hashKey.length >= 32));
        assert.equal((await store.updateTeam('T2', { name: 'Deux' }))?.personalData, false);
        assert.equal((await store.updateTeam('T2', { personalData: true }))?.personalData, true);
        const after = await store.personalDataPolicy();
        assert.deepEqual(after, { hidden: false, hashKey: policies[0]!.hashKey });
      });
    });

    test('contracts: create with years and managers, replace them, page, delete unless a subscription holds it', async () => {
      await withStore(async (store) => {
        await users(store, 'M1', 'M2');
        await store.createTeam({ teamId: 'T1', name: 'One', reportingBenefits: [], administrators: [], members: [] });
        const contract = await store.createContract({
          contractNumber: 'C1', contractName: 'Flex', teamId: 'T1', contractStartDate: '2025-01-01', contractEndDate: '2026-12-31',
          multiyearProvisionedTokens: 250.5,
          contractYears: [{ year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 1000 }],
          enrichmentCategories: ['Department', '', 'Site'], contractManagers: ['M2', 'M1'],
        });
        assert.deepEqual(contract.enrichmentCategories, ['Department', '', 'Site', '', '', '', '', '', '', '']);
        assert.deepEqual(contract.contractManagers, ['M1', 'M2']);
        assert.equal(contract.multiyearProvisionedTokens, 250.5);
        assert.deepEqual(await store.getEnrichmentCategories('C1'), contract.enrichmentCategories);
        assert.deepEqual((await store.listManagedContracts('M1')).map((c) => c.contractNumber), ['C1']);
        await assert.rejects(store.createContract(contract), DuplicateKeyError);
        const updated = await store.updateContract('C1', {
          contractEndDate: '2027-12-31', contractManagers: ['M2'],
          contractYears: [
            { year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 900 },
            { year: 2, startDate: '2026-01-01', endDate: '2026-12-31', provisionedTokens: 1100 },
          ],
        });
        assert.deepEqual([updated?.contractEndDate, updated?.contractManagers, updated?.contractYears.map((y) => y.provisionedTokens), updated?.contractName],
          ['2027-12-31', ['M2'], [900, 1100], 'Flex']);
        assert.deepEqual((await store.getContractDetail('C1'))?.contractYears.map((y) => y.provisionedTokens), [900, 1100]);
        assert.equal((await store.listContracts({ offset: 0, limit: 5 })).total, 1);
        await store.createSubscription({
          id: 'S1', teamId: 'T1', contractNumber: 'C1', productLineCode: 'ACD', productName: 'AutoCAD', offeringType: 'Subscription', term: 'Annual',
          status: 'Active', quantity: 2, startDate: '2025-01-01', endDate: '2025-12-31', renewalDate: null, seats: [],
        });
        assert.equal(await store.deleteContract('C1'), 'in-use');
        assert.equal(await store.deleteSubscription('S1'), 'deleted');
        assert.equal(await store.deleteContract('C1'), 'deleted');
        assert.equal(await store.findContract('C1'), undefined);
        assert.equal(await store.deleteContract('C1'), 'not-found');
      });
    });

    test('products: duplicate key, open-ended dates set and cleared, pages, delete', async () => {
      await withStore(async (store) => {
        const product = { productLineCode: 'ACD', version: '2026', productName: 'AutoCAD', featureCode: 'ACD_2026', dailyTokenRate: 6, effectiveFrom: null, effectiveTo: null };
        // seatTokensPerYear: the line's seat price (issue 17), null until set.
        assert.deepEqual(await store.createProduct(product), { ...product, seatTokensPerYear: null });
        await assert.rejects(store.createProduct(product), DuplicateKeyError);
        assert.deepEqual(await store.updateProduct('ACD', '2026', { effectiveFrom: '2026-01-01', dailyTokenRate: 7 }), { ...product, effectiveFrom: '2026-01-01', dailyTokenRate: 7, seatTokensPerYear: null });
        assert.equal((await store.updateProduct('ACD', '2026', { effectiveFrom: null }))?.effectiveFrom, null);
        assert.equal(await store.updateProduct('ACD', '1999', { dailyTokenRate: 1 }), undefined);
        await store.createProduct({ ...product, version: '2025' });
        assert.deepEqual((await store.listProducts({ offset: 0, limit: 10 })).items.map((p) => p.version), ['2025', '2026']);
        // The seat price belongs to the line: set through one version, every version has it.
        assert.equal((await store.updateProduct('ACD', '2025', { seatTokensPerYear: 300 }))?.seatTokensPerYear, 300);
        assert.deepEqual((await store.listProducts({ offset: 0, limit: 10 })).items.map((p) => p.seatTokensPerYear), [300, 300]);
        assert.equal((await store.updateProduct('ACD', '2026', { seatTokensPerYear: null }))?.seatTokensPerYear, null);
        assert.equal((await store.findProduct('ACD', '2025'))?.seatTokensPerYear, null);
        assert.equal(await store.deleteProduct('ACD', '2025'), 'deleted');
        assert.equal(await store.deleteProduct('ACD', '2025'), 'not-found');
      });
    });

    test('subscriptions: seats replaced, filters, a change of team', async () => {
      await withStore(async (store) => {
        await users(store, 'U1', 'U2');
        for (const teamId of ['T1', 'T2']) await store.createTeam({ teamId, name: teamId, reportingBenefits: [], administrators: [], members: [] });
        const subscription = {
          id: 'S1', teamId: 'T1', contractNumber: 'C1', productLineCode: 'ACD', productName: 'AutoCAD', offeringType: 'Subscription', term: 'Annual',
          status: 'Active' as const, quantity: 2, startDate: '2025-01-01', endDate: '2025-12-31', renewalDate: '2026-01-01', seats: ['U2', 'U1'],
        };
        assert.deepEqual((await store.createSubscription(subscription)).seats, ['U1', 'U2']);
        await assert.rejects(store.createSubscription(subscription), DuplicateKeyError);
        await store.createSubscription({ ...subscription, id: 'S2', teamId: 'T2', contractNumber: 'C2', seats: [] });
        assert.deepEqual((await store.listSubscriptions({ teamId: 'T2' }, { offset: 0, limit: 10 })).items.map((s) => s.id), ['S2']);
        assert.deepEqual((await store.listSubscriptions({ contractNumber: 'C1' }, { offset: 0, limit: 10 })).items.map((s) => s.id), ['S1']);
        assert.equal((await store.listSubscriptions({}, { offset: 0, limit: 1 })).total, 2);
        const updated = await store.updateSubscription('S1', { seats: ['U2'], renewalDate: null, status: 'Canceled' });
        assert.deepEqual([updated?.seats, updated?.renewalDate, updated?.status, updated?.quantity], [['U2'], null, 'Canceled', 2]);
        assert.equal((await store.updateSubscription('S1', { teamId: 'T2' }))?.teamId, 'T2');
        assert.equal(await store.updateSubscription('S9', { quantity: 1 }), undefined);
        assert.equal(await store.deleteSubscription('S1'), 'deleted');
        assert.equal(await store.findSubscription('S1'), undefined);
      });
    });

    test('OAuth clients: pages, updates (unbinding with null), delete revokes the grants and client_credentials tokens', async () => {
      await withStore(async (store) => {
        await users(store, 'U1');
        const client = {
          id: 'client-1', name: 'App', secretHash: 'scrypt$x', redirectUris: ['https://a.example/cb'], isPublic: false, boundUserId: 'U1',
          scopes: ['data:read'], createdAt: '2026-01-01T00:00:00.000Z',
        };
        await store.createOAuthClient(client);
        await store.createOAuthClient({ ...client, id: 'client-2', createdAt: '2026-01-02T00:00:00.000Z' });
        const page = await store.listOAuthClients({ offset: 0, limit: 10 });
        assert.deepEqual([page.items.map((c) => c.id), page.total], [['client-1', 'client-2'], 2]);
        const updated = await store.updateOAuthClient('client-1', { name: 'App 2', redirectUris: ['https://b.example/cb'], boundUserId: null, secretHash: 'scrypt$y' });
        assert.deepEqual([updated?.name, updated?.redirectUris, updated?.boundUserId, updated?.secretHash, updated?.isPublic], ['App 2', ['https://b.example/cb'], null, 'scrypt$y', false]);
        assert.equal((await store.updateOAuthClient('client-1', { name: 'App 3' }))?.secretHash, 'scrypt$y', 'absent members stay');
        const now = new Date();
        const later = new Date(now.getTime() + 3600_000);
        await store.insertRefreshToken({ tokenHash: 'r1', grantId: 'g1', parentHash: null, clientId: 'client-1', userId: 'U1', scopes: ['data:read'], expiresAt: later.toISOString() });
        await store.recordAccessToken('jti-grant', 'g1', later);
        await store.recordAccessToken('jti-cc', 'client:client-1', later);
        await store.recordAccessToken('jti-other', 'client:client-2', later);
        assert.equal(await store.deleteOAuthClient('client-1', now), true);
        assert.equal(await store.findOAuthClient('client-1'), undefined);
        assert.ok((await store.findRefreshToken('r1'))?.revokedAt);
        assert.equal(await store.isAccessTokenRevoked('jti-grant'), true);
        assert.equal(await store.isAccessTokenRevoked('jti-cc'), true);
        assert.equal(await store.isAccessTokenRevoked('jti-other'), false);
        assert.equal(await store.deleteOAuthClient('client-1', now), false);
      });
    });

    // Issue 19 item 1: a grant step and the grant's revocation are atomic with respect to each other.
    test('grant steps: issued, then reused for a spent parent, then revoked for good after revokeGrant; nothing written when refused', async () => {
      await withStore(async (store) => {
        await users(store, 'U1');
        const now = new Date();
        const later = new Date(now.getTime() + 3_600_000);
        const step = (child: string, rotates: string | null, jti: string) => ({
          grantId: 'grant-1', rotates,
          refreshToken: { tokenHash: child, grantId: 'grant-1', parentHash: rotates, clientId: 'c', userId: 'U1', scopes: ['data:read'], expiresAt: later.toISOString(), authTime: '2026-01-01T00:00:00.000Z' },
          accessToken: { jti, expiresAt: later },
        });
        assert.equal(await store.issueGrantTokens(step('r1', null, 'a1'), now), 'issued');
        assert.equal((await store.findRefreshToken('r1'))?.authTime, '2026-01-01T00:00:00.000Z');
        assert.equal(await store.issueGrantTokens(step('r2', 'r1', 'a2'), now), 'issued');
        assert.ok((await store.findRefreshToken('r1'))?.rotatedAt);
        assert.equal(await store.issueGrantTokens(step('r3', 'r1', 'a3'), now), 'reused');
        assert.equal(await store.findRefreshToken('r3'), undefined, 'a refused step writes nothing');
        await store.revokeGrant('grant-1', now);
        assert.ok((await store.findRefreshToken('r2'))?.revokedAt);
        assert.equal(await store.isAccessTokenRevoked('a2'), true);
        assert.equal(await store.issueGrantTokens(step('r4', null, 'a4'), now), 'revoked');
        assert.equal(await store.findRefreshToken('r4'), undefined);
      });
    });

    // Issue 18: consent remembered per user and client, widened by later consents.
    test('consents: none, then saved, then widened to the union of the scopes', async () => {
      await withStore(async (store) => {
        await users(store, 'U1');
        assert.equal(await store.findConsent('U1', 'c'), undefined);
        await store.saveConsent('U1', 'c', ['openid', 'data:read'], new Date());
        await store.saveConsent('U1', 'c', ['data:write'], new Date());
        assert.deepEqual((await store.findConsent('U1', 'c'))?.scopes, ['data:read', 'data:write', 'openid']);
        assert.equal(await store.findConsent('U1', 'other'), undefined);
      });
    });

    // Issue 5: expired credentials are deleted by a periodic job, so the tables stay small.
    test('credential housekeeping deletes expired codes, sessions, revocations and refresh tokens, and keeps live ones', async () => {
      await withStore(async (store) => {
        await users(store, 'U1');
        const now = new Date('2026-03-01T12:00:00Z');
        const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
        const code = (codeHash: string, expiresAt: Date) => ({
          codeHash, grantId: `grant-${codeHash}`, clientId: 'c', userId: 'U1', redirectUri: 'https://a.example/cb', scopes: ['data:read'],
          codeChallenge: null, nonce: null, authTime: at(-10).toISOString(), expiresAt: expiresAt.toISOString(),
        });
        // Codes: unused and expired (goes), unused and live (stays), used and expired but within
        // the replay window (stays), used and expired before it (goes).
        await store.insertAuthorizationCode(code('unused-expired', at(-1)));
        await store.insertAuthorizationCode(code('unused-live', at(4)));
        await store.insertAuthorizationCode(code('used-recent', at(-1)));
        await store.consumeAuthorizationCode('used-recent', at(-3));
        await store.insertAuthorizationCode(code('used-old', at(-60 * 24 * 20)));
        await store.consumeAuthorizationCode('used-old', at(-60 * 24 * 20 - 3));
        await store.createSignInSession('session-expired', 'U1', at(-600), at(-1));
        await store.createSignInSession('session-live', 'U1', at(-10), at(60));
        await store.revokeAccessToken('revoked-expired', at(-1));
        await store.revokeAccessToken('revoked-live', at(30));
        const refresh = (tokenHash: string, expiresAt: Date) => ({
          tokenHash, grantId: 'g', parentHash: null, clientId: 'c', userId: 'U1', scopes: ['data:read'], expiresAt: expiresAt.toISOString(),
        });
        await store.insertRefreshToken(refresh('refresh-expired', at(-1)));
        await store.insertRefreshToken(refresh('refresh-rotated-expired', at(-5)));
        await store.rotateRefreshToken('refresh-rotated-expired', at(-6));
        await store.insertRefreshToken(refresh('refresh-revoked-live', at(60)));
        await store.revokeGrant('g', at(-1));
        await store.recordAccessToken('record-expired', 'g', at(-1));
        await store.recordAccessToken('record-live', 'g', at(30));
        await store.insertRefreshToken(refresh('refresh-live', at(60 * 24)));

        // Revoked grants: one spent long ago (goes), one whose refresh token is still there (stays).
        await store.revokeGrant('grant-spent', at(-60 * 24 * 16));
        const report = await store.purgeExpiredCredentials(now, at(-60 * 24 * 15));
        assert.deepEqual(report, { authorizationCodes: 2, signInSessions: 1, revokedAccessTokens: 1, accessTokens: 1, refreshTokens: 2, revokedGrants: 1 });
        const step = {
          grantId: 'grant-spent', rotates: null, accessToken: { jti: 'after-purge', expiresAt: at(60) },
          refreshToken: { tokenHash: 'after-purge', grantId: 'grant-spent', parentHash: null, clientId: 'c', userId: 'U1', scopes: ['data:read'], expiresAt: at(60).toISOString() },
        };
        assert.equal(await store.issueGrantTokens({ ...step, grantId: 'g', refreshToken: { ...step.refreshToken, grantId: 'g' } }, now), 'revoked', 'a grant with tokens left stays revoked');
        assert.equal(await store.consumeAuthorizationCode('unused-expired', now), undefined);
        assert.equal(await store.consumeAuthorizationCode('used-old', now), undefined);
        assert.equal((await store.consumeAuthorizationCode('used-recent', now))?.firstUse, false, 'a recent replay is still recognised');
        assert.equal((await store.consumeAuthorizationCode('unused-live', now))?.firstUse, true);
        assert.equal(await store.findSignInSession('session-live', now), 'U1');
        assert.equal(await store.isAccessTokenRevoked('revoked-expired'), false);
        assert.equal(await store.isAccessTokenRevoked('revoked-live'), true);
        // A revoked refresh token stays until it expires, so presenting it still reads as revoked.
        assert.ok((await store.findRefreshToken('refresh-revoked-live'))?.revokedAt);
        assert.ok(await store.findRefreshToken('refresh-live'));
        assert.equal(await store.findRefreshToken('refresh-expired'), undefined);
        assert.equal(await store.findRefreshToken('refresh-rotated-expired'), undefined);
        assert.deepEqual(await store.purgeExpiredCredentials(now, at(-60 * 24 * 15)),
          { authorizationCodes: 0, signInSessions: 0, revokedAccessTokens: 0, accessTokens: 0, refreshTokens: 0, revokedGrants: 0 });
      });
    });
  });
}
