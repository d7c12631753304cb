import { USAGE_CATEGORIES } from '../catalog/index.js';
import { createRatingInputTableSql, duckDbDialect, ratedChargeSql } from '../store/index.js';
import { demoTable } from './demo-tables.js';
import { lit, type PhaseContext } from './seed-sql.js';

// Draws the rating does not need (machine, job status, reason…) are recomputed here from the
// record number rather than carried through seed_sessions' sort.

/** What the rating input and the stored records both say of a session (alias r), from its joins. */
function sessionColumns({ plan, draw }: PhaseContext) {
  return {
    id: `${lit(`seed-${plan.seed}-`)} || lpad(cast(r.i as varchar), 10, '0')`,
    usageCategory: `case r.cat ${USAGE_CATEGORIES.map((c, k) => `when ${k} then ${lit(c)}`).join(' ')} end`,
    source: "case when r.sus then 'sus' else 'flex' end",
    jobStatus: `case when r.cat = 2 then case when ${draw.failed('r.i')} then 'Failed' else 'Success' end end`,
  };
}

const SESSION_JOINS = `join seed_team tm on tm.t = r.t
join seed_user u on u.n = r.n
join seed_tz z on z.t = r.t and z.day = r.day
left join seed_product p on p.p = r.p
left join seed_version v on v.pv = r.pv
left join seed_cloud cl on cl.cp = r.cp`;

/**
 * Phase 8: the sessions as the rating's input rows (rerate_new_input, store/sql/rating-sql.ts).
 * Every record carries its licence server's offset, so cloud and manual records are rated on the
 * same local day as they were generated for (the rating dates a record without one in UTC). The
 * rating day is the local day of the start, as src/rating computes it; the seed writes every
 * offset as '±HH:MM'. Its contract year is the one covering that day.
 */
export function ratingInputStatement(context: PhaseContext): string {
  const session = sessionColumns(context);
  const offsetMinutes = `case when substr(z.tz, 1, 1) = '-' then -1 else 1 end
    * (cast(substr(z.tz, 2, 2) as integer) * 60 + cast(substr(z.tz, 5, 2) as integer))`;
  return `${createRatingInputTableSql('rerate_input', duckDbDialect)};
${createRatingInputTableSql('rerate_new_input', duckDbDialect)};
insert into rerate_new_input
with sessions as (
  select r.k, ${session.id} as id, tm.contract_number,
    cast(r.start_utc + to_minutes(coalesce(${offsetMinutes}, 0)) as date) as usage_date,
    case when r.cat < 3 then u.user_name else '' end as user_name,
    ${session.usageCategory} as usage_category,
    ${session.source} as source, coalesce(p.code, cl.code) as product_line_code, v.version as product_version,
    epoch_ms(r.start_utc) as at_ms,
    case when r.cat = 0 then epoch_ms(r.start_utc + to_seconds(r.secs)) - epoch_ms(r.start_utc) else 0 end as duration_ms,
    case when r.cat <> 0 then cast(r.fixed_tokens as double) end as tokens,
    ${session.jobStatus} as job_status
  from seed_sessions r
  ${SESSION_JOINS}
)
select s.k, false, s.id, s.contract_number, y.year, s.usage_date, s.user_name, s.usage_category, s.source, s.product_line_code,
  s.product_version, s.at_ms, s.duration_ms, s.tokens, s.job_status, null
from sessions s
left join contract_years y on y.contract_number = s.contract_number and s.usage_date between y.start_date and y.end_date;
create or replace temp table rerate_base as select distinct contract_number, contract_year, 0::double as before from rerate_new_input`;
}

/**
 * Phase 9: the usage records, each column cast to its type (demo-tables.ts), with the charge the
 * rating gave it (seed_charges, by k).
 */
export function usageRecordsSelect(context: PhaseContext): string {
  const { d, draw } = context;
  const session = sessionColumns(context);
  const charge = ratedChargeSql('o');
  const expressions: Record<string, string> = {
    id: session.id,
    contract_number: 'tm.contract_number',
    team_id: 'tm.id',
    usage_category: session.usageCategory,
    source: session.source,
    user_id: 'case when r.cat < 3 then u.id end',
    user_name: 'case when r.cat < 3 then u.user_name end',
    product_line_code: 'coalesce(p.code, cl.code)',
    product_name: 'coalesce(p.name, cl.name)',
    parent_product_name: 'case when r.sus and u.sus_col = p.col then col.name end',
    product_version: 'v.version',
    product_feature_code: 'v.feature_code',
    usage_date: charge.usageDate,
    contract_year: charge.contractYear,
    charge_category: charge.chargeCategory,
    token_pool: charge.tokenPool,
    tokens_consumed: charge.tokensConsumed,
    usage_minutes: charge.usageMinutes,
    quantity: `case when r.cat >= 3 then ${draw.manualQuantity('r.i')} else 0 end`,
    is_charged_event: charge.isChargedEvent,
    machine_name: `case when r.cat = 0 then tm.site || case when ${draw.laptop('r.i')} or ${draw.borrowed('r.i')} then '-LT' else '-WS' end
      || lpad(cast(r.n as varchar), 4, '0') end`,
    license_server_name: "case when r.cat = 0 then 'lic-' || lower(tm.site) || '-0' || u.ls || '.corp.example.com' end",
    license_server_tz_offset: 'z.tz',
    session_start: 'case when r.cat = 0 then r.start_utc end',
    session_end: 'case when r.cat = 0 then r.start_utc + to_seconds(r.secs) end',
    usage_type: `case when r.cat = 0 then case when ${draw.borrowed('r.i')} then 'Borrowed' else 'Normal' end end`,
    hub_id: 'hb.hub_id',
    hub_name: 'hb.hub_name',
    job_status: session.jobStatus,
    transaction_date: 'case when r.cat >= 3 then r.start_utc end',
    reason_type: 'rs.reason_type',
    reason_comment: `case when r.cat >= 3 then rs.comment || ' CS-' || cast(10000000 + (${draw.misc('r.i')} // 1000) % 90000000 as varchar) || '.' end`,
    charged_item_id: `lpad(lower(hex(${d.hash('r.i', 90)})), 16, '0')`,
    usage_timestamp: 'r.start_utc',
    ...Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`custom_field_${k + 1}`, `case when r.cat < 3 then cf.cf${k + 1} end`])),
  };
  const select = demoTable('usage_records').columns.map(([name, type]) => {
    const expression = expressions[name];
    if (expression === undefined) throw new Error(`no expression for usage_records.${name}`);
    return `cast(${expression} as ${type}) as ${name}`;
  });
  return `select
  ${select.join(',\n  ')}
from seed_sessions r
${SESSION_JOINS}
join seed_charges o on o.k = r.k
left join seed_collection col on col.c = p.col
left join seed_hub hb on hb.t = r.t and hb.hub = case when r.cat in (1, 2) then ${draw.misc('r.i')} % 2 end
left join seed_reason rs on rs.r = ${draw.reason('r.cat', 'r.i')}
left join seed_user_cf cf on cf.n = r.n`;
}
