import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../../store/index.js';
import { buildTestApp, openSeededStore, type TestApp } from '../../../../test/helpers/build-app.js';
import { suiteScope } from '../../../../test/helpers/suite-scope.js';

// The administration API (spec §6, issue 7): CRUD with problem+json errors, for the admin role only.
const LONDON_TEAM = '4865648';
const LONDON_CONTRACT = '110001034275';

let store: Store;
let t: TestApp;
let app: FastifyInstance;
let adminToken: string;

const ctx = suiteScope();

before(async () => {
  store = await openSeededStore(ctx);
  t = await buildTestApp(ctx, store);
  app = t.app;
  adminToken = await t.tokenFor('admin@example.com');
});

async function call(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, token = adminToken) {
  const response = await app.inject({
    method, url, headers: { authorization: `Bearer ${token}` }, ...(body !== undefined ? { payload: body as object } : {}),
  });
  return { status: response.statusCode, headers: response.headers, body: response.body ? response.json() as Record<string, unknown> : {} };
}

/** The `errors` member of a 400, as `path: message` lines. */
function paths(body: Record<string, unknown>): string[] {
  return (body.errors as { path: string }[] | undefined ?? []).map((e) => e.path);
}

let serial = 0;
/** A fresh user for one test, so tests do not depend on each other's data. */
async function newUser(roles: string[] = []): Promise<{ id: string; email: string }> {
  serial += 1;
  const email = `person${serial}@admin-test.example`;
  const { status, body } = await call('POST', '/admin/v1/users', { email, name: `Person ${serial}`, roles });
  assert.equal(status, 201, JSON.stringify(body));
  return { id: String(body.id), email };
}

describe('who may use the administration API', () => {
  test('a user without the admin role gets 403 ROLE_REQUIRED as problem+json, before the body is validated', async () => {
    const alice = await t.tokenFor('alice@example.com');
    for (const [method, url, body] of [['GET', '/admin/v1/users', undefined], ['POST', '/admin/v1/teams', { nonsense: true }]] as const) {
      const response = await app.inject({ method, url, headers: { authorization: `Bearer ${alice}` }, ...(body ? { payload: body } : {}) });
      assert.equal(response.statusCode, 403);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      const problem = response.json() as Record<string, unknown>;
      assert.equal(problem.code, 'ROLE_REQUIRED');
      assert.equal(problem.status, 403);
      assert.equal(problem.type, 'docs/errors.md#role_required');
    }
  });

  test('no token is 401 with the gateway body (RFC 6750 invalid_token)', async () => {
    const response = await app.inject({ method: 'GET', url: '/admin/v1/teams' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.headers['www-authenticate'], 'Bearer error="invalid_token"');
  });

  test('changes need data:write: a read-only admin token can list but not create', async () => {
    const readOnly = await t.tokenFor('admin@example.com', ['data:read']);
    assert.equal((await call('GET', '/admin/v1/products', undefined, readOnly)).status, 200);
    assert.equal((await call('POST', '/admin/v1/products', {}, readOnly)).status, 403);
  });
});

describe('users', () => {
  test('create answers 201 with Location, and the user reads back without any password hash', async () => {
    const created = await call('POST', '/admin/v1/users', {
      email: 'grace@admin-test.example', firstName: 'Grace', lastName: 'Hopper', roles: ['admin'], password: 'a long enough password',
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.location, `/admin/v1/users/${created.body.id}`);
    assert.equal(created.body.fullName, 'Grace Hopper');
    assert.deepEqual(created.body.roles, ['admin']);
    assert.equal(created.body.status, 'active');
    const read = await call('GET', String(created.headers.location));
    assert.deepEqual(read.body, created.body);
    assert.doesNotMatch(JSON.stringify(read.body), /scrypt|password/i);
    assert.match(String(await store.getPasswordHash(String(created.body.id))), /^scrypt\$/);
  });

  test('an e-mail address in use (in any case) is 409 CONFLICT', async () => {
    const { status, body } = await call('POST', '/admin/v1/users', { email: 'ALICE@example.com', name: 'Another Alice' });
    assert.equal(status, 409);
    assert.equal(body.code, 'CONFLICT');
    assert.equal(body.title, 'CONFLICT');
  });

  test('validation errors name the field: unknown property, bad e-mail, short password, missing name', async () => {
    const unknown = await call('POST', '/admin/v1/users', { email: 'x@admin-test.example', name: 'X', nickname: 'x' });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.code, 'REQUEST_INVALID');
    assert.deepEqual(paths(unknown.body), ['body/nickname']);
    assert.deepEqual(paths((await call('POST', '/admin/v1/users', { email: 'not-an-address', name: 'X' })).body), ['body/email']);
    assert.deepEqual(paths((await call('POST', '/admin/v1/users', { email: 'y@admin-test.example', name: 'Y', password: 'short' })).body), ['body/password']);
    assert.deepEqual(paths((await call('POST', '/admin/v1/users', { email: 'z@admin-test.example' })).body), ['body/name']);
    assert.deepEqual(paths((await call('PATCH', '/admin/v1/users/U000002', { status: 'gone' })).body), ['body/status']);
  });

  test('the list is paged by offset and limit, ordered by e-mail, with the total', async () => {
    const first = await call('GET', '/admin/v1/users?limit=2');
    const second = await call('GET', '/admin/v1/users?limit=2&offset=2');
    const items = [...first.body.items as { email: string }[], ...second.body.items as { email: string }[]];
    assert.equal(items.length, 4);
    assert.deepEqual(items.map((u) => u.email), [...items.map((u) => u.email)].sort());
    const pagination = first.body.pagination as { offset: number; limit: number; totalResults: number };
    assert.deepEqual({ offset: pagination.offset, limit: pagination.limit }, { offset: 0, limit: 2 });
    assert.ok(pagination.totalResults > 20);
    assert.equal((await call('GET', '/admin/v1/users?limit=0')).status, 400);
  });

  test('update changes names and roles; a password is set and stored only as a hash', async () => {
    const user = await newUser();
    const renamed = await call('PATCH', `/admin/v1/users/${user.id}`, { name: 'Ada King Lovelace', roles: ['admin'] });
    assert.equal(renamed.status, 200);
    assert.deepEqual([renamed.body.firstName, renamed.body.lastName, renamed.body.fullName], ['Ada', 'King Lovelace', 'Ada King Lovelace']);
    assert.deepEqual(renamed.body.roles, ['admin']);
    const last = await call('PATCH', `/admin/v1/users/${user.id}`, { lastName: 'Byron' });
    assert.equal(last.body.fullName, 'Ada Byron');
    assert.equal((await call('PUT', `/admin/v1/users/${user.id}/password`, { password: 'correct horse battery' })).status, 204);
    assert.ok(await store.getPasswordHash(user.id));
    assert.equal((await call('PUT', '/admin/v1/users/nobody/password', { password: 'correct horse battery' })).status, 404);
    assert.equal((await call('GET', '/admin/v1/users/nobody')).status, 404);
  });

  test('disabling a user refuses their next request at once, although authentication caches users', async () => {
    const user = await newUser();
    const token = await t.tokenFor(user.email);
    const contexts = () => app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${token}` } });
    assert.equal((await contexts()).statusCode, 200);
    assert.equal((await call('PATCH', `/admin/v1/users/${user.id}`, { status: 'inactive' })).body.status, 'inactive');
    assert.equal((await contexts()).statusCode, 401);
  });
});

describe('OAuth clients', () => {
  async function clientCredentials(clientId: string, secret: string) {
    const response = await app.inject({
      method: 'POST', url: '/authentication/v2/token', payload: 'grant_type=client_credentials&scope=data:read',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
    });
    return { status: response.statusCode, body: response.json() as Record<string, string> };
  }
  const contexts = (token: string) => app.inject({ method: 'GET', url: '/insights/v1/contexts', headers: { authorization: `Bearer ${token}` } });

  test('create returns the secret once; the client gets tokens acting for its bound user; reads never show the secret', async () => {
    const created = await call('POST', '/admin/v1/clients', { name: 'Nightly export', boundUserId: 'U000002', redirectUris: ['https://app.example/cb'] });
    assert.equal(created.status, 201);
    const clientId = String(created.body.clientId);
    assert.equal(created.headers.location, `/admin/v1/clients/${clientId}`);
    assert.equal(typeof created.body.clientSecret, 'string');
    const issued = await clientCredentials(clientId, String(created.body.clientSecret));
    assert.equal(issued.status, 200);
    const seen = (await contexts(issued.body.access_token!)).json() as { contextId: string }[];
    assert.deepEqual(seen.map((c) => c.contextId), [LONDON_TEAM]);
    const read = await call('GET', `/admin/v1/clients/${clientId}`);
    assert.equal(read.body.clientSecret, undefined);
    assert.doesNotMatch(JSON.stringify(read.body), /scrypt/);
    assert.deepEqual(read.body.redirectUris, ['https://app.example/cb']);
    const listed = await call('GET', '/admin/v1/clients?limit=1000');
    assert.ok((listed.body.items as { clientId: string; clientSecret?: string }[]).some((c) => c.clientId === clientId && c.clientSecret === undefined));
  });

  test('update changes redirect URIs and name; a URI with a fragment is 400 naming its position', async () => {
    const { body } = await call('POST', '/admin/v1/clients', { name: 'Desktop', isPublic: true, redirectUris: ['http://127.0.0.1/cb'] });
    assert.equal(body.clientSecret, undefined);
    const updated = await call('PATCH', `/admin/v1/clients/${body.clientId}`, { name: 'Desktop 2', redirectUris: ['http://127.0.0.1/a', 'http://127.0.0.1/b'] });
    assert.equal(updated.status, 200);
    assert.deepEqual([updated.body.name, updated.body.redirectUris], ['Desktop 2', ['http://127.0.0.1/a', 'http://127.0.0.1/b']]);
    const bad = await call('PATCH', `/admin/v1/clients/${body.clientId}`, { redirectUris: ['http://127.0.0.1/a', 'http://127.0.0.1/b#x'] });
    assert.equal(bad.status, 400);
    assert.deepEqual(paths(bad.body), ['body/redirectUris/1']);
    assert.equal((await call('PATCH', `/admin/v1/clients/${body.clientId}`, { boundUserId: 'U000001' })).status, 400, 'a public client cannot act for a user');
    assert.equal((await call('POST', `/admin/v1/clients/${body.clientId}/secret`)).status, 409, 'a public client has no secret');
  });

  test('rotating the secret: the new one works, the old one and its client_credentials tokens are refused', async () => {
    const { body } = await call('POST', '/admin/v1/clients', { name: 'Rotated', boundUserId: 'U000001' });
    const clientId = String(body.clientId);
    const before = await clientCredentials(clientId, String(body.clientSecret));
    const rotated = await call('POST', `/admin/v1/clients/${clientId}/secret`);
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.clientSecret, body.clientSecret);
    assert.equal((await clientCredentials(clientId, String(body.clientSecret))).body.error, 'invalid_client');
    assert.equal((await contexts(before.body.access_token!)).statusCode, 401);
    const after = await clientCredentials(clientId, String(rotated.body.clientSecret));
    assert.equal((await contexts(after.body.access_token!)).statusCode, 200);
  });

  test('delete removes the client and revokes the tokens issued to it', async () => {
    const { body } = await call('POST', '/admin/v1/clients', { name: 'Doomed', boundUserId: 'U000001' });
    const clientId = String(body.clientId);
    const issued = await clientCredentials(clientId, String(body.clientSecret));
    assert.equal((await call('DELETE', `/admin/v1/clients/${clientId}`)).status, 204);
    assert.equal((await contexts(issued.body.access_token!)).statusCode, 401);
    assert.equal((await clientCredentials(clientId, String(body.clientSecret))).body.error, 'invalid_client');
    assert.equal((await call('GET', `/admin/v1/clients/${clientId}`)).status, 404);
    assert.equal((await call('DELETE', `/admin/v1/clients/${clientId}`)).status, 404);
  });
});

describe('an empty body under Content-Type: application/json (issue 22: a fixed header set sends it)', () => {
  test('is no body: POST /clients/:id/secret rotates and DELETE /clients/:id deletes', async () => {
    const { body } = await call('POST', '/admin/v1/clients', { name: 'Header set', boundUserId: 'U000001' });
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const rotated = await app.inject({ method: 'POST', url: `/admin/v1/clients/${String(body.clientId)}/secret`, headers, payload: '' });
    assert.equal(rotated.statusCode, 200, rotated.body);
    assert.ok(rotated.json().clientSecret);
    const deleted = await app.inject({ method: 'DELETE', url: `/admin/v1/clients/${String(body.clientId)}`, headers, payload: '' });
    assert.equal(deleted.statusCode, 204, deleted.body);
  });

  test('a body that is not JSON is still a 400 problem', async () => {
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const response = await app.inject({ method: 'POST', url: '/admin/v1/teams', headers, payload: '{"name":' });
    assert.equal(response.statusCode, 400);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  });
});

describe('teams and contracts', () => {
  test('a team and contract created here are visible at once to their administrator through Insights and Token Flex', async () => {
    const boss = await newUser();
    const token = await t.tokenFor(boss.email);
    const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    // 1. Before: nothing, and the contract is refused (which fills the tenancy cache with "none").
    assert.deepEqual((await get('/insights/v1/contexts')).json(), []);
    assert.equal((await get('/tokenflex/v1/contract/C-ADMIN-1')).statusCode, 403);
    // 2. Create the team and its contract.
    const team = await call('POST', '/admin/v1/teams', {
      teamId: 'T-ADMIN-1', name: 'Lisbon Office', reportingBenefits: ['ReportingAPIAccess', 'InsightsTeam'], administrators: [boss.id], members: ['U000003'],
    });
    assert.equal(team.status, 201, JSON.stringify(team.body));
    assert.equal(team.headers.location, '/admin/v1/teams/T-ADMIN-1');
    const contract = await call('POST', '/admin/v1/contracts', {
      contractNumber: 'C-ADMIN-1', contractName: 'Lisbon Flex', teamId: 'T-ADMIN-1', contractStartDate: '2025-01-01', contractEndDate: '2026-12-31',
      multiyearProvisionedTokens: 500, contractYears: [
        { year: 2, startDate: '2026-01-01', endDate: '2026-12-31', provisionedTokens: 1200 },
        { year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 1000 },
      ],
      enrichmentCategories: ['Department', '', 'Cost Center'], contractManagers: [boss.id],
    });
    assert.equal(contract.status, 201, JSON.stringify(contract.body));
    assert.equal(contract.headers.location, '/admin/v1/contracts/C-ADMIN-1');
    assert.deepEqual((contract.body.contractYears as { year: number }[]).map((y) => y.year), [1, 2]);
    // 3. The administrator sees both on the compatible APIs, without waiting for the cache.
    assert.deepEqual((await get('/insights/v1/contexts')).json(), [{ contextId: 'T-ADMIN-1', alias: 'Lisbon Office', reportingBenefits: ['ReportingAPIAccess', 'InsightsTeam'] }]);
    const contracts = (await get('/tokenflex/v1/contract')).json() as { contractNumber: string; contractName: string }[];
    assert.deepEqual(contracts.map((c) => [c.contractNumber, c.contractName]), [['C-ADMIN-1', 'Lisbon Flex']]);
    const detail = await get('/tokenflex/v1/contract/C-ADMIN-1');
    assert.equal(detail.statusCode, 200);
    const years = (detail.json() as { contractYears: { year: number; provisionedTokens: number; multiyearTokensAtStart: number }[] }).contractYears;
    assert.deepEqual(years.map((y) => [y.year, y.provisionedTokens, y.multiyearTokensAtStart]), [[1, 1000, 500], [2, 1200, 500]]);
    assert.deepEqual((await get('/tokenflex/v1/contract/C-ADMIN-1/enrichment')).json(), ['Department', '', 'Cost Center', '', '', '', '', '', '', '']);
    // 4. Removing the administrator takes the team away at once.
    const demoted = await call('PATCH', '/admin/v1/teams/T-ADMIN-1', { administrators: [] });
    assert.deepEqual([demoted.body.administrators, demoted.body.members], [[], ['U000003']]);
    assert.deepEqual((await get('/insights/v1/contexts')).json(), []);
  });

  test('team create, read, list and update; duplicates are 409 and unknown people 400 naming their position', async () => {
    const admin = await newUser();
    const created = await call('POST', '/admin/v1/teams', { name: 'Oslo Office', administrators: [admin.id] });
    assert.equal(created.status, 201);
    assert.match(String(created.body.teamId), /^\d{9}$/);
    const teamId = String(created.body.teamId);
    assert.deepEqual((await call('GET', `/admin/v1/teams/${teamId}`)).body, { teamId, name: 'Oslo Office', reportingBenefits: [], personalData: true, administrators: [admin.id], members: [] });
    const updated = await call('PATCH', `/admin/v1/teams/${teamId}`, { name: 'Oslo', members: ['U000004', admin.id] });
    assert.deepEqual([updated.body.name, updated.body.administrators, updated.body.members], ['Oslo', [admin.id], ['U000004']]);
    assert.equal((await call('POST', '/admin/v1/teams', { teamId, name: 'Again' })).status, 409);
    const unknown = await call('POST', '/admin/v1/teams', { name: 'Ghosts', administrators: [admin.id, 'U999999'] });
    assert.equal(unknown.status, 400);
    assert.deepEqual(paths(unknown.body), ['body/administrators/1']);
    assert.deepEqual(paths((await call('POST', '/admin/v1/teams', { name: 'Bad', reportingBenefits: ['two words'] })).body), ['body/reportingBenefits/0']);
    const list = await call('GET', '/admin/v1/teams?limit=100');
    assert.ok((list.body.items as { teamId: string }[]).some((team) => team.teamId === teamId));
    assert.equal((await call('GET', '/admin/v1/teams/NOPE')).status, 404);
  });

  test('a team still holding a contract or usage cannot be deleted (409); an empty one can', async () => {
    assert.equal((await call('DELETE', `/admin/v1/teams/${LONDON_TEAM}`)).status, 409);
    const { body } = await call('POST', '/admin/v1/teams', { name: 'Short-lived' });
    assert.equal((await call('DELETE', `/admin/v1/teams/${body.teamId}`)).status, 204);
    assert.equal((await call('GET', `/admin/v1/teams/${body.teamId}`)).status, 404);
  });

  test('contract validation names the field: unknown team, end before start, repeated year, repeated category', async () => {
    const base = { contractNumber: 'C-BAD', contractName: 'Bad', teamId: LONDON_TEAM, contractStartDate: '2025-01-01', contractEndDate: '2025-12-31' };
    assert.deepEqual(paths((await call('POST', '/admin/v1/contracts', { ...base, teamId: 'NO-TEAM' })).body), ['body/teamId']);
    assert.deepEqual(paths((await call('POST', '/admin/v1/contracts', { ...base, contractEndDate: '2024-12-31' })).body), ['body/contractEndDate']);
    assert.deepEqual(paths((await call('POST', '/admin/v1/contracts', { ...base, contractStartDate: '2025-02-30' })).body), ['body/contractStartDate']);
    const year = { year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 10 };
    assert.deepEqual(paths((await call('POST', '/admin/v1/contracts', { ...base, contractYears: [year, year] })).body), ['body/contractYears/1/year']);
    assert.deepEqual(paths((await call('POST', '/admin/v1/contracts', { ...base, enrichmentCategories: ['Dept', 'dept'] })).body), ['body/enrichmentCategories/1']);
    assert.deepEqual(paths((await call('POST', '/admin/v1/contracts', { ...base, contractYears: [{ ...year, tokens: 5 }] })).body), ['body/contractYears/0/tokens']);
    assert.equal((await call('POST', '/admin/v1/contracts', { ...base, contractNumber: LONDON_CONTRACT })).status, 409);
  });

  test('contract update replaces years and managers; list and delete; a contract with usage cannot be deleted', async () => {
    const manager = await newUser();
    const created = await call('POST', '/admin/v1/contracts', {
      contractNumber: 'C-ADMIN-2', contractName: 'Second', teamId: LONDON_TEAM, contractStartDate: '2025-01-01', contractEndDate: '2025-12-31',
    });
    assert.equal(created.status, 201);
    assert.deepEqual([created.body.contractYears, created.body.contractManagers, created.body.multiyearProvisionedTokens], [[], [], 0]);
    const updated = await call('PATCH', '/admin/v1/contracts/C-ADMIN-2', {
      contractName: 'Second Flex', contractYears: [{ year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 99 }], contractManagers: [manager.id],
    });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.contractName, 'Second Flex');
    assert.deepEqual(updated.body.contractManagers, [manager.id]);
    assert.deepEqual(updated.body.contractYears, [{ year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 99 }]);
    assert.deepEqual(paths((await call('PATCH', '/admin/v1/contracts/C-ADMIN-2', { contractEndDate: '2024-01-01' })).body), ['body/contractEndDate']);
    const listed = await call('GET', '/admin/v1/contracts?limit=1000');
    assert.ok((listed.body.items as { contractNumber: string }[]).some((c) => c.contractNumber === 'C-ADMIN-2'));
    assert.equal((await call('DELETE', `/admin/v1/contracts/${LONDON_CONTRACT}`)).status, 409);
    assert.equal((await call('DELETE', '/admin/v1/contracts/C-ADMIN-2')).status, 204);
    assert.equal((await call('GET', '/admin/v1/contracts/C-ADMIN-2')).status, 404);
  });
});

describe('products and subscriptions', () => {
  test('product create, read, update, list, delete; a duplicate is 409 and a product in use cannot be deleted', async () => {
    const product = { productLineCode: 'TSTX', version: '2026', productName: 'Test Suite', featureCode: 'TSTX_2026_0F', dailyTokenRate: 7 };
    const created = await call('POST', '/admin/v1/products', product);
    assert.equal(created.status, 201);
    assert.equal(created.headers.location, '/admin/v1/products/TSTX/2026');
    // seatTokensPerYear: the product line's seat price (issue 17), null until set.
    assert.deepEqual(created.body, { ...product, effectiveFrom: null, effectiveTo: null, seatTokensPerYear: null });
    assert.equal((await call('POST', '/admin/v1/products', product)).status, 409);
    const updated = await call('PATCH', '/admin/v1/products/TSTX/2026', { dailyTokenRate: 8.5, effectiveFrom: '2026-01-01' });
    assert.deepEqual([updated.body.dailyTokenRate, updated.body.effectiveFrom, updated.body.effectiveTo], [8.5, '2026-01-01', null]);
    assert.deepEqual(paths((await call('PATCH', '/admin/v1/products/TSTX/2026', { effectiveTo: '2025-01-01' })).body), ['body/effectiveTo']);
    assert.deepEqual(paths((await call('POST', '/admin/v1/products', { ...product, version: '2027', dailyTokenRate: -1 })).body), ['body/dailyTokenRate']);
    const list = await call('GET', '/admin/v1/products?limit=1000');
    const items = list.body.items as { productLineCode: string; version: string }[];
    assert.ok(items.some((p) => p.productLineCode === 'TSTX'));
    // A product version that usage records name stays.
    let used: unknown[] | undefined;
    for await (const row of store.streamRows({ sql: 'select product_line_code, product_version from usage_records where product_version is not null limit 1', parameters: [] }, new AbortController().signal)) used = row;
    assert.ok(used);
    assert.equal((await call('DELETE', `/admin/v1/products/${String(used[0])}/${String(used[1])}`)).status, 409);
    assert.equal((await call('DELETE', '/admin/v1/products/TSTX/2026')).status, 204);
    assert.equal((await call('GET', '/admin/v1/products/TSTX/2026')).status, 404);
  });

  test('the seat price is a setting of the product line: set on one version, every version shows it; null clears it', async () => {
    const base = { productLineCode: 'TSTS', productName: 'Seat Suite', featureCode: 'TSTS_F', dailyTokenRate: 10 };
    const first = await call('POST', '/admin/v1/products', { ...base, version: '2025', seatTokensPerYear: 300 });
    assert.equal(first.status, 201);
    assert.equal(first.body.seatTokensPerYear, 300);
    // A new version without the member keeps the line's price; PATCH on it changes the whole line's.
    assert.equal((await call('POST', '/admin/v1/products', { ...base, version: '2026' })).body.seatTokensPerYear, 300);
    assert.equal((await call('PATCH', '/admin/v1/products/TSTS/2026', { seatTokensPerYear: 450.5 })).body.seatTokensPerYear, 450.5);
    assert.equal((await call('GET', '/admin/v1/products/TSTS/2025')).body.seatTokensPerYear, 450.5);
    assert.deepEqual(paths((await call('PATCH', '/admin/v1/products/TSTS/2025', { seatTokensPerYear: -1 })).body), ['body/seatTokensPerYear']);
    assert.equal((await call('PATCH', '/admin/v1/products/TSTS/2025', { seatTokensPerYear: null })).body.seatTokensPerYear, null);
    assert.equal((await call('GET', '/admin/v1/products/TSTS/2026')).body.seatTokensPerYear, null);
    for (const version of ['2025', '2026']) assert.equal((await call('DELETE', `/admin/v1/products/TSTS/${version}`)).status, 204);
  });

  test('subscription create with seats, read, filter, update and delete; seats over the quantity and a foreign contract are 400', async () => {
    const holder = await newUser();
    const subscription = {
      id: 'S-ADMIN-1', teamId: LONDON_TEAM, contractNumber: LONDON_CONTRACT, productLineCode: 'ACDLT', productName: 'AutoCAD LT',
      offeringType: 'Subscription', term: 'Annual', status: 'Active', quantity: 1, startDate: '2025-01-01', endDate: '2025-12-31', seats: [holder.id],
    };
    const created = await call('POST', '/admin/v1/subscriptions', subscription);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.location, '/admin/v1/subscriptions/S-ADMIN-1');
    assert.deepEqual(created.body, { ...subscription, renewalDate: null });
    assert.equal((await call('POST', '/admin/v1/subscriptions', subscription)).status, 409);
    const tooMany = await call('POST', '/admin/v1/subscriptions', { ...subscription, id: 'S-ADMIN-2', seats: [holder.id, 'U000003'] });
    assert.deepEqual(paths(tooMany.body), ['body/seats']);
    const foreign = await call('POST', '/admin/v1/subscriptions', { ...subscription, id: 'S-ADMIN-3', teamId: '4280140' });
    assert.deepEqual(paths(foreign.body), ['body/contractNumber']);
    assert.deepEqual(paths((await call('POST', '/admin/v1/subscriptions', { ...subscription, id: 'S-ADMIN-4', status: 'Paused' })).body), ['body/status']);
    const filtered = await call('GET', `/admin/v1/subscriptions?contractNumber=${LONDON_CONTRACT}&limit=1000`);
    const items = filtered.body.items as { id: string; contractNumber: string }[];
    assert.ok(items.some((s) => s.id === 'S-ADMIN-1'));
    assert.ok(items.every((s) => s.contractNumber === LONDON_CONTRACT));
    const updated = await call('PATCH', '/admin/v1/subscriptions/S-ADMIN-1', { quantity: 2, seats: [holder.id, 'U000003'], renewalDate: '2026-01-01' });
    assert.deepEqual([updated.body.quantity, updated.body.seats, updated.body.renewalDate], [2, [holder.id, 'U000003'].sort(), '2026-01-01']);
    assert.deepEqual(paths((await call('PATCH', '/admin/v1/subscriptions/S-ADMIN-1', { quantity: 1 })).body), ['body/quantity']);
    assert.equal((await call('DELETE', '/admin/v1/subscriptions/S-ADMIN-1')).status, 204);
    assert.equal((await call('GET', '/admin/v1/subscriptions/S-ADMIN-1')).status, 404);
  });
});
