import type { DuckDBConnection } from '@duckdb/node-api';
import type { ExportSchedule } from '../../contract/index.js';

const ISO = "'%Y-%m-%dT%H:%M:%SZ'";
const COLUMNS = `id, contract_number, owner_user_id, date_range_expression, enabled, frequency_expression, schedule_objects,
  strftime(last_ran_at, ${ISO}) as last_ran_at, strftime(next_run_at, ${ISO}) as next_run_at`;

const utc = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');

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

export async function upsertSchedule(connection: DuckDBConnection, schedule: ExportSchedule, now: Date): Promise<void> {
  const values = [schedule.id, schedule.contractNumber, schedule.ownerUserId, schedule.dateRangeExpression, schedule.enabled,
    schedule.frequencyExpression, JSON.stringify(schedule.scheduleObjects),
    schedule.lastRanAt ? utc(new Date(schedule.lastRanAt)) : null, schedule.nextRunAt ? utc(new Date(schedule.nextRunAt)) : null, utc(now)];
  await connection.run(
    `insert into export_schedules (id, contract_number, owner_user_id, date_range_expression, enabled, frequency_expression,
                                   schedule_objects, last_ran_at, next_run_at, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, cast($8 as timestamp), cast($9 as timestamp), cast($10 as timestamp), cast($10 as timestamp))
     on conflict (id) do update set date_range_expression = excluded.date_range_expression, enabled = excluded.enabled,
       frequency_expression = excluded.frequency_expression, schedule_objects = excluded.schedule_objects,
       next_run_at = excluded.next_run_at, updated_at = excluded.updated_at`,
    values);
}

export async function selectSchedule(connection: DuckDBConnection, id: string): Promise<ExportSchedule | undefined> {
  const row = (await connection.runAndReadAll(`select ${COLUMNS} from export_schedules where id = $1`, [id])).getRowObjectsJson()[0];
  return row ? toSchedule(row) : undefined;
}

export async function selectSchedules(connection: DuckDBConnection, ownerUserId: string, contractNumber: string): Promise<ExportSchedule[]> {
  const reader = await connection.runAndReadAll(
    `select ${COLUMNS} from export_schedules where owner_user_id = $1 and contract_number = $2 order by created_at, id`, [ownerUserId, contractNumber]);
  return reader.getRowObjectsJson().map(toSchedule);
}

export async function deleteScheduleRow(connection: DuckDBConnection, id: string): Promise<void> {
  await connection.run('delete from export_schedules where id = $1', [id]);
}

export async function selectDueSchedules(connection: DuckDBConnection, now: Date): Promise<ExportSchedule[]> {
  const reader = await connection.runAndReadAll(
    `select ${COLUMNS} from export_schedules where enabled and next_run_at <= cast($1 as timestamp) order by next_run_at, id`, [utc(now)]);
  return reader.getRowObjectsJson().map(toSchedule);
}

export async function updateScheduleFiring(
  connection: DuckDBConnection, id: string, expectedNextRunAt: string, nextRunAt: Date | null, ranAt: Date,
): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `update export_schedules set next_run_at = cast($3 as timestamp), last_ran_at = cast($4 as timestamp), updated_at = cast($4 as timestamp)
      where id = $1 and enabled and next_run_at = cast($2 as timestamp) returning id`,
    [id, utc(new Date(expectedNextRunAt)), nextRunAt ? utc(nextRunAt) : null, utc(ranAt)]);
  return reader.getRowsJson().length > 0;
}
