import { randomInt } from 'node:crypto';
import { AppError } from '../errors.js';
import { forgetPersonalDataPolicy } from '../privacy/index.js';
import type { Page, PageRequest, Store, TeamDetail, TeamPatch } from '../store/index.js';
import { checkUsers, createOnce, invalid, notFound } from './checks.js';

export interface TeamInput {
  /** Given, or a random nine-digit number (Insights context ids are numeric). */
  readonly teamId?: string;
  readonly name: string;
  readonly reportingBenefits?: readonly string[];
  /** The personal-data switch; on unless given. */
  readonly personalData?: boolean;
  readonly administrators?: readonly string[];
  readonly members?: readonly string[];
}

/** A random nine-digit id no team has yet (a given id that is taken is a CONFLICT instead). */
async function unusedTeamId(store: Store): Promise<string> {
  for (;;) {
    const teamId = String(randomInt(100_000_000, 1_000_000_000));
    if (!(await store.findTeam(teamId))) return teamId;
  }
}

/** Creates a team with its administrators (who then see it as an Insights context) and members. */
export async function createTeam(store: Store, input: TeamInput): Promise<TeamDetail> {
  if (!input.name.trim()) throw invalid('body/name', 'must not be empty.');
  await checkUsers(store, 'body/administrators', input.administrators);
  await checkUsers(store, 'body/members', input.members);
  const teamId = input.teamId ?? await unusedTeamId(store);
  forgetPersonalDataPolicy(store);
  return createOnce(() => store.findTeam(teamId), () => store.createTeam({
    teamId, name: input.name.trim(), reportingBenefits: [...(input.reportingBenefits ?? [])], personalData: input.personalData ?? true,
    administrators: [...(input.administrators ?? [])], members: [...(input.members ?? [])],
  }), `A team with the id ${teamId}`);
}

export async function getTeam(store: Store, teamId: string): Promise<TeamDetail> {
  const team = await store.findTeam(teamId);
  if (!team) throw notFound(`team has the id ${teamId}`);
  return team;
}

export function listTeams(store: Store, page: PageRequest): Promise<Page<TeamDetail>> {
  return store.listTeams(page);
}

/** Changes the members given; `administrators` and `members` each replace their whole list. */
export async function updateTeam(store: Store, teamId: string, patch: TeamPatch): Promise<TeamDetail> {
  if (patch.name !== undefined && !patch.name.trim()) throw invalid('body/name', 'must not be empty.');
  await checkUsers(store, 'body/administrators', patch.administrators);
  await checkUsers(store, 'body/members', patch.members);
  const updated = await store.updateTeam(teamId, { ...patch, ...(patch.name !== undefined ? { name: patch.name.trim() } : {}) });
  forgetPersonalDataPolicy(store);
  if (!updated) throw notFound(`team has the id ${teamId}`);
  return updated;
}

export async function deleteTeam(store: Store, teamId: string): Promise<void> {
  const outcome = await store.deleteTeam(teamId);
  if (outcome === 'not-found') throw notFound(`team has the id ${teamId}`);
  if (outcome === 'in-use') {
    throw new AppError('CONFLICT', `The team ${teamId} still has contracts, subscriptions or usage records; it cannot be deleted.`);
  }
}
