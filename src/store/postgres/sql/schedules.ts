import type { ExportSchedule } from '../../contract/index.js';
import { instant, isoSeconds, type Queryable } from './db.js';

const COLUMNS = `id, contract_number, owner_user_id, date_range_expression, enabled, frequency_expression, schedule_objects,
  ${isoSeconds('last_ran_at')} as last_ran_at, ${isoSeconds('next_run_at')} as next_run_at`;

function toSchedule(row: Record<string, unknown>): ExportSchedule {
  return Object.freeze({
    id: String(row.id),
    contractNumber: String(row.contract_number),
    ownerUserId: String(row.owner_user_id),
    dateRangeExpression: String(row.date_range_expression),
    enabled: Boolean(row.enabled),
    frequencyExpression: String(row.frequency_expression),
    scheduleObjects: Object.freeze(JSON.parse(String(row.schedule_objects)) as ExportSchedule['scheduleObjects']),
    lastRanAt: row.last_ran_at === null ? null : String(row.last_ran_at),
    nextRunAt: row.next_run_at === null ? null : String(row.next_run_at),
  });
}

const at = (iso: string | null) => (iso ? instant(new Date(iso)) : null);

export async function upsertSchedule(db: Queryable, schedule: ExportSchedule, now: Date): Promise<void> {
  await db.query(
    `insert into export_schedules (id, contract_number, owner_user_id, date_range_expression, enabled, frequency_expression,
                                   schedule_objects, last_ran_at, next_run_at, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz, $10::timestamptz, $10::timestamptz)
     on conflict (id) do update set date_range_expression = excluded.date_range_expression, enabled = excluded.enabled,
       frequency_expression = excluded.frequency_expression, schedule_objects = excluded.schedule_objects,
       next_run_at = excluded.next_run_at, updated_at = excluded.updated_at`,
    [schedule.id, schedule.contractNumber, schedule.ownerUserId, schedule.dateRangeExpression, schedule.enabled,
      schedule.frequencyExpression, JSON.stringify(schedule.scheduleObjects), at(schedule.lastRanAt), at(schedule.nextRunAt), instant(now)]);
}

export async function selectSchedule(db: Queryable, id: string): Promise<ExportSchedule | undefined> {
  const row = (await db.query(`select ${COLUMNS} from export_schedules where id = $1`, [id])).rows[0];
  return row ? toSchedule(row) : undefined;
}

export async function selectSchedules(db: Queryable, ownerUserId: string, contractNumber: string): Promise<ExportSchedule[]> {
  const result = await db.query(
    `select ${COLUMNS} from export_schedules where owner_user_id = $1 and contract_number = $2 order by created_at, id`,
    [ownerUserId, contractNumber]);
  return result.rows.map(toSchedule);
}

export async function deleteScheduleRow(db: Queryable, id: string): Promise<void> {
  await db.query('delete from export_schedules where id = $1', [id]);
}

export async function selectDueSchedules(db: Queryable, now: Date): Promise<ExportSchedule[]> {
  const result = await db.query(
    `select ${COLUMNS} from export_schedules where enabled and next_run_at <= $1::timestamptz order by next_run_at, id`, [instant(now)]);
  return result.rows.map(toSchedule);
}

/**
 * Moves `next_run_at` on, fenced by its expected value. Of several processes firing the same
 * schedule, the second waits for the first's update to commit, re-checks the fence against the
 * new value and matches nothing: each firing happens once across all processes.
 */
export async function updateScheduleFiring(
  db: Queryable, id: string, expectedNextRunAt: string, nextRunAt: Date | null, ranAt: Date,
): Promise<boolean> {
  const result = await db.query(
    `update export_schedules set next_run_at = $3::timestamptz, last_ran_at = $4::timestamptz, updated_at = $4::timestamptz
      where id = $1 and enabled and next_run_at = $2::timestamptz`,
    [id, instant(new Date(expectedNextRunAt)), nextRunAt ? instant(nextRunAt) : null, instant(ranAt)]);
  return result.rowCount === 1;
}
