import type { Db, SqlDialect } from './dialect.js';
import type { ExportSchedule } from '../contract/index.js';

const COLUMNS = (d: SqlDialect) => `id, contract_number, owner_user_id, date_range_expression, enabled, frequency_expression, schedule_objects,
  ${d.isoSeconds('last_ran_at')} as last_ran_at, ${d.isoSeconds('next_run_at')} as next_run_at`;


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

export async function upsertSchedule(db: Db, schedule: ExportSchedule, now: Date): Promise<void> {
  const values = [schedule.id, schedule.contractNumber, schedule.ownerUserId, schedule.dateRangeExpression, schedule.enabled,
    schedule.frequencyExpression, JSON.stringify(schedule.scheduleObjects),
    schedule.lastRanAt ? db.dialect.timestampValue(new Date(schedule.lastRanAt)) : null, schedule.nextRunAt ? db.dialect.timestampValue(new Date(schedule.nextRunAt)) : null, db.dialect.timestampValue(now)];
  await db.query(
    `insert into export_schedules (id, contract_number, owner_user_id, date_range_expression, enabled, frequency_expression,
                                   schedule_objects, last_ran_at, next_run_at, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, ${db.dialect.timestamp('$8')}, ${db.dialect.timestamp('$9')}, ${db.dialect.timestamp('$10')}, ${db.dialect.timestamp('$10')})
     on conflict (id) do update set date_range_expression = excluded.date_range_expression, enabled = excluded.enabled,
       frequency_expression = excluded.frequency_expression, schedule_objects = excluded.schedule_objects,
       next_run_at = excluded.next_run_at, updated_at = excluded.updated_at`,
    values);
}

export async function selectSchedule(db: Db, id: string): Promise<ExportSchedule | undefined> {
  const row = (await db.query(`select ${COLUMNS(db.dialect)} from export_schedules where id = $1`, [id])).rows[0];
  return row ? toSchedule(row) : undefined;
}

export async function selectSchedules(db: Db, ownerUserId: string, contractNumber: string): Promise<ExportSchedule[]> {
  const result = await db.query(
    `select ${COLUMNS(db.dialect)} from export_schedules where owner_user_id = $1 and contract_number = $2 order by created_at, id`, [ownerUserId, contractNumber]);
  return result.rows.map(toSchedule);
}

export async function deleteScheduleRow(db: Db, id: string): Promise<void> {
  await db.query('delete from export_schedules where id = $1', [id]);
}

export async function selectDueSchedules(db: Db, now: Date): Promise<ExportSchedule[]> {
  const result = await db.query(
    `select ${COLUMNS(db.dialect)} from export_schedules where enabled and next_run_at <= ${db.dialect.timestamp('$1')} order by next_run_at, id`, [db.dialect.timestampValue(now)]);
  return result.rows.map(toSchedule);
}

/**
 * Moves `next_run_at` on, fenced by its expected value. Of several processes firing the same
 * schedule, one update wins: on PostgreSQL the second waits for the first to commit, re-checks the
 * fence and matches nothing; on DuckDB it fails with a write conflict (Db.isConflict).
 */
export async function updateScheduleFiring(
  db: Db, id: string, expectedNextRunAt: string, nextRunAt: Date | null, ranAt: Date,
): Promise<boolean> {
  const result = await db.query(
    `update export_schedules set next_run_at = ${db.dialect.timestamp('$3')}, last_ran_at = ${db.dialect.timestamp('$4')}, updated_at = ${db.dialect.timestamp('$4')}
      where id = $1 and enabled and next_run_at = ${db.dialect.timestamp('$2')} returning id`,
    [id, db.dialect.timestampValue(new Date(expectedNextRunAt)), nextRunAt ? db.dialect.timestampValue(nextRunAt) : null, db.dialect.timestampValue(ranAt)]);
  return result.rowCount === 1;
}
