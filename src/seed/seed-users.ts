import { demoSeatPrices, DEMO_FIRST_NAMES, DEMO_LAST_NAMES, DEMO_TEAMS } from './demo-data.js';
import { DEMO_ADMIN_EMAIL, DEMO_ALICE_EMAIL } from './seed-options.js';
import { lit, PRODUCT_SLOTS, slotTable, TEAM_SLOTS, USER_SLOTS, values, type PhaseContext } from './seed-sql.js';

/**
 * Users who hold a subscription seat and never use anything (the idle-seat answer's "never"):
 * numbered after the others and left out of the usage draws, so everyone else's usage is as it was.
 */
export function idleSeatUsers(users: number): number {
  return Math.max(3, Math.round(users * 0.04));
}

/** Phase 3: the users, their home team, main products, activity span and subscription seat. */
export function userStatements(context: PhaseContext): string[] {
  const { plan, d, firstDay } = context;
  const statements: string[] = [];
  const add = (sql: string) => statements.push(sql);
  add(slotTable('seed_team_slot', 'select t, weight from seed_team', '', 't', TEAM_SLOTS));
  add(`create temp table seed_user as
with g as (
  select r.n, case r.n when 1 then 0 when 2 then 1 else ts.t end as t,
    ${d.int('r.n', 11, DEMO_FIRST_NAMES.length)} as fi, ${d.int('r.n', 12, DEMO_LAST_NAMES.length)} as li,
    r.n > 2 and r.n <= ${plan.users} and ${d.uniform('r.n', 13)} < 0.06 as inactive,
    r.n > 2 and ${d.uniform('r.n', 14)} < 0.08 as joiner,
    ${d.uniform('r.n', 15)} as u_act,
    case r.n when 1 then 250 else cast(round(1000 * exp(0.8 * ${d.normal('r.n', 16, 17)})) as bigint) + 1 end as weight,
    ${d.int('r.n', 20, PRODUCT_SLOTS)} as slot1, ${d.int('r.n', 21, PRODUCT_SLOTS)} as slot2,
    case when ${d.uniform('r.n', 22)} < 0.7 then 1 else 2 end as ls,
    (r.n > 2 and ${d.uniform('r.n', 23)} < 0.16) or r.n > ${plan.users} as sus, ${d.uniform('r.n', 24)} < 0.6 as via_collection,
    case when r.n > 2 and ${d.uniform('r.n', 31)} < 0.03 then ${d.int('r.n', 32, 5)} end as second_team_step,
    ${d.uniform('r.n', 30)} < 0.8 as has_image,
    ${d.int('r.n', 33, 36000)} as created_sec
  from range(1, ${plan.users + idleSeatUsers(plan.users) + 1}) r(n)
  join seed_team_slot ts on ts.slot = ${d.int('r.n', 10, TEAM_SLOTS)}
),
p as (
  select g.*, p1.p as p1, p2.p as p2, pr.grp, pr.col as p1_col,
    case g.n when 1 then 'Demo' when 2 then 'Alice' else fn.name end as first_name,
    case g.n when 1 then 'Administrator' when 2 then 'Johnson' else ln.name end as last_name,
    row_number() over (partition by g.fi, g.li order by g.n) as email_dup,
    row_number() over (partition by fn.name[1], ln.name order by g.n) as login_dup
  from g
  join seed_product_slot p1 on p1.t = g.t and p1.slot = g.slot1
  join seed_product_slot p2 on p2.t = g.t and p2.slot = g.slot2
  join seed_product pr on pr.p = p1.p
  join seed_first_name fn on fn.k = g.fi
  join seed_last_name ln on ln.k = g.li
)
select n, 'U' || lpad(cast(n as varchar), 6, '0') as id, t, first_name, last_name,
  case n when 1 then ${lit(DEMO_ADMIN_EMAIL)} when 2 then ${lit(DEMO_ALICE_EMAIL)}
    else lower(first_name || '.' || last_name) || case when email_dup > 1 then cast(email_dup as varchar) else '' end || '@example.com' end as email,
  case n when 1 then 'admin' when 2 then 'alice'
    else lower(first_name[1] || last_name) || case when login_dup > 1 then cast(login_dup as varchar) else '' end end as user_name,
  case when inactive then 'inactive' else 'active' end as status,
  case when n = 1 then 'admin' else '' end as roles,
  case when joiner and not inactive then 0.05 + 0.75 * u_act else 0.0 end as act_lo,
  case when inactive then 0.2 + 0.75 * u_act else 1.0 end as act_hi,
  weight, p1, p2, grp, ls,
  case when sus and via_collection then p1_col end as sus_col,
  case when sus and not (via_collection and p1_col is not null) then p1 end as sus_p,
  case when second_team_step is not null then (t + 1 + second_team_step) % ${DEMO_TEAMS.length} end as second_team,
  case when has_image then 'https://avatars.example.com/u/' || 'U' || lpad(cast(n as varchar), 6, '0') || '.png' end as profile_image,
  case when n <= 2 then cast(${firstDay} - 400 as timestamp) + to_seconds(9 * 3600)
    else cast(${firstDay} - 60 + cast(floor(case when joiner and not inactive then 0.05 + 0.75 * u_act else 0.0 end * ${plan.days}) as integer) as timestamp)
      + to_seconds(7 * 3600 + created_sec) end as created_at
from p`);

  add(slotTable('seed_user_slot', `select n, weight from seed_user where n <= ${plan.users}`, '', 'n', USER_SLOTS));

  return statements;
}

/** Phase 4: teams, users, memberships, contract managers, enrichment values, products and seat prices, written out. */
export function directoryStatements(context: PhaseContext): string[] {
  const { d } = context;
  const statements: string[] = [];
  const add = (sql: string) => statements.push(sql);
  add(`insert into teams (id, name, reporting_benefits) select id, name, benefits from seed_team order by t`);
  add(`insert into users (id, email, user_name, first_name, last_name, full_name, profile_image, status, roles, created_at)
select id, email, user_name, first_name, last_name, first_name || ' ' || last_name, profile_image, status, roles, created_at
from seed_user order by n`);

  // Each team's first active ordinary user is one of its admins and manages its contract, so every
  // team has a realistic admin besides the two demo users.
  add(`create temp table seed_team_admin as
select t, min(n) as n from seed_user where n > 2 and status = 'active' group by t`);
  add(`insert into team_members (team_id, user_id, is_admin)
select tm.id, u.id, bool_or(m.is_admin)
from (
  select t, n, n = 2 or n in (select n from seed_team_admin) as is_admin from seed_user
  union all select second_team, n, false from seed_user where second_team is not null
  union all select t, 1, true from seed_team
) m join seed_team tm on tm.t = m.t join seed_user u on u.n = m.n
group by tm.id, u.id`);
  add(`insert into contract_managers (contract_number, user_id)
select distinct tm.contract_number, u.id
from (
  select t, 1 as n from seed_team
  union all select 1, 2
  union all select t, n from seed_team_admin
) m join seed_team tm on tm.t = m.t join seed_user u on u.n = m.n`);

  add(`create temp table seed_user_field as
select u.n, u.t, c.f, v.value
from seed_user u
join seed_team_category c on c.t = u.t
join seed_enrichment_value v on v.category = c.category and v.grp = u.grp
  and v.k = cast((${d.hash('u.n', 'c.f + 40')} >> 32) % v.cnt as bigint)`);
  add(`insert into user_enrichment (contract_number, user_id, field_index, value)
select tm.contract_number, u.id, f.f, f.value
from seed_user_field f join seed_team tm on tm.t = f.t join seed_user u on u.n = f.n`);
  add(`create temp table seed_user_cf as
select n, ${Array.from({ length: 10 }, (_, k) => `max(case when f = ${k + 1} then value end) as cf${k + 1}`).join(', ')}
from seed_user_field group by n`);

  add(`insert into products (product_line_code, version, product_name, feature_code, daily_token_rate, effective_from, effective_to)
select p.code, v.version, p.name, v.feature_code, p.rate, v.effective_from, null
from seed_version v join seed_product p on p.p = v.p`);
  add(`insert into product_lines (product_line_code, seat_tokens_per_year) values
  ${values(demoSeatPrices().map((p) => [p.productLineCode, p.seatTokensPerYear]))}`);

  return statements;
}
