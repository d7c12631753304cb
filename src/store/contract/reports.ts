/** The queries behind Insights export reports (spec §3.4); USAGE_REPORT yields two files. */
export type InsightsReportName = 'SUBSCRIPTIONS' | 'USERS' | 'USAGE' | 'USAGE_REPORT_SUMMARY' | 'USAGE_REPORT_DETAIL';

/** `filters` of a USAGE_REPORT export. */
export interface ReportFilters {
  readonly groupId?: readonly string[];
  readonly productLineCode?: readonly string[];
  readonly source?: readonly string[];
  readonly assigned?: boolean;
  readonly userStatus?: readonly string[];
  /** Usage categories of the records (ours, issue 18: the console's Usage report filter). */
  readonly usageCategory?: readonly string[];
  readonly userId?: readonly string[];
  readonly versionId?: readonly string[];
}

export interface InsightsReportQuery {
  readonly report: InsightsReportName;
  readonly teamIds: readonly string[];
  /** Inclusive days, for the usage reports. */
  readonly startDate?: string;
  readonly endDate?: string;
  readonly filters?: ReportFilters;
}
