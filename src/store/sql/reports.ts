import type { InsightsReportQuery, ReportFilters, StreamQuery } from '../contract/index.js';
import type { SqlDialect } from './dialect.js';

/**
 * The SQL of each Insights export report (spec §3.4) over the teams in scope, for both databases.
 * Values are bound parameters; the only text spliced in is our own.
 *
 * Every order is total (ties broken down to a key), so both databases give the same rows in the
 * same order (issue 21: USAGE once broke ties differently on each).
 *
 * Distribution-friendly (docs/scaling.md): every access to a team-keyed table (usage records, team
 * members) filters or joins on `team_id`, so Citus can push each part down to the team's shard. The
 * per-user usage of the USERS report is a grouped join rather than a correlated subquery for the
 * same reason. Subscriptions and seat assignments are reference tables and may be joined freely.
 */
export function buildReportQuery(dialect: SqlDialect, query: InsightsReportQuery): StreamQuery {
  const parameters: (string | number | boolean)[] = [];
  const bind = (value: string | number | boolean) => {
    parameters.push(value);
    return `$${parameters.length}`;
  };
  const inList = (column: string, values: readonly string[]) => dialect.inTextList(column, values, bind);
  const dateRange = () => (query.startDate && query.endDate
    ? ` and r.usage_date >= cast(${bind(query.startDate)} as date) and r.usage_date <= cast(${bind(query.endDate)} as date)`
    : '');
  const d = dialect.isoDate;
  switch (query.report) {
    case 'SUBSCRIPTIONS':
      return {
        sql: `select s.team_id, t.name, s.id, s.contract_number, s.product_name, s.product_line_code, s.offering_type, s.term,
                     s.status, s.quantity, cast((select count(*) from seat_assignments a where a.subscription_id = s.id) as integer),
                     ${d('s.start_date')}, ${d('s.end_date')}, ${d('s.renewal_date')}
                from subscriptions s join teams t on t.id = s.team_id
               where ${inList('s.team_id', query.teamIds)}
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
                            where ${inList('r.team_id', query.teamIds)} group by r.team_id, r.user_id) l
                  on l.team_id = m.team_id and l.user_id = m.user_id
               where ${inList('m.team_id', query.teamIds)}
               order by m.team_id, u.id`,
        parameters,
      };
    case 'USAGE':
      return {
        sql: `select ${d('r.usage_date')}, r.team_id, t.name, u.user_name, u.email, r.product_name, r.product_line_code,
                     r.product_version, r.source, coalesce(sum(r.tokens_consumed), 0)
                from usage_records r join users u on u.id = r.user_id join teams t on t.id = r.team_id
               where ${inList('r.team_id', query.teamIds)}${dateRange()}
               group by r.usage_date, r.team_id, t.name, u.user_name, u.email, r.product_name, r.product_line_code, r.product_version, r.source
               order by r.usage_date, r.team_id, u.user_name, r.product_name, r.product_version, r.source, u.email, r.product_line_code`,
        parameters,
      };
    case 'USAGE_REPORT_SUMMARY':
    case 'USAGE_REPORT_DETAIL': {
      const where = `${inList('r.team_id', query.teamIds)}${dateRange()}${reportFilters(query.filters, inList)}`;
      const assigned = `exists (select 1 from seat_assignments a join subscriptions s on s.id = a.subscription_id
                                 where a.user_id = r.user_id and s.product_line_code = r.product_line_code)`;
      if (query.report === 'USAGE_REPORT_SUMMARY') {
        return {
          sql: `select r.product_name, r.product_line_code, cast(count(distinct r.user_id) as integer),
                       cast(count(distinct r.user_id || '|' || cast(r.usage_date as text)) as integer), coalesce(sum(r.tokens_consumed), 0)
                  from usage_records r join users u on u.id = r.user_id
                 where ${where}${assignedFilter(query.filters, assigned)}
                 group by 1, 2 order by 1, 2`,
          parameters,
        };
      }
      return {
        sql: `select r.product_name, r.product_line_code, u.user_name, u.full_name, u.email, ${assigned}, u.status,
                     cast(count(distinct r.usage_date) as integer), ${d('min(r.usage_date)')}, ${d('max(r.usage_date)')},
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

function reportFilters(filters: ReportFilters | undefined, inList: (column: string, values: readonly string[]) => string): string {
  if (!filters) return '';
  const list = (column: string, values: readonly string[] | undefined) =>
    values && values.length > 0 ? ` and ${inList(column, values)}` : '';
  return list('r.product_line_code', filters.productLineCode)
    + list('r.source', filters.source)
    + list('u.status', filters.userStatus)
    + list('r.usage_category', filters.usageCategory)
    + list('r.user_id', filters.userId)
    + list('r.product_version', filters.versionId)
    + list('r.team_id', filters.groupId);
}

function assignedFilter(filters: ReportFilters | undefined, assigned: string): string {
  if (filters?.assigned === undefined) return '';
  return filters.assigned ? ` and ${assigned}` : ` and not ${assigned}`;
}
