import { api, must } from './client';

/** What the pickers list: fetched once per page load, shared by every page. */
export interface Contract { readonly contractNumber: string; readonly contractName: string }
export interface Team { readonly contextId: string; readonly alias: string }

let contracts: Promise<readonly Contract[]> | undefined;
let teams: Promise<readonly Team[]> | undefined;
let admin: Promise<boolean> | undefined;

export function loadContracts(): Promise<readonly Contract[]> {
  contracts ??= must(api.GET('/tokenflex/v1/contract')).then((list) => list.map((c) => ({ contractNumber: String(c.contractNumber), contractName: c.contractName })));
  contracts.catch(() => { contracts = undefined; });
  return contracts;
}

export function loadTeams(): Promise<readonly Team[]> {
  teams ??= must(api.GET('/insights/v1/contexts')).then((list) => list.map((c) => ({ contextId: c.contextId, alias: c.alias })));
  teams.catch(() => { teams = undefined; });
  return teams;
}

/** Whether the user has the admin role: the admin API answers them, and 403 to anyone else. */
export function loadIsAdmin(): Promise<boolean> {
  admin ??= api.GET('/admin/v1/users', { params: { query: { offset: 0, limit: 1 } } }).then(({ response }) => response.ok, () => false);
  return admin;
}
