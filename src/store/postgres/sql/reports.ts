import type { InsightsReportQuery, ReportFilters, StreamQuery } from '../../contract/index.js';

/**
 * The SQL of each Insights export report (spec §3.4) over the teams in scope, the PostgreSQL twin
 * of duckdb/sql/reports.ts: the same columns, values and order. Values are bound parameters (lists
 * as one array parameter each); the only text spliced in is our own.
 *
 * Distribution-friendly (docs/scaling.md): every access to a team-keyed table (usage records, team
 * members) filters or joins on `team_id`, so Citus can push each part down to the team's shard. The
 * per-user usage of the USERS report is a grouped join rather than a correlated subquery for the
 * same reason. Subscriptions and seat assignments are reference tables and may be joined freely.
 */
export function buildReportQuery(query: InsightsReportQuery): StreamQuery {
  const parameters: (string | number | boolean)[] = [];
  const bind = (value: string | number | boolean) => {
    parameters.push(value);
    return `$${parameters.length}`;
  };
  // node-postgres sends a JS array as a PostgreSQL array; StreamQuery's type lists scalars only,
  // so arrays are passed as their literal text and cast.
  const bindList = (values: readonly string[]) => `${bind(arrayLiteral(values))}::text[]`;
  const teams = bindList(query.teamIds);
  const dateRange = () => (query.startDate && query.endDate
    ? ` and r.usage_date >= ${bind(query.startDate)}::date and r.usage_date <= ${bind(query.endDate)}::date`
    : '');
  const d = (expr: string) => `to_char(${expr}, 'YYYY-MM-DD')`;
  switch (query.report) {
    case 'SUBSCRIPTIONS':
      return {
        sql: `select s.team_id, t.name, s.id, s.contract_number, s.product_name, s.product_line_code, s.offering_type, s.term,
                     s.status, s.quantity, (select count(*) from seat_assignments a where a.subscription_id = s.id)::int,
                     ${d('s.start_date')}, ${d('s.end_date')}, ${d('s.renewal_date')}
                from subscriptions s join teams t on t.id = s.team_id
               where s.team_id = any(${teams})
               order by s.team_id, s.id`,
        parameters,
      };
    case 'USERS':
      return {
        sql: `select m.team_id, t.name, u.id, u.user_name, u.full_name, u.email, u.status,
                     coalesce((select string_agg(distinct s.product_name, '; ' order by s.product_name) from seat_assignments a
                                join subscriptions s on s.id = a.subscription_id where a.user_id = u.id and a.team_id = m.team_id), ''),
                     ${d('l.last_day')}
                from team_members m join users u on u.id = m.user_id join teams t on t.id = m.team_id
                left join (select r.team_id, r.user_id, max(r.usage_date) as last_day from usage_records r
                            where r.team_id = any(${teams}) group by r.team_id, r.user_id) l
                  on l.team_id = m.team_id and l.user_id = m.user_id
               where m.team_id = any(${teams})
               order by m.team_id, u.id`,
        parameters,
      };
    case 'USAGE':
      return {
        sql: `select ${d('r.usage_date')}, r.team_id, t.name, u.user_name, u.email, r.product_name, r.product_line_code,
                     r.product_version, r.source, coalesce(sum(r.tokens_consumed), 0)
                from usage_records r join users u on u.id = r.user_id join teams t on t.id = r.team_id
               where r.team_id = any(${teams})${dateRange()}
               group by r.usage_date, r.team_id, t.name, u.user_name, u.email, r.product_name, r.product_line_code, r.product_version, r.source
               order by r.usage_date, r.team_id, u.user_name, r.product_name, r.product_version, r.source, u.email, r.product_line_code`,
        parameters,
      };
    case 'USAGE_REPORT_SUMMARY':
    case 'USAGE_REPORT_DETAIL': {
      const where = `r.team_id = any(${teams})${dateRange()}${reportFilters(query.filters, bindList)}`;
      const assigned = `exists (select 1 from seat_assignments a join subscriptions s on s.id = a.subscription_id
                                 where a.user_id = r.user_id and s.product_line_code = r.product_line_code)`;
      if (query.report === 'USAGE_REPORT_SUMMARY') {
        return {
          sql: `select r.product_name, r.product_line_code, count(distinct r.user_id)::int,
                       count(distinct r.user_id || '|' || r.usage_date::text)::int, coalesce(sum(r.tokens_consumed), 0)
                  from usage_records r join users u on u.id = r.user_id
                 where ${where}${assignedFilter(query.filters, assigned)}
                 group by 1, 2 order by 1, 2`,
          parameters,
        };
      }
      return {
        sql: `select r.product_name, r.product_line_code, u.user_name, u.full_name, u.email, ${assigned}, u.status,
                     count(distinct r.usage_date)::int, ${d('min(r.usage_date)')}, ${d('max(r.usage_date)')},
                     coalesce(sum(r.tokens_consumed), 0)
                from usage_records r join users u on u.id = r.user_id
               where ${where}${assignedFilter(query.filters, assigned)}
               group by r.product_name, r.product_line_code, r.user_id, u.user_name, u.full_name, u.email, u.status
               order by 1, 2, 3, r.user_id`,
        parameters,
      };
    }
  }
}

/** A PostgreSQL array literal of text values: every element double-quoted, `"` and `\` escaped. */
function arrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function reportFilters(filters: ReportFilters | undefined, bindList: (values: readonly string[]) => string): string {
  if (!filters) return '';
  const list = (column: string, values: readonly string[] | undefined) =>
    values && values.length > 0 ? ` and ${column} = any(${bindList(values)})` : '';
  return list('r.product_line_code', filters.productLineCode)
    + list('r.source', filters.source)
    + list('u.status', filters.userStatus)
    + list('r.user_id', filters.userId)
    + list('r.product_version', filters.versionId)
    + list('r.team_id', filters.groupId);
}

function assignedFilter(filters: ReportFilters | undefined, assigned: string): string {
  if (filters?.assigned === undefined) return '';
  return filters.assigned ? ` and ${assigned}` : ` and not ${assigned}`;
}
