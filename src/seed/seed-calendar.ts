import { DAY_SLOTS, HOUR_SLOTS, PRODUCT_SLOTS, CLOUD_SLOTS, slotTable, values, type PhaseContext } from './seed-sql.js';

/**
 * Phase 2: the calendar (weekday and holiday weights, working hours, licence-server UTC offsets)
 * and the weighted choices of products, cloud products and versions.
 */
export function calendarStatements(context: PhaseContext): string[] {
  const { plan, firstDay } = context;
  const statements: string[] = [];
  const add = (sql: string) => statements.push(sql);
  add(`create temp table seed_day as
select d, day,
  cast(round(1000
    * case dayofweek(day) when 0 then 0.04 when 6 then 0.07 else 1.0 end
    * case when (month(day) = 12 and day(day) >= 24) or (month(day) = 1 and day(day) = 1) then 0.2
           when month(day) = 8 then 0.85 else 1.0 end
    * (0.85 + 0.3 * d / ${plan.days})) as bigint) as weight
from (select d, ${firstDay} + cast(d as integer) as day from range(${plan.days}) r(d))`);
  // Each team's days: the shared weights, times its trend. A team without one keeps the shared
  // weights exactly, so its slots (and records) are what they were before trends existed.
  add(slotTable('seed_day_slot', `select tm.t, dy.d, case when tm.growth = 0 and tm.step_factor = 1 then dy.weight
      else cast(round(dy.weight * (1 + tm.growth * (dy.d / greatest(1, ${plan.days - 1}) - 0.5))
        * case when dy.d >= tm.step_at * ${plan.days} then tm.step_factor else 1 end) as bigint) end as weight
    from seed_team tm cross join seed_day dy`, 't', 'd', DAY_SLOTS));

  const hourWeights = [2, 1, 1, 1, 1, 2, 8, 30, 90, 100, 100, 90, 50, 80, 95, 90, 75, 45, 22, 12, 8, 5, 3, 2];
  add(slotTable('seed_hour_slot', `select * from (values ${values(hourWeights.map((w, hr) => [hr, w]))}) v(hr, weight)`, '', 'hr', HOUR_SLOTS));

  // Exact DST days: US from the second Sunday of March to the first Sunday of November, EU from the
  // last Sunday of March to the last Sunday of October (dayofweek: Sunday = 0). The switch is taken
  // at the start of the local day, not at 02:00; a session in those two hours is one hour off.
  add(`create temp table seed_tz as
select t, d, day, off, printf('%s%02d:%02d', case when off < 0 then '-' else '+' end, abs(off) // 60, abs(off) % 60) as tz
from (
  select tm.t, dy.d, dy.day, tm.std_offset + case
      when tm.dst = 'us' and dy.day >= make_date(year(dy.day), 3, 1) + cast((7 - dayofweek(make_date(year(dy.day), 3, 1))) % 7 + 7 as integer)
        and dy.day < make_date(year(dy.day), 11, 1) + cast((7 - dayofweek(make_date(year(dy.day), 11, 1))) % 7 as integer) then 60
      when tm.dst = 'eu' and dy.day >= make_date(year(dy.day), 3, 31) - cast(dayofweek(make_date(year(dy.day), 3, 31)) as integer)
        and dy.day < make_date(year(dy.day), 10, 31) - cast(dayofweek(make_date(year(dy.day), 10, 31)) as integer) then 60
      else 0 end as off
  from seed_team tm cross join seed_day dy)`);

  // ---- Products and versions --------------------------------------------------------------------
  // Zipf popularity (1/rank) times the team's industry affinity.
  add(slotTable('seed_product_slot',
    'select a.t, p.p, cast(round(1000000 * a.mult / (p.p + 1)) as bigint) as weight from seed_product p join seed_affinity a on a.grp = p.grp',
    't', 'p', PRODUCT_SLOTS));
  add(slotTable('seed_cloud_slot', 'select category, cp, weight from seed_cloud', 'category', 'cp', CLOUD_SLOTS));

  // Version k (0 = newest) of product p released by month m of the window; k past the oldest
  // release clamps to it. The oldest release counts as available even before its date so that
  // a window before 2023 still finds one.
  add(`create temp table seed_version_pick as
with m as (select m, cast(date_trunc('month', ${firstDay}) + to_months(cast(m as integer)) as date) as month_start from range(${plan.months}) r(m)),
a as (
  select v.p, m.m, v.pv, row_number() over (partition by v.p, m.m order by v.effective_from desc) - 1 as k,
    count(*) over (partition by v.p, m.m) as cnt
  from m join seed_version v on v.effective_from <= m.month_start + 14 or v.oldest = 1)
select a.p, a.m, r.k, a.pv from a join range(4) r(k) on a.k = least(r.k, a.cnt - 1)`);

  return statements;
}
