/**
 * Backend-neutral assembly of the admin entities from the rows both backends read: each backend
 * runs its own SQL for the parts, then calls these, so the shapes cannot drift apart.
 */
import type { ContractDefinition, ContractYearDefinition, Subscription, Team, TeamDetail } from './contract/index.js';

/** The ids without repeats, in first-seen order. */
export function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Team member rows to write: an id in both lists is an administrator; duplicates dropped. */
export function teamMembers(administrators: readonly string[], members: readonly string[]): { userId: string; isAdmin: boolean }[] {
  const admins = new Set(administrators);
  return [
    ...[...admins].map((userId) => ({ userId, isAdmin: true })),
    ...unique(members).filter((userId) => !admins.has(userId)).map((userId) => ({ userId, isAdmin: false })),
  ];
}

export function attachPeople(
  teams: readonly Team[], people: readonly { teamId: string; userId: string; isAdmin: boolean }[],
): TeamDetail[] {
  return teams.map((team) => Object.freeze({
    ...team,
    administrators: Object.freeze(people.filter((p) => p.teamId === team.teamId && p.isAdmin).map((p) => p.userId)),
    members: Object.freeze(people.filter((p) => p.teamId === team.teamId && !p.isAdmin).map((p) => p.userId)),
  }));
}

export function attachYearsAndManagers<Row extends Omit<ContractDefinition, 'contractYears' | 'contractManagers'>>(
  rows: readonly Row[],
  years: readonly { contractNumber: string; year: ContractYearDefinition }[],
  managers: readonly { contractNumber: string; userId: string }[],
): ContractDefinition[] {
  return rows.map((row) => Object.freeze({
    ...row,
    contractYears: Object.freeze(years.filter((y) => y.contractNumber === row.contractNumber).map((y) => y.year)),
    contractManagers: Object.freeze(managers.filter((m) => m.contractNumber === row.contractNumber).map((m) => m.userId)),
  }));
}

export function attachSeats(
  rows: readonly Omit<Subscription, 'seats'>[], seats: readonly { subscriptionId: string; userId: string }[],
): Subscription[] {
  return rows.map((row) => Object.freeze({
    ...row,
    seats: Object.freeze(seats.filter((s) => s.subscriptionId === row.id).map((s) => s.userId)),
  }));
}
