import { CASUAL_SECONDS, CLOUD_SLOTS, HOUR_SLOTS, PRODUCT_SLOTS, USER_SLOTS, DAY_SLOTS, type PhaseContext } from './seed-sql.js';

/** Phase 5: the unrated sessions, `options.rows` of them, in seed_sessions. */
export function sessionStatements(context: PhaseContext): string[] {
  const { plan, d, draw, firstDay } = context;
  const statements: string[] = [];
  const add = (sql: string) => statements.push(sql);
  // `cat` is an index into USAGE_CATEGORIES and the reason an index into REASON_TYPES: the SQL
  // relies on their order in the catalogue (0 = DESKTOP_PRODUCT, 3 and 4 = the manual ones).
  //
  // The sessions are generated unrated and rated afterwards (demo-generator.ts), as ingestion rates operators'
  // records (spec §6: "the seed generator produces unrated sessions and runs them through the same
  // rating"). Borrowed sessions are days long and rated on their first day; cloud events are
  // charged per event.
  add(`create temp table seed_sessions as
with g as (
  select i, ${draw.category('i')} as cat,
    ${d.int('i', 2, USER_SLOTS)} as user_slot,
    ${d.uniform('i', 3)} as u_day,
    ${d.int('i', 4, HOUR_SLOTS)} as hour_slot,
    ${d.int('i', 5, 3600)} as second_of_hour,
    ${d.uniform('i', 6)} as u_product,
    ${d.int('i', 7, PRODUCT_SLOTS)} as product_slot,
    ${d.int('i', 8, CLOUD_SLOTS)} as cloud_slot,
    case when ${draw.borrowed('i')} then (1 + ${d.int('i', 15, 14)}) * 86400
         when ${d.uniform('i', 10)} < 0.09 then 15 + ${d.int('i', 11, 600)}
         else cast(least(50400, greatest(${CASUAL_SECONDS}, round(exp(ln(4800) + ${d.normal('i', 12, 13)})))) as bigint) end as desktop_secs,
    least(40, 1 + cast(floor(-2 * ln(greatest(${d.uniform('i', 17)}, 1e-12))) as integer)) as units,
    ${draw.failed('i')} as failed,
    ${draw.manualQuantity('i')} as manual_quantity
  from range(${plan.rows}) r(i)
),
e0 as (
  select g.*, us.n, usr.t, usr.sus_col, usr.sus_p, dy.day, hs.hr, z.off,
    case when g.cat = 0 then case when g.u_product < 0.62 then usr.p1 when g.u_product < 0.82 then usr.p2 else ps.p end
         when g.cat = 4 then ps.p end as p,
    case when g.cat in (1, 2) then cs.cp end as cp
  from g
  join seed_user_slot us on us.slot = g.user_slot
  join seed_user usr on usr.n = us.n
  join seed_day_slot ds on ds.t = usr.t and ds.slot = least(cast(floor((usr.act_lo + g.u_day * (usr.act_hi - usr.act_lo)) * ${DAY_SLOTS}) as bigint), ${DAY_SLOTS - 1})
  join seed_day dy on dy.d = ds.d
  join seed_hour_slot hs on hs.slot = g.hour_slot
  join seed_tz z on z.t = usr.t and z.d = ds.d
  join seed_product_slot ps on ps.t = usr.t and ps.slot = g.product_slot
  join seed_cloud_slot cs on cs.category = case g.cat when 2 then 'CLOUD_SERVICE' else 'CLOUD_PRODUCT' end and cs.slot = g.cloud_slot
),
ev as (
  -- A user keeps the same version of a product for a calendar month: mostly the newest release.
  select e.*, datediff('month', cast(date_trunc('month', ${firstDay}) as date), e.day) as m,
    case when e.cat <> 0 then null when e.u_version < 0.55 then 0 when e.u_version < 0.85 then 1 when e.u_version < 0.97 then 2 else 3 end as vk
  from (select e0.*, ${d.uniform('(e0.n * 64 + e0.p) * 100000 + year(e0.day) * 12 + month(e0.day)', 50)} as u_version from e0) e
),
s as (
  select e.i, e.cat, e.n, e.t, e.p, vp.pv, e.cp, e.day, pr.rate,
    cast(e.day as timestamp) + to_seconds(e.hr * 3600 + e.second_of_hour - e.off * 60) as start_utc,
    case when e.cat = 0 then e.desktop_secs else 0 end as secs,
    coalesce(e.cat = 0 and (e.sus_p = e.p or e.sus_col = pr.col), false) as sus,
    datediff('month', tm.contract_start, e.day) // 12 + 1 as cy,
    -- What the rating is given for records that are not desktop sessions: their tokens.
    case when e.cat = 1 then cl.tokens
         when e.cat = 2 and not e.failed then cl.tokens * e.units
         when e.cat = 3 then e.manual_quantity
         when e.cat = 4 then e.manual_quantity * pr.rate
         else 0 end as fixed_tokens
  from ev e
  join seed_team tm on tm.t = e.t
  left join seed_product pr on pr.p = e.p
  left join seed_cloud cl on cl.cp = e.cp
  -- Join keys only (vk is null outside desktop rows): an extra predicate such as "e.cat = 0" in
  -- a left join's condition turns the hash join into a nested-loop join, 15 s per million rows.
  left join seed_version_pick vp on vp.p = e.p and vp.m = e.m and vp.k = e.vk
)
-- k numbers the records contract year by contract year: the rating reads each year as one range.
select i, row_number() over (order by t, cy, i) - 1 as k, cat, n, t, p, pv, cp, day, rate, start_utc, secs, sus, cy, fixed_tokens
from s`);

  return statements;
}
