import type { FlexlmLogState, FlexlmLogWrite, LogSpan, PendingCheckin, ProvisionalSession, SessionMark } from '../contract/index.js';
import type { Db } from './dialect.js';

// What the store keeps of FlexNet debug logs besides their sessions and denials (contract/flexlm.ts,
// docs/sources.md): the marks of the sessions (licences, how they ended), the provisional sessions
// a later log may finish, and the pending check-ins and log spans an earlier log may need.

/** Rows per statement: 4–8 parameters each, well under either backend's limit. */
const ROWS_PER_STATEMENT = 2000;

const ms = (db: Db, column: string) => db.dialect.epochMs(column);

export async function selectFlexlmLogState(db: Db, contractNumber: string, server: string): Promise<FlexlmLogState> {
  const provisional = (await db.query(`select id, product_feature_code, product_line_code, product_version, user_name, machine_name,
      coalesce(licenses, 1) as licenses, ${ms(db, 'session_start')} as start_ms, ${ms(db, 'session_end')} as end_ms
    from usage_records
    where contract_number = $1 and usage_category = 'DESKTOP_PRODUCT' and license_server_name = $2 and session_ended_by = 'log-end'
    order by session_start, id`, [contractNumber, server])).rows.map((r): ProvisionalSession => ({
    id: String(r.id), feature: String(r.product_feature_code), productLineCode: String(r.product_line_code),
    productVersion: String(r.product_version), userName: String(r.user_name), host: String(r.machine_name), licenses: Number(r.licenses),
    sessionStart: Number(r.start_ms), sessionEnd: Number(r.end_ms),
  }));
  const pending = (await db.query(`select id, product_feature_code, user_name, machine_name, ${ms(db, 'checkin_at')} as at_ms, inactive
    from flexlm_pending_checkins where contract_number = $1 and license_server_name = $2
    order by checkin_at, id`, [contractNumber, server])).rows.map((r): PendingCheckin => ({
    id: String(r.id), feature: String(r.product_feature_code), userName: String(r.user_name), host: String(r.machine_name),
    at: Number(r.at_ms), inactive: r.inactive === true,
  }));
  const spans = (await db.query(`select ${ms(db, 'first_at')} as first_ms, ${ms(db, 'last_at')} as last_ms, break_kind,
      ${ms(db, 'break_at')} as break_ms
    from flexlm_log_spans where contract_number = $1 and license_server_name = $2
    order by first_at, last_at`, [contractNumber, server])).rows.map((r): LogSpan => ({
    firstAt: Number(r.first_ms), lastAt: Number(r.last_ms),
    break: r.break_kind === 'stop' || r.break_kind === 'restart' ? r.break_kind : null,
    breakAt: r.break_ms === null || r.break_ms === undefined ? null : Number(r.break_ms),
  }));
  return { provisional, pending, spans };
}

export async function applyFlexlmLog(db: Db, write: FlexlmLogWrite): Promise<void> {
  const processedAt = new Date();
  for (let start = 0; start < write.marks.length; start += ROWS_PER_STATEMENT) {
    await updateMarks(db, write.marks.slice(start, start + ROWS_PER_STATEMENT), processedAt);
  }
  for (let start = 0; start < write.spans.length; start += ROWS_PER_STATEMENT) {
    await insertSpans(db, write.contractNumber, write.server, write.spans.slice(start, start + ROWS_PER_STATEMENT));
  }
  for (let start = 0; start < write.consumed.length; start += ROWS_PER_STATEMENT) {
    const chunk = write.consumed.slice(start, start + ROWS_PER_STATEMENT);
    const list = db.dialect.inList('id', 1, chunk);
    await db.query(`delete from flexlm_pending_checkins where ${list.sql}`, list.values);
  }
  for (let start = 0; start < write.pending.length; start += ROWS_PER_STATEMENT) {
    await insertPending(db, write.contractNumber, write.server, write.pending.slice(start, start + ROWS_PER_STATEMENT));
  }
}

/**
 * Sets each session's licences and how it ended. The end moves only on a record not marked yet
 * (just inserted) or one stored as `log-end`, and only forward: to an end for good, or to a later
 * `log-end`. Records that ended for good are left as they are.
 */
async function updateMarks(db: Db, marks: readonly SessionMark[], processedAt: Date): Promise<void> {
  const t = (p: string) => db.dialect.timestamp(p);
  const rows = marks.map((_, i) => `($${i * 4 + 2}, ${t(`$${i * 4 + 3}`)}, $${i * 4 + 4}, cast($${i * 4 + 5} as integer))`).join(', ');
  const values: unknown[] = [db.dialect.timestampValue(processedAt)];
  for (const mark of marks) values.push(mark.id, db.dialect.timestampValue(new Date(mark.sessionEnd)), mark.endedBy, mark.licenses);
  const moves = `(u.session_ended_by is null or (u.session_ended_by = 'log-end'
    and (v.ended_by <> 'log-end' or v.session_end > u.session_end)))`;
  await db.query(`update usage_records as u set
      licenses = v.licenses,
      session_ended_by = v.ended_by,
      usage_minutes = round(cast(${ms(db, 'v.session_end')} - ${ms(db, 'u.session_start')} as double precision) / 600) / 100,
      processed_at = case when v.session_end <> u.session_end then ${t('$1')} else u.processed_at end,
      session_end = v.session_end
    from (values ${rows}) as v(id, session_end, ended_by, licenses)
    where u.id = v.id and ${moves}`, values);
}

async function insertSpans(db: Db, contractNumber: string, server: string, spans: readonly LogSpan[]): Promise<void> {
  const t = (p: string) => db.dialect.timestamp(p);
  const rows = spans.map((_, i) => `($1, $2, ${t(`$${i * 4 + 3}`)}, ${t(`$${i * 4 + 4}`)}, $${i * 4 + 5}, ${t(`$${i * 4 + 6}`)})`).join(', ');
  const values: unknown[] = [contractNumber, server];
  const at = (epochMs: number | null) => (epochMs === null ? null : db.dialect.timestampValue(new Date(epochMs)));
  for (const span of spans) values.push(at(span.firstAt), at(span.lastAt), span.break, at(span.breakAt));
  await db.query(`insert into flexlm_log_spans (contract_number, license_server_name, first_at, last_at, break_kind, break_at)
    values ${rows} on conflict do nothing`, values);
}

/** Stores the pending check-ins, except those a stored session of the server already ended with. */
async function insertPending(db: Db, contractNumber: string, server: string, pending: readonly PendingCheckin[]): Promise<void> {
  const t = (p: string) => db.dialect.timestamp(p);
  const rows = pending.map((_, i) => `($${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6}, ${t(`$${i * 6 + 7}`)}, cast($${i * 6 + 8} as boolean))`).join(', ');
  const values: unknown[] = [contractNumber, server];
  for (const p of pending) values.push(p.id, p.feature, p.userName, p.host, db.dialect.timestampValue(new Date(p.at)), p.inactive);
  await db.query(`insert into flexlm_pending_checkins
      (id, contract_number, license_server_name, product_feature_code, user_name, machine_name, checkin_at, inactive)
    select v.id, $1, $2, v.feature, v.user_name, v.host, v.checkin_at, v.inactive
    from (values ${rows}) as v(id, feature, user_name, host, checkin_at, inactive)
    where not exists (select 1 from usage_records r
      where r.contract_number = $1 and r.usage_category = 'DESKTOP_PRODUCT' and r.license_server_name = $2
        and r.product_feature_code = v.feature and r.user_name = v.user_name and r.machine_name = v.host
        and r.session_end = v.checkin_at and r.session_ended_by in ('checkin', 'inactive'))
    on conflict do nothing`, values);
}
