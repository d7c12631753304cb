import { CASUAL_SECONDS, type PhaseContext } from './seed-sql.js';

/** Phase 6: contracts and contract years, provisioned from the consumption they must (not) cover. */
export function contractStatements(context: PhaseContext): string[] {
  const { firstDay, lastDay } = context;
  const statements: string[] = [];
  const add = (sql: string) => statements.push(sql);
  // ---- Contracts: provisioned tokens sized from the consumption they must (not) cover ---------
  // A year's provisioned tokens = the team's pool factor × its daily consumption in that year ×
  // the days of the year. Years the window barely covers use the contract's average rate.
  add(`create temp table seed_cy as
with desktop_days as (
  -- A Flex user-day costs the dearest daily rate among its sessions that are not casual: what the
  -- rating will charge it, known before it runs (src/rating; the seed test checks the two agree).
  select t, cy, n, day, max(rate) as tokens from seed_sessions
  where cat = 0 and not sus and secs >= ${CASUAL_SECONDS} group by t, cy, n, day
),
used as (
  select t, y, sum(tokens) as tokens from (
    select t, cy as y, tokens from desktop_days
    union all
    select t, cy, fixed_tokens from seed_sessions where cat <> 0
  ) group by t, y
),
yr as (
  select y.t, y.y, y.start_date, y.end_date, coalesce(used.tokens, 0) as tokens,
    y.end_date - y.start_date + 1 as year_days,
    greatest(0, least(y.end_date, ${lastDay}) - greatest(y.start_date, ${firstDay}) + 1) as covered
  from seed_contract_year y left join used on used.t = y.t and used.y = y.y
),
rate as (select t, sum(tokens) / greatest(1, sum(covered)) as per_day from yr group by t)
select yr.t, yr.y, yr.start_date, yr.end_date,
  greatest(1000, round(tm.pool_factor * case when yr.covered >= 90 then yr.tokens / yr.covered else rate.per_day end * yr.year_days, -2)) as provisioned
from yr join rate on rate.t = yr.t join seed_team tm on tm.t = yr.t`);

  add(`insert into contracts (contract_number, name, team_id, start_date, end_date, multiyear_provisioned_tokens, enrichment_categories)
select tm.contract_number, tm.contract_name, tm.id, min(cy.start_date), max(cy.end_date),
  greatest(500, round(0.25 * avg(cy.provisioned), -2)), tm.enrichment
from seed_team tm join seed_cy cy on cy.t = tm.t
group by tm.t, tm.contract_number, tm.contract_name, tm.id, tm.enrichment`);
  add(`insert into contract_years (contract_number, year, start_date, end_date, provisioned_tokens)
select tm.contract_number, cy.y, cy.start_date, cy.end_date, cy.provisioned
from seed_cy cy join seed_team tm on tm.t = cy.t`);

  return statements;
}

/** Phase 7: subscriptions and seat assignments. */
export function subscriptionStatements(context: PhaseContext): string[] {
  const { d, firstDay, lastDay } = context;
  const statements: string[] = [];
  const add = (sql: string) => statements.push(sql);
  // ---- Subscriptions and seats ----------------------------------------------------------------
  // Subscription users ('sus') hold a seat of their main product or of its collection; each team
  // buys a subscription per such item with a little headroom, plus a Flex token subscription and
  // a lapsed AutoCAD LT subscription from before the window.
  add(`create temp table seed_subscription as
with item as (
  select t, case when sus_col is not null then 100 + sus_col else sus_p end as item, count(*) as seats
  from seed_user where sus_col is not null or sus_p is not null group by all
),
active as (
  select it.t, it.item, 'Subscription' as offering, 'Active' as status, it.seats + ${d.int('it.t * 1000 + it.item', 70, 4)} as quantity,
    case when ${d.uniform('it.t * 1000 + it.item', 71)} < 0.6 then 1 else 3 end as term_years,
    cast(date_trunc('month', ${firstDay}) - to_months(cast(${d.int('it.t * 1000 + it.item', 72, 12)} as integer)) as date) as start_date,
    coalesce(c.code, p.code) as code, coalesce(c.name, p.name) as name
  from item it left join seed_collection c on it.item >= 100 and c.c = it.item - 100 left join seed_product p on it.item < 100 and p.p = it.item
)
select t, item, offering, status, quantity, term_years, start_date, code, name,
  cast(start_date + to_months(cast(12 * term_years * ceil((datediff('month', start_date, ${lastDay}) + 1) / (12.0 * term_years)) as integer)) as date) - 1 as end_date
from active
union all
select tm.t, 900, 'Flex', 'Active', cast(sum(cy.provisioned) as bigint), count(*), min(cy.start_date), 'FLEX', 'Flex Tokens', max(cy.end_date)
from seed_team tm join seed_cy cy on cy.t = tm.t group by tm.t
union all
select t, 800, 'Subscription', 'Expired', 2 + ${d.int('t', 73, 9)}, 1,
  cast(date_trunc('month', ${firstDay}) - to_months(24 + cast(${d.int('t', 74, 12)} as integer)) as date), 'ACDLT', 'AutoCAD LT',
  cast(date_trunc('month', ${firstDay}) - to_months(12 + cast(${d.int('t', 74, 12)} as integer)) as date) - 1
from seed_team`);
  add(`insert into subscriptions (id, team_id, contract_number, product_line_code, product_name, offering_type, term, status, quantity, start_date, end_date, renewal_date)
select '71' || lpad(cast(s.t as varchar), 2, '0') || lpad(cast(s.item as varchar), 4, '0'), tm.id, tm.contract_number, s.code, s.name, s.offering,
  case s.term_years when 1 then 'Annual' else cast(s.term_years as varchar) || '-Year' end, s.status, s.quantity, s.start_date, s.end_date,
  case when s.status = 'Active' then s.end_date + 1 end
from seed_subscription s join seed_team tm on tm.t = s.t`);
  add(`insert into seat_assignments (subscription_id, user_id, team_id)
select '71' || lpad(cast(u.t as varchar), 2, '0') || lpad(cast(case when u.sus_col is not null then 100 + u.sus_col else u.sus_p end as varchar), 4, '0'),
  u.id, tm.id
from seed_user u join seed_team tm on tm.t = u.t
where u.sus_col is not null or u.sus_p is not null`);

  return statements;
}
