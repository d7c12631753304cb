/**
 * The statements of the licence analytics (issue 17). They differ between the backends only in
 * how a date is printed; everything else is SQL both DuckDB and PostgreSQL read the same way.
 * Every value is a `$n` parameter; the only text put into SQL is a period unit from the closed
 * list `PeriodUnit`.
 */
import type {
  ConcurrencyRequest, ConcurrencyRow, DailyTokens, DenialCount, PeriodUnit, ProductLineRate, SeatHolder, UserProductMonth,
} from '../analytics-store.js';
import type { Db } from './dialect.js';

type DialectName = Db['dialect']['name'];

/** A statement and its values: what each read runs (the bench runs the same text raw beside it). */
export interface AnalyticsStatement {
  readonly sql: string;
  readonly values: readonly unknown[];
}

/** A date column as 'YYYY-MM-DD' (or 'YYYY-MM' for a month). */
function dayText(dialect: DialectName, column: string, month = false): string {
  return dialect === 'duckdb'
    ? `strftime(${column}, '${month ? '%Y-%m' : '%Y-%m-%d'}')`
    : `to_char(${column}, '${month ? 'YYYY-MM' : 'YYYY-MM-DD'}')`;
}

/** A zone-less UTC timestamp parameter value (both columns and parameters are UTC without a zone). */
function timestampText(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const PERIOD_UNITS: Readonly<Record<PeriodUnit, string>> = Object.freeze({ hour: 'hour', day: 'day' });

function placeholders(first: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function dailyTokensStatement(dialect: DialectName, contractNumber: string, from: string, to: string): AnalyticsStatement {
  return {
    sql: `select ${dayText(dialect, 'usage_date')} as day,
            coalesce(sum(tokens_consumed) filter (where usage_category <> 'MANUAL_ADJUSTMENT'), 0) as usage_tokens,
            coalesce(sum(tokens_consumed) filter (where usage_category = 'MANUAL_ADJUSTMENT'), 0) as adjustment_tokens,
            coalesce(sum(tokens_consumed) filter (where token_pool = 'MY'), 0) as multiyear_tokens
       from usage_records
      where contract_number = $1 and usage_date between cast($2 as date) and cast($3 as date)
      group by usage_date
      order by usage_date`,
    values: [contractNumber, from, to],
  };
}

export async function selectDailyTokens(db: Db, contractNumber: string, from: string, to: string): Promise<DailyTokens[]> {
  const q = dailyTokensStatement(db.dialect.name, contractNumber, from, to);
  const { rows } = await db.query(q.sql, q.values);
  return rows.map((row) => Object.freeze({
    date: String(row.day), usageTokens: Number(row.usage_tokens), adjustmentTokens: Number(row.adjustment_tokens),
    multiyearTokens: Number(row.multiyear_tokens),
  }));
}

export function userProductMonthsStatement(dialect: DialectName, contractNumber: string, from: string, to: string): AnalyticsStatement {
  return {
    sql: `select user_id, max(user_name) as user_name, product_line_code, ${dayText(dialect, 'usage_date', true)} as use_month,
            count(distinct usage_date) as days,
            coalesce(sum(tokens_consumed) filter (where source = 'flex'), 0) as flex_tokens,
            count(parent_product_name) as through_collection
       from usage_records
      where contract_number = $1 and usage_date between cast($2 as date) and cast($3 as date)
        and usage_category in ('DESKTOP_PRODUCT', 'CLOUD_PRODUCT')
        and user_id is not null and product_line_code is not null
      group by user_id, product_line_code, use_month
      order by user_id, product_line_code, use_month`,
    values: [contractNumber, from, to],
  };
}

export async function selectUserProductMonths(db: Db, contractNumber: string, from: string, to: string): Promise<UserProductMonth[]> {
  const q = userProductMonthsStatement(db.dialect.name, contractNumber, from, to);
  const { rows } = await db.query(q.sql, q.values);
  return rows.map((row) => Object.freeze({
    userId: String(row.user_id), userName: textOrNull(row.user_name) ?? String(row.user_id), productLineCode: String(row.product_line_code),
    month: String(row.use_month), days: Number(row.days), flexTokens: Number(row.flex_tokens),
    throughCollection: Number(row.through_collection) > 0,
  }));
}

export function productLineRatesStatement(productLineCodes: readonly string[]): AnalyticsStatement {
  // The line's latest version (the latest effective date, open start first; then the highest version) sets its rate and name.
  return {
    sql: `with latest as (
       select product_line_code, product_name, daily_token_rate,
              row_number() over (partition by product_line_code
                                 order by coalesce(effective_from, cast('0001-01-01' as date)) desc, version desc) as rn
         from products
        where product_line_code in (${placeholders(1, productLineCodes.length)})
     )
     select l.product_line_code, l.product_name, l.daily_token_rate, s.seat_tokens_per_year
       from latest l left join product_lines s on s.product_line_code = l.product_line_code
      where l.rn = 1
      order by l.product_line_code`,
    values: productLineCodes,
  };
}

export async function selectProductLineRates(db: Db, productLineCodes: readonly string[]): Promise<ProductLineRate[]> {
  if (productLineCodes.length === 0) return [];
  const q = productLineRatesStatement(productLineCodes);
  const { rows } = await db.query(q.sql, q.values);
  return rows.map((row) => Object.freeze({
    productLineCode: String(row.product_line_code), productName: String(row.product_name),
    dailyTokenRate: Number(row.daily_token_rate),
    seatTokensPerYear: row.seat_tokens_per_year === null || row.seat_tokens_per_year === undefined ? null : Number(row.seat_tokens_per_year),
  }));
}

export function seatHoldersStatement(
  dialect: DialectName, scope: { readonly contractNumber: string } | { readonly teamId: string }, asOf: string,
): AnalyticsStatement {
  const [column, key] = 'teamId' in scope ? ['team_id', scope.teamId] : ['contract_number', scope.contractNumber];
  // The last use is any record of the team (any contract, version or source) of the seat's user and
  // line, or, for a collection's seat, of a product used through that collection (the records name
  // it as their parent product). Two grouped reads, not one join on "line or parent": an OR join
  // cannot be a hash join.
  return {
    sql: `with seats as (
       select a.user_id, s.team_id, s.product_line_code, s.product_name, s.id, s.offering_type, s.term, s.status,
              s.end_date, s.renewal_date
         from seat_assignments a join subscriptions s on s.id = a.subscription_id
        where s.${column} = $1 and s.status = 'Active'
     ),
     holders as (select distinct team_id, user_id from seats),
     by_line as (
       select r.user_id, r.product_line_code, max(r.usage_date) as last_day
         from usage_records r join holders h on r.team_id = h.team_id and r.user_id = h.user_id
        where r.usage_date <= cast($2 as date)
        group by r.user_id, r.product_line_code
     ),
     by_parent as (
       select r.user_id, r.parent_product_name, max(r.usage_date) as last_day
         from usage_records r join holders h on r.team_id = h.team_id and r.user_id = h.user_id
        where r.usage_date <= cast($2 as date) and r.parent_product_name is not null
        group by r.user_id, r.parent_product_name
     ),
     last_use as (
       select s.id, s.user_id, case when l.last_day is null then p.last_day when p.last_day is null then l.last_day
                                    else greatest(l.last_day, p.last_day) end as last_day
         from seats s
         left join by_line l on l.user_id = s.user_id and l.product_line_code = s.product_line_code
         left join by_parent p on p.user_id = s.user_id and p.parent_product_name = s.product_name
     )
     select s.user_id, coalesce(u.user_name, s.user_id) as user_name, s.product_line_code, s.product_name, s.id,
            s.offering_type, s.term, s.status, ${dayText(dialect, 's.end_date')} as end_date,
            ${dayText(dialect, 's.renewal_date')} as renewal_date, ${dayText(dialect, 'l.last_day')} as last_use
       from seats s
       left join users u on u.id = s.user_id
       left join last_use l on l.id = s.id and l.user_id = s.user_id
      order by s.product_line_code, s.user_id, s.id`,
    values: [key, asOf],
  };
}

export async function selectSeatHolders(
  db: Db, scope: { readonly contractNumber: string } | { readonly teamId: string }, asOf: string,
): Promise<SeatHolder[]> {
  const q = seatHoldersStatement(db.dialect.name, scope, asOf);
  const { rows } = await db.query(q.sql, q.values);
  return rows.map((row) => Object.freeze({
    userId: String(row.user_id), userName: String(row.user_name), productLineCode: String(row.product_line_code),
    productName: String(row.product_name), subscriptionId: String(row.id), offeringType: String(row.offering_type),
    term: String(row.term), status: String(row.status), endDate: String(row.end_date), renewalDate: textOrNull(row.renewal_date),
    lastUseDate: textOrNull(row.last_use),
  }));
}

/**
 * The concurrency sweep (src/analytics/concurrency.ts is the same sweep written plainly, and the
 * contract suite holds this SQL to it). Each session gives a +1 event at its start and a −1 at its
 * end, ends first at the same instant ([start, end) sessions that touch do not overlap). The
 * running sum after an event holds until the next event; the stretches with sessions running are
 * spread over the periods they touch (not over minutes), and each period keeps its highest
 * stretch, the earliest on a tie. Distinct users come from the sessions spread over their periods.
 */
export function concurrencySql(unit: PeriodUnit): string {
  const u = PERIOD_UNITS[unit];
  return `with s as (
       select product_line_code as product, user_id, session_start as st, session_end as en
         from usage_records
        where contract_number = $1 and usage_category = 'DESKTOP_PRODUCT' and product_line_code is not null
          and session_start < cast($3 as timestamp) and session_end > cast($2 as timestamp) and session_end > session_start
          and (cast($4 as varchar) is null or product_line_code = cast($4 as varchar))
     ),
     ev as (
       select product, st as instant, 1 as delta from s
       union all
       select product, en as instant, -1 as delta from s
     ),
     run as (
       select product, instant, sum(delta) over w as running, lead(instant) over w as next_instant
         from ev
       window w as (partition by product order by instant, delta rows between unbounded preceding and current row)
     ),
     stretch as (
       select product, instant, next_instant, running from run where next_instant > instant and running > 0
     ),
     by_period as (
       select t.product, g.p, t.running, greatest(t.instant, g.p) as from_at,
              row_number() over (partition by t.product, g.p order by t.running desc, greatest(t.instant, g.p)) as rn
         from stretch t
         cross join lateral generate_series(date_trunc('${u}', t.instant), t.next_instant - interval '1 microsecond', interval '1 ${u}') as g(p)
        where g.p >= cast($2 as timestamp) and g.p < cast($3 as timestamp)
     ),
     users_by_period as (
       select s.product, g.p, count(distinct s.user_id) as users
         from s
         cross join lateral generate_series(date_trunc('${u}', s.st), s.en - interval '1 microsecond', interval '1 ${u}') as g(p)
        where g.p >= cast($2 as timestamp) and g.p < cast($3 as timestamp)
        group by s.product, g.p
     )
     select b.product, cast(extract(epoch from b.p) as bigint) as period_start, b.running as peak,
            cast(extract(epoch from date_trunc('minute', b.from_at)) as bigint) as peak_at, coalesce(n.users, 0) as users
       from by_period b left join users_by_period n on n.product = b.product and n.p = b.p
      where b.rn = 1
      order by b.product, b.p`;
}

export function concurrencyValues(contractNumber: string, request: ConcurrencyRequest): unknown[] {
  return [contractNumber, timestampText(request.from), timestampText(request.to), request.productLineCode];
}

export function concurrencyStatement(contractNumber: string, request: ConcurrencyRequest): AnalyticsStatement {
  return { sql: concurrencySql(request.unit), values: concurrencyValues(contractNumber, request) };
}

export async function selectConcurrency(db: Db, contractNumber: string, request: ConcurrencyRequest): Promise<ConcurrencyRow[]> {
  const q = concurrencyStatement(contractNumber, request);
  const { rows } = await db.query(q.sql, q.values);
  return rows.map((row) => Object.freeze({
    productLineCode: String(row.product), periodStart: Number(row.period_start) * 1000, peakSessions: Number(row.peak),
    peakAt: Number(row.peak_at) * 1000, distinctUsers: Number(row.users),
  }));
}

/** Denials (license_denials, from FlexNet logs) per product line and period of their UTC instant. */
export function denialCountsStatement(contractNumber: string, request: ConcurrencyRequest): AnalyticsStatement {
  const u = PERIOD_UNITS[request.unit];
  return {
    sql: `select product_line_code, cast(extract(epoch from date_trunc('${u}', denied_at)) as bigint) as period_start, count(*) as denials
            from license_denials
           where contract_number = $1 and denied_at >= cast($2 as timestamp) and denied_at < cast($3 as timestamp)
             and (cast($4 as varchar) is null or product_line_code = cast($4 as varchar))
           group by product_line_code, date_trunc('${u}', denied_at)
           order by product_line_code, period_start`,
    values: concurrencyValues(contractNumber, request),
  };
}

export async function selectDenialCounts(db: Db, contractNumber: string, request: ConcurrencyRequest): Promise<DenialCount[]> {
  const q = denialCountsStatement(contractNumber, request);
  const { rows } = await db.query(q.sql, q.values);
  return rows.map((row) => Object.freeze({
    productLineCode: String(row.product_line_code), periodStart: Number(row.period_start) * 1000, denials: Number(row.denials),
  }));
}
