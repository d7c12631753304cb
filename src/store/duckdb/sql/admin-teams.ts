import type { DuckDBConnection } from '@duckdb/node-api';
import type { NewTeam, PageRequest, Team } from '../../contract/index.js';
import { placeholders } from './admin-users.js';

/** A team row without its people; `teamDetails` in the store joins them. */
function toTeam(row: Record<string, unknown>): Team {
  return Object.freeze({
    teamId: String(row.id),
    name: String(row.name),
    reportingBenefits: Object.freeze(String(row.reporting_benefits ?? '').split(' ').filter(Boolean)),
    // Null is on (see migration team_personal_data).
    personalData: row.personal_data !== false,
  });
}

export async function insertTeam(connection: DuckDBConnection, team: NewTeam): Promise<void> {
  await connection.run('insert into teams (id, name, reporting_benefits, personal_data) values ($1, $2, $3, $4)',
    [team.teamId, team.name, team.reportingBenefits.join(' '), team.personalData ?? true]);
}

export async function selectTeam(connection: DuckDBConnection, teamId: string): Promise<Team | undefined> {
  const row = (await connection.runAndReadAll('select id, name, reporting_benefits, personal_data from teams where id = $1', [teamId])).getRowObjectsJson()[0];
  return row ? toTeam(row) : undefined;
}

export async function selectTeamsPage(connection: DuckDBConnection, page: PageRequest): Promise<Team[]> {
  const reader = await connection.runAndReadAll(
    'select id, name, reporting_benefits, personal_data from teams order by id limit $1 offset $2', [page.limit, page.offset]);
  return reader.getRowObjectsJson().map(toTeam);
}

export async function countTeams(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll('select cast(count(*) as integer) as n from teams');
  return Number(reader.getRowObjectsJson()[0]?.n ?? 0);
}

/** Sets the members given (null leaves a column as it is); false when there is no such team. */
export async function updateTeamRow(connection: DuckDBConnection, teamId: string, name: string | null, reportingBenefits: readonly string[] | null, personalData: boolean | null): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `update teams set name = coalesce($2, name), reporting_benefits = coalesce($3, reporting_benefits), personal_data = coalesce($4, personal_data)
      where id = $1 returning id`,
    [teamId, name, reportingBenefits ? reportingBenefits.join(' ') : null, personalData]);
  return reader.getRowObjectsJson().length > 0;
}

/** The people of some teams, ordered by team and user id. */
export async function selectTeamMembers(connection: DuckDBConnection, teamIds: readonly string[]): Promise<{ teamId: string; userId: string; isAdmin: boolean }[]> {
  if (teamIds.length === 0) return [];
  const reader = await connection.runAndReadAll(
    `select team_id, user_id, is_admin from team_members where team_id in (${placeholders(teamIds.length)}) order by team_id, user_id`,
    [...teamIds]);
  return reader.getRowObjectsJson().map((row) => ({ teamId: String(row.team_id), userId: String(row.user_id), isAdmin: Boolean(row.is_admin) }));
}

export async function deleteTeamMembers(connection: DuckDBConnection, teamId: string): Promise<void> {
  await connection.run('delete from team_members where team_id = $1', [teamId]);
}

export async function insertTeamMembers(connection: DuckDBConnection, teamId: string, members: readonly { userId: string; isAdmin: boolean }[]): Promise<void> {
  if (members.length === 0) return;
  await connection.run(
    `insert into team_members (team_id, user_id, is_admin) values ${members.map((_, i) => `($1, $${2 * i + 2}, $${2 * i + 3})`).join(', ')}`,
    [teamId, ...members.flatMap((m) => [m.userId, m.isAdmin])]);
}

/** Whether a contract, subscription or usage record belongs to the team. */
export async function selectTeamInUse(connection: DuckDBConnection, teamId: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `select exists (select 1 from contracts where team_id = $1)
         or exists (select 1 from subscriptions where team_id = $1)
         or exists (select 1 from usage_records where team_id = $1) as in_use`, [teamId]);
  return Boolean(reader.getRowObjectsJson()[0]?.in_use);
}

export async function deleteTeamRow(connection: DuckDBConnection, teamId: string): Promise<boolean> {
  const reader = await connection.runAndReadAll('delete from teams where id = $1 returning id', [teamId]);
  return reader.getRowObjectsJson().length > 0;
}
