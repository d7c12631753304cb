import type { Db } from './dialect.js';
import type { Contract, Team, User } from '../contract/index.js';

export const USER_COLUMNS = 'id, email, user_name, first_name, last_name, full_name, status, roles';

export function toUser(row: Record<string, unknown>): User {
  return Object.freeze({
    id: String(row.id),
    email: String(row.email),
    userName: String(row.user_name),
    firstName: String(row.first_name),
    lastName: String(row.last_name),
    fullName: String(row.full_name),
    status: row.status === 'inactive' ? 'inactive' : 'active',
    roles: Object.freeze(String(row.roles ?? '').split(' ').filter(Boolean)),
  });
}

export async function selectUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const result = await db.query(`select ${USER_COLUMNS} from users
      where ${db.dialect.caseFold('email')} = ${db.dialect.caseFold('cast($1 as text)')}`, [email]);
  const row = result.rows[0];
  return row ? toUser(row) : undefined;
}

/** True when there is no user at all (a new database). */
export async function selectNoUsers(db: Db): Promise<boolean> {
  const result = await db.query('select not exists (select 1 from users) as empty');
  return Boolean(result.rows[0]?.empty);
}

export async function selectUserById(db: Db, id: string): Promise<User | undefined> {
  const result = await db.query(`select ${USER_COLUMNS} from users where id = $1`, [id]);
  const row = result.rows[0];
  return row ? toUser(row) : undefined;
}

export async function countUsers(db: Db): Promise<number> {
  const result = await db.query('select cast(count(*) as integer) as n from users');
  return Number(result.rows[0]?.n ?? 0);
}

export async function selectAdministeredTeams(db: Db, userId: string): Promise<Team[]> {
  const result = await db.query(
    `select t.id, t.name, t.reporting_benefits, t.personal_data
       from teams t join team_members m on m.team_id = t.id
      where m.user_id = $1 and m.is_admin
      order by t.id`,
    [userId],
  );
  return result.rows.map((row) => Object.freeze({
    teamId: String(row.id),
    name: String(row.name),
    reportingBenefits: Object.freeze(String(row.reporting_benefits).split(' ').filter(Boolean)),
    personalData: row.personal_data !== false,
  }));
}

export async function selectManagedContracts(db: Db, userId: string): Promise<Contract[]> {
  const result = await db.query(
    `select c.contract_number, c.name, ${db.dialect.isoDate('c.start_date')} as start_date,
            ${db.dialect.isoDate('c.end_date')} as end_date, current_date between c.start_date and c.end_date as is_active
       from contracts c join contract_managers m on m.contract_number = c.contract_number
      where m.user_id = $1
      order by c.contract_number`,
    [userId],
  );
  return result.rows.map(toContract);
}

export function toContract(row: Record<string, unknown>): Contract {
  return Object.freeze({
    contractNumber: String(row.contract_number),
    contractName: String(row.name),
    contractStartDate: String(row.start_date),
    contractEndDate: String(row.end_date),
    isActive: Boolean(row.is_active),
  });
}
