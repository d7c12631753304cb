import { api, must } from '../../api/client';
import { insightsQueryPage, quote, recordsOf, runInsightsQuery, type Cell } from '../../api/queries';
import { language } from '../../i18n/i18n';
import { whereRange, type DateRange } from '../../ui/date-range';

export const SOURCES = ['sus', 'ppu', 'flex'] as const;
export const USAGE_CATEGORIES = ['DESKTOP_PRODUCT', 'CLOUD_PRODUCT', 'CLOUD_SERVICE', 'MANUAL_ADJUSTMENT', 'MANUAL_CONSUMPTION'] as const;
export const USER_STATUSES = ['active', 'inactive'] as const;
type UsageCategory = typeof USAGE_CATEGORIES[number];
type UserStatus = typeof USER_STATUSES[number];

export interface ReportFilters {
  readonly team: string;
  readonly product: string;
  readonly source: string;
  /** One usage category, or '' for all. */
  readonly usageCategory: string;
  /** 'active', 'inactive', or '' for both. */
  readonly status: string;
  /** Rows with at least this many days of use (0: all). */
  readonly minDays: number;
}

/** The columns of the report, in the chooser's order; the first five are shown by default. */
export const REPORT_COLUMNS = [
  { key: 'fullName', kind: 'text' }, { key: 'emailAddress', kind: 'text' }, { key: 'productName', kind: 'text' },
  { key: 'totalUniqueDays', kind: 'number' }, { key: 'latestUsageDate', kind: 'date' }, { key: 'userName', kind: 'text' },
  { key: 'productLineCode', kind: 'text' }, { key: 'source', kind: 'text' }, { key: 'totalTokens', kind: 'number' },
  { key: 'earliestUsageDate', kind: 'date' }, { key: 'teamName', kind: 'text' }, { key: 'userStatus', kind: 'text' },
] as const;
export const DEFAULT_COLUMNS = REPORT_COLUMNS.slice(0, 5).map((c) => c.key);

function where(filters: ReportFilters, range: DateRange): string {
  const parts = [whereRange(range)];
  if (filters.product) parts.push(`productLineCode = ${quote(filters.product)}`);
  if (filters.source) parts.push(`source = ${quote(filters.source)}`);
  if (filters.usageCategory) parts.push(`usageCategory = ${quote(filters.usageCategory)}`);
  if (filters.status) parts.push(`userStatus = ${quote(filters.status)}`);
  return parts.join(' and ');
}

/** A row is a user and a product line: these are always asked for (the headline counts users and tokens). */
const BASE_FIELDS = ['userId', 'productLineCode', 'productName'] as const;
const BASE_METRICS = ['totalUniqueDays', 'totalTokens'] as const;

/**
 * The fields and metrics a report with these columns asks for: the base ones and the columns
 * shown, no more. Each field is a group-by column of the query, and the query is most of the
 * page's time (1,000,000 records: 0.5–0.9 s with the five default columns, 0.9–1.5 s with all
 * eleven), so columns nobody looks at are not computed. A column that splits a user's product
 * (licence type, team) splits its row when shown.
 */
export function reportQueryColumns(shown: readonly string[]): { fields: string[]; metrics: string[] } {
  const kinds = new Map<string, string>(REPORT_COLUMNS.map((c) => [c.key, c.kind]));
  const isMetric = (key: string) => ['totalUniqueDays', 'totalTokens', 'earliestUsageDate', 'latestUsageDate'].includes(key);
  return {
    fields: [...new Set([...BASE_FIELDS, ...shown.filter((key) => kinds.has(key) && !isMetric(key))])],
    metrics: [...new Set([...BASE_METRICS, ...shown.filter((key) => kinds.has(key) && isMetric(key))])],
  };
}

export interface ReportSort {
  readonly key: string;
  readonly direction: 'asc' | 'desc';
}

/**
 * A page of the report. `paged`: the service sorted and paged it (`rows` is the page, `total` the
 * report's row count); otherwise `rows` is the whole report, to sort and page in memory.
 */
export type ReportRows =
  | { readonly paged: true; readonly rows: Record<string, Cell>[]; readonly total: number }
  | { readonly paged: false; readonly rows: Record<string, Cell>[] };

/**
 * Users × products of the range: one Insights query of the shown columns, sorted by the service
 * (`orderBy`), of which only the page shown is read (a page is one read of the stored result, so
 * 17,800 rows at 1,000,000 records cost no more than 100). The days-used filter has no `where`
 * form (it tests a metric), so with it the whole report is read and filtered here.
 */
export async function loadReport(filters: ReportFilters, range: DateRange, shown: readonly string[], sort: ReportSort, page: number, pageSize: number): Promise<ReportRows> {
  const query = { ...(filters.team ? { contextId: filters.team } : {}), ...reportQueryColumns(shown), where: where(filters, range) };
  if (filters.minDays > 0) {
    const rows = recordsOf(await runInsightsQuery(query)).filter((row) => Number(row.totalUniqueDays) >= filters.minDays);
    return { paged: false, rows };
  }
  const result = await insightsQueryPage({ ...query, orderBy: `${sort.key} ${sort.direction.toUpperCase()}` }, page * pageSize, pageSize);
  return { paged: true, rows: recordsOf(result), total: result.total };
}

/** Columns read from the user's account: a report showing one holds only records with a user (the query joins them). */
const ACCOUNT_COLUMNS: readonly string[] = ['fullName', 'emailAddress', 'userName', 'userStatus'];

/**
 * The report's users and tokens: one aggregate of the same records as the report's rows. A report
 * with a column of the user's account leaves out records without a user (contract-level manual
 * adjustments, whose tokens may be negative); grouping the aggregate by `userStatus`, one status a
 * user, leaves out the same records, and its rows add up to the report's users and tokens.
 */
export async function loadReportSummary(filters: ReportFilters, range: DateRange, queried: readonly string[]): Promise<{ users: number; tokens: number }> {
  const rows = recordsOf(await runInsightsQuery({
    ...(filters.team ? { contextId: filters.team } : {}),
    fields: queried.some((key) => ACCOUNT_COLUMNS.includes(key)) ? ['userStatus'] : [], metrics: ['uniqueUsers', 'totalTokens'], where: where(filters, range),
  }));
  return {
    users: rows.reduce((sum, row) => sum + Number(row.uniqueUsers ?? 0), 0),
    tokens: rows.reduce((sum, row) => sum + Number(row.totalTokens ?? 0), 0),
  };
}

/** The products with usage for the product filter. */
export async function loadProducts(team: string, range: DateRange): Promise<{ code: string; name: string }[]> {
  const result = await runInsightsQuery({ ...(team ? { contextId: team } : {}), fields: ['productLineCode', 'productName'], metrics: [], where: whereRange(range) });
  const names = new Map<string, string>();
  for (const row of recordsOf(result)) if (!names.has(String(row.productLineCode))) names.set(String(row.productLineCode), String(row.productName));
  return [...names.entries()].map(([code, name]) => ({ code, name })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The Insights USAGE_REPORT export of the same team, range and filters. Days used has no export
 * filter: the export holds every user of the other filters (said next to the button).
 */
export async function createReportExport(filters: ReportFilters, range: DateRange, outputFormat: 'CSV' | 'EXCEL' | 'JSON'): Promise<string> {
  const created = await must(api.POST('/insights/v1/exports', {
    params: { header: { 'accept-language': language } },
    body: {
      outputFormat, reports: ['USAGE_REPORT'], usageReports: ['USAGE_REPORT_BY_PRODUCT'],
      startDate: `${range.from}T00:00:00Z`, endDate: `${range.to}T23:59:59Z`,
      ...(filters.team ? { teamId: filters.team } : {}),
      filters: {
        ...(filters.product ? { productLineCode: [filters.product] } : {}),
        ...(filters.source ? { source: [filters.source as 'sus' | 'ppu' | 'flex'] } : {}),
        ...(filters.usageCategory ? { usageCategory: [filters.usageCategory as UsageCategory] } : {}),
        ...(filters.status ? { userStatus: [filters.status as UserStatus] } : {}),
      },
    },
  }));
  return created.id;
}

/**
 * The Token Flex export request of a contract with the report's period, product and usage category:
 * one row per user, product and usage category. Token Flex has no licence type (it is all Flex), no
 * user status and no days used, so those filters do not apply (said next to the button).
 */
export async function createTokenflexExport(contractNumber: string, filters: ReportFilters, range: DateRange): Promise<string> {
  const created = await must(api.POST('/tokenflex/v1/export/{contract_number}/requests', {
    params: { path: { contract_number: contractNumber } },
    body: {
      fields: ['userName', 'productLineCode', 'productName', 'usageCategory'],
      metrics: ['tokensConsumed', 'useCount'],
      where: [whereRange(range), ...(filters.product ? [`productLineCode = ${quote(filters.product)}`] : [])].join(' and '),
      ...(filters.usageCategory ? { usageCategory: [filters.usageCategory as UsageCategory] } : {}),
      downloadFileName: `usage-report-${range.from}-${range.to}`,
    },
  }));
  return String((created as { requestKey: string }).requestKey);
}
