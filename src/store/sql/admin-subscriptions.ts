import type { Db, SqlDialect } from './dialect.js';
import type { PageRequest, Subscription, SubscriptionFilter, SubscriptionPatch } from '../contract/index.js';
import { placeholders } from './admin-users.js';

/** A subscription row without its seats; the store joins them. */
export type SubscriptionRow = Omit<Subscription, 'seats'>;

const SUBSCRIPTION_COLUMNS = (d: SqlDialect) => `id, team_id, contract_number, product_line_code, product_name, offering_type, term, status, quantity,
  ${d.isoDate('start_date')} as start_date, ${d.isoDate('end_date')} as end_date,
  ${d.isoDate('renewal_date')} as renewal_date`;

function toSubscriptionRow(row: Record<string, unknown>): SubscriptionRow {
  return Object.freeze({
    id: String(row.id),
    teamId: String(row.team_id),
    contractNumber: String(row.contract_number),
    productLineCode: String(row.product_line_code),
    productName: String(row.product_name),
    offeringType: String(row.offering_type),
    term: String(row.term),
    status: String(row.status) as Subscription['status'],
    quantity: Number(row.quantity),
    startDate: String(row.start_date),
    endDate: String(row.end_date),
    renewalDate: row.renewal_date === null || row.renewal_date === undefined ? null : String(row.renewal_date),
  });
}

export async function insertSubscription(db: Db, subscription: Subscription): Promise<void> {
  const s = subscription;
  await db.query(
    `insert into subscriptions (id, team_id, contract_number, product_line_code, product_name, offering_type, term, status, quantity,
                                start_date, end_date, renewal_date)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, cast($10 as date), cast($11 as date), cast($12 as date))`,
    [s.id, s.teamId, s.contractNumber, s.productLineCode, s.productName, s.offeringType, s.term, s.status, s.quantity,
      s.startDate, s.endDate, s.renewalDate]);
}

export async function selectSubscriptionRow(db: Db, id: string): Promise<SubscriptionRow | undefined> {
  const row = (await db.query(`select ${SUBSCRIPTION_COLUMNS(db.dialect)} from subscriptions where id = $1`, [id])).rows[0];
  return row ? toSubscriptionRow(row) : undefined;
}

/** `where` of a subscription list: each filter member is a parameter, or null for "any". */
const FILTER = '(cast($1 as varchar) is null or team_id = $1) and (cast($2 as varchar) is null or contract_number = $2)';

export async function selectSubscriptionsPage(db: Db, filter: SubscriptionFilter, page: PageRequest): Promise<SubscriptionRow[]> {
  const result = await db.query(
    `select ${SUBSCRIPTION_COLUMNS(db.dialect)} from subscriptions where ${FILTER} order by id limit $3 offset $4`,
    [filter.teamId ?? null, filter.contractNumber ?? null, page.limit, page.offset]);
  return result.rows.map(toSubscriptionRow);
}

export async function countSubscriptions(db: Db, filter: SubscriptionFilter): Promise<number> {
  const result = await db.query(
    `select cast(count(*) as integer) as n from subscriptions where ${FILTER}`, [filter.teamId ?? null, filter.contractNumber ?? null]);
  return Number(result.rows[0]?.n ?? 0);
}

/** Sets the members given (null leaves a column as it is; `$12` says whether to touch the renewal date). */
export async function updateSubscriptionRow(db: Db, id: string, patch: SubscriptionPatch): Promise<boolean> {
  const result = await db.query(
    `update subscriptions set team_id = coalesce($2, team_id), contract_number = coalesce($3, contract_number),
            product_line_code = coalesce($4, product_line_code), product_name = coalesce($5, product_name),
            offering_type = coalesce($6, offering_type), term = coalesce($7, term), status = coalesce($8, status),
            quantity = coalesce($9, quantity), start_date = coalesce(cast($10 as date), start_date),
            end_date = coalesce(cast($11 as date), end_date),
            renewal_date = case when $12 then cast($13 as date) else renewal_date end
      where id = $1 returning id`,
    [id, patch.teamId ?? null, patch.contractNumber ?? null, patch.productLineCode ?? null, patch.productName ?? null,
      patch.offeringType ?? null, patch.term ?? null, patch.status ?? null, patch.quantity ?? null, patch.startDate ?? null,
      patch.endDate ?? null, patch.renewalDate !== undefined, patch.renewalDate ?? null]);
  return result.rows.length > 0;
}

/** The seat holders of some subscriptions, ordered by subscription and user id. */
export async function selectSeatAssignments(db: Db, subscriptionIds: readonly string[]): Promise<{ subscriptionId: string; userId: string }[]> {
  if (subscriptionIds.length === 0) return [];
  const result = await db.query(
    `select subscription_id, user_id from seat_assignments where subscription_id in (${placeholders(subscriptionIds.length)})
      order by subscription_id, user_id`,
    [...subscriptionIds]);
  return result.rows.map((row) => ({ subscriptionId: String(row.subscription_id), userId: String(row.user_id) }));
}

export async function deleteSeatAssignments(db: Db, subscriptionId: string): Promise<void> {
  await db.query('delete from seat_assignments where subscription_id = $1', [subscriptionId]);
}

/** Seats carry the subscription's team, as the Insights reports join on it. */
export async function insertSeatAssignments(db: Db, subscriptionId: string, teamId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db.query(
    `insert into seat_assignments (subscription_id, user_id, team_id) values ${userIds.map((_, i) => `($1, $${i + 3}, $2)`).join(', ')}`,
    [subscriptionId, teamId, ...userIds]);
}

/** Moves the seats with their subscription when its team changes. */
export async function updateSeatTeams(db: Db, subscriptionId: string, teamId: string): Promise<void> {
  await db.query('update seat_assignments set team_id = $2 where subscription_id = $1 and team_id <> $2', [subscriptionId, teamId]);
}

export async function deleteSubscriptionRow(db: Db, id: string): Promise<boolean> {
  const result = await db.query('delete from subscriptions where id = $1 returning id', [id]);
  return result.rows.length > 0;
}
