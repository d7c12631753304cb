import type { Db } from './dialect.js';
import type { NewTeam, PageRequest, Team } from '../contract/index.js';
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

export async function insertTeam(db: Db, team: NewTeam): Promise<void> {
  await db.query('insert into teams (id, name, reporting_benefits, personal_data) values ($1, $2, $3, $4)',
    [team.teamId, team.name, team.reportingBenefits.join(' '), team.personalData ?? true]);
}

export async function selectTeam(db: Db, teamId: string): Promise<Team | undefined> {
  const row = (await db.query('select id, name, reporting_benefits, personal_data from teams where id = $1', [teamId])).rows[0];
  return row ? toTeam(row) : undefined;
}

export async function selectTeamsPage(db: Db, page: PageRequest): Promise<Team[]> {
  const result = await db.query(
    'select id, name, reporting_benefits, personal_data from teams order by id limit $1 offset $2', [page.limit, page.offset]);
  return result.rows.map(toTeam);
}

export async function countTeams(db: Db): Promise<number> {
  const result = await db.query('select cast(count(*) as integer) as n from teams');
  return Number(result.rows[0]?.n ?? 0);
}

/** Sets the members given (null leaves a column as it is); false when there is no such team. */
export async function updateTeamRow(db: Db, teamId: string, name: string | null, reportingBenefits: readonly string[] | null, personalData: boolean | null): Promise<boolean> {
  const result = await db.query(
    `update teams set name = coalesce($2, name), reporting_benefits = coalesce($3, reporting_benefits), personal_data = coalesce($4, personal_data)
      where id = $1 returning id`,
    [teamId, name, reportingBenefits ? reportingBenefits.join(' ') : null, personalData]);
  return result.rows.length > 0;
}

/** The people of some teams, ordered by team and user id. */
export async function selectTeamMembers(db: Db, teamIds: readonly string[]): Promise<{ teamId: string; userId: string; isAdmin: boolean }[]> {
  if (teamIds.length === 0) return [];
  const result = await db.query(
    `select team_id, user_id, is_admin from team_members where team_id in (${placeholders(teamIds.length)}) order by team_id, user_id`,
    [...teamIds]);
  return result.rows.map((row) => ({ teamId: String(row.team_id), userId: String(row.user_id), isAdmin: Boolean(row.is_admin) }));
}

export async function deleteTeamMembers(db: Db, teamId: string): Promise<void> {
  await db.query('delete from team_members where team_id = $1', [teamId]);
}

export async function insertTeamMembers(db: Db, teamId: string, members: readonly { userId: string; isAdmin: boolean }[]): Promise<void> {
  if (members.length === 0) return;
  await db.query(
    `insert into team_members (team_id, user_id, is_admin) values ${members.map((_, i) => `($1, $${2 * i + 2}, $${2 * i + 3})`).join(', ')}`,
    [teamId, ...members.flatMap((m) => [m.userId, m.isAdmin])]);
}

/** Whether a contract, subscription or usage record belongs to the team. */
export async function selectTeamInUse(db: Db, teamId: string): Promise<boolean> {
  const result = await db.query(
    `select exists (select 1 from contracts where team_id = $1)
         or exists (select 1 from subscriptions where team_id = $1)
         or exists (select 1 from usage_records where team_id = $1) as in_use`, [teamId]);
  return Boolean(result.rows[0]?.in_use);
}

export async function deleteTeamRow(db: Db, teamId: string): Promise<boolean> {
  const result = await db.query('delete from teams where id = $1 returning id', [teamId]);
  return result.rows.length > 0;
}
