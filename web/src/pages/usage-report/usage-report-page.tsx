import { useMemo, useState } from 'preact/hooks';
import { formatNumber, t } from '../../i18n/i18n';
import { navigate, setParams } from '../../router';
import { RangePicker, Select, TextInput, Tiles, Toolbar } from '../../ui/controls';
import { rangeOf } from '../../ui/date-range';
import { DataTable, type SortState } from '../../ui/data-table';
import { ErrorBanner, Section } from '../../ui/feedback';
import { TeamPicker, useTeam } from '../../ui/scope-picker';
import { useAsync } from '../../ui/use-async';
import type { MessageKey } from '../../i18n/messages';
import { loadContracts } from '../../api/directory';
import { createReportExport, createTokenflexExport, DEFAULT_COLUMNS, loadProducts, loadReport, loadReportSummary, REPORT_COLUMNS, SOURCES, USAGE_CATEGORIES, USER_STATUSES, type ReportFilters } from './usage-report-data';

/** Rows per page of the report. */
const PAGE_SIZE = 100;

/** The unified usage report: users × products with filters, a column chooser, sorting, paging, export (issue 18, page 3). */
export function UsageReportPage({ url }: { readonly url: URL }) {
  const params = url.searchParams;
  const { teams, current } = useTeam(url, true);
  const range = rangeOf(params);
  const filters: ReportFilters = {
    team: current?.contextId ?? '', product: params.get('product') ?? '', source: params.get('source') ?? '',
    usageCategory: (USAGE_CATEGORIES as readonly string[]).includes(params.get('category') ?? '') ? params.get('category')! : '',
    status: (USER_STATUSES as readonly string[]).includes(params.get('status') ?? '') ? params.get('status')! : '',
    minDays: Math.max(0, Math.min(366, Number.parseInt(params.get('minDays') ?? '0', 10) || 0)),
  };
  const columns = (params.get('cols')?.split(',').filter((c) => REPORT_COLUMNS.some((r) => r.key === c)) ?? []);
  const shown = columns.length > 0 ? columns : DEFAULT_COLUMNS;
  const [sortKey, sortDirection] = (params.get('sort') ?? 'totalUniqueDays:desc').split(':');
  const sort: SortState = {
    key: REPORT_COLUMNS.some((c) => c.key === sortKey) ? sortKey! : 'totalUniqueDays',
    direction: sortDirection === 'asc' ? 'asc' : 'desc',
  };
  const page = Math.max(0, (Number.parseInt(params.get('page') ?? '1', 10) || 1) - 1);

  // Sorting by a column asks for it too (the URL may name one that is not shown).
  const queried = [...new Set([...shown, sort.key])];
  const filterKey = [filters.team, filters.product, filters.source, filters.usageCategory, filters.status, filters.minDays, range.from, range.to];
  // The service sorts and pages the report: a new sort or page is a new read (without the days-used filter; see loadReport).
  const reportKey = JSON.stringify([...filterKey, [...queried].sort()]);
  const report = useAsync(() => loadReport(filters, range, queried, sort, page, PAGE_SIZE).then((rows) => ({ ...rows, key: reportKey })),
    [...filterKey, [...queried].sort().join(','), ...(filters.minDays > 0 ? [] : [sort.key, sort.direction, page])]);
  const summary = useAsync(filters.minDays > 0 ? undefined : () => loadReportSummary(filters, range, queried), [reportKey]);
  // The product filter's choices wait for the report, so its query does not compete with the report's.
  const reportSettled = report.data !== undefined || report.error !== undefined;
  const products = useAsync(reportSettled ? () => loadProducts(filters.team, range) : undefined, [filters.team, range.from, range.to, reportSettled]);
  const headline = useMemo(() => {
    const data = report.data;
    if (!data) return undefined;
    if (data.paged) {
      const figures = summary.loading ? undefined : summary.data;
      return { rows: data.total, users: figures?.users, tokens: figures?.tokens };
    }
    return {
      rows: data.rows.length,
      users: new Set(data.rows.map((r) => r.userId)).size,
      tokens: data.rows.reduce((sum, r) => sum + Number(r.totalTokens ?? 0), 0),
    };
  }, [report.data, summary.data, summary.loading]);
  const pending = (value: number | undefined) => (value !== undefined ? formatNumber(value) : summary.error ? '–' : '…');
  const columnsShown = REPORT_COLUMNS.filter((c) => shown.includes(c.key)).map((c) => ({ key: c.key, label: t(`col.${c.key}` as MessageKey), kind: c.kind }));

  return (
    <>
      <h1>{t('page.usageReport')}</h1>
      <Toolbar>
        <TeamPicker teams={teams} current={current} allowAll />
        <RangePicker range={range} />
        <Select label={t('report.product')} name="product" value={filters.product}
          options={[{ value: '', label: t('report.allProducts') }, ...(products.data ?? []).map((p) => ({ value: p.code, label: p.name }))]}
          onChange={(product) => setParams({ product, page: undefined })} />
        <Select label={t('report.source')} name="source" value={filters.source}
          options={[{ value: '', label: t('report.allSources') }, ...SOURCES.map((s) => ({ value: s, label: t(`source.${s}`) }))]}
          onChange={(source) => setParams({ source, page: undefined })} />
        <Select label={t('col.usageCategory')} name="category" value={filters.usageCategory}
          options={[{ value: '', label: t('report.allCategories') }, ...USAGE_CATEGORIES.map((c) => ({ value: c, label: t(`usage.${c}`) }))]}
          onChange={(category) => setParams({ category, page: undefined })} />
        <Select label={t('report.status')} name="status" value={filters.status}
          options={[{ value: '', label: t('report.allStatuses') }, ...USER_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))]}
          onChange={(status) => setParams({ status, page: undefined })} />
        <TextInput label={t('report.minDays')} type="number" name="minDays" min="0" max="366" value={String(filters.minDays || '')}
          onInput={(value) => setParams({ minDays: value === '0' ? undefined : value, page: undefined }, { replace: true })} />
      </Toolbar>
      <ColumnChooser shown={shown} />
      <ExportBar filters={filters} range={range} />
      <ErrorBanner error={summary.error} onRetry={summary.reload} />
      {/* A page or sort change keeps the table in place (aria-busy) while the next page is read; other changes show the loading state. */}
      <Section state={report.data?.key === reportKey && !report.error ? { ...report, loading: false } : report} onRetry={report.reload}
        isEmpty={(data) => data.rows.length === 0 && page === 0}>
        {(data) => (
          <div aria-busy={report.loading}>
            {headline && (
              <Tiles label={t('report.summary')} figures={[
                { id: 'report-rows', label: t('report.rows'), value: formatNumber(headline.rows) },
                { id: 'report-users', label: t('report.users'), value: pending(headline.users) },
                { id: 'report-tokens', label: t('col.totalTokens'), value: pending(headline.tokens) },
              ]} />
            )}
            <DataTable id="usage-report" caption={t('page.usageReport')} rows={data.rows} pageSize={PAGE_SIZE}
              {...(data.paged ? { total: data.total } : {})}
              sort={sort} onSort={(s) => setParams({ sort: `${s.key}:${s.direction}`, page: undefined })}
              page={page} onPage={(p) => setParams({ page: p === 0 ? undefined : String(p + 1) })}
              columns={columnsShown} />
          </div>
        )}
      </Section>
    </>
  );
}

function ColumnChooser({ shown }: { readonly shown: readonly string[] }) {
  const toggle = (key: string) => {
    const next = shown.includes(key) ? shown.filter((k) => k !== key) : REPORT_COLUMNS.map((c) => c.key).filter((k) => k === key || shown.includes(k));
    if (next.length > 0) setParams({ cols: next.join(',') }, { replace: true });
  };
  return (
    <details class="column-chooser">
      <summary>{t('report.columns')}</summary>
      <fieldset>
        <legend class="visually-hidden">{t('report.columns')}</legend>
        {REPORT_COLUMNS.map((column) => (
          <label key={column.key} class="check">
            <input type="checkbox" name="column" value={column.key} checked={shown.includes(column.key)} onChange={() => toggle(column.key)} />
            {t(`col.${column.key}` as MessageKey)}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

function ExportBar({ filters, range }: { readonly filters: ReportFilters; readonly range: { readonly from: string; readonly to: string; readonly preset: 'custom' | '30d' | '3m' | '6m' | '9m' | '12m' } }) {
  const [kind, setKind] = useState<'insights' | 'tokenflex'>('insights');
  const [format, setFormat] = useState<'CSV' | 'EXCEL' | 'JSON'>('CSV');
  const [contract, setContract] = useState('');
  const [error, setError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const contracts = useAsync(() => loadContracts(), []);
  const chosenContract = contract || contracts.data?.[0]?.contractNumber || '';
  return (
    <div class="export-bar">
      <Select label={t('report.exportApi')} name="exportApi" value={kind}
        options={[{ value: 'insights', label: t('report.exportInsights') }, ...((contracts.data?.length ?? 0) > 0 ? [{ value: 'tokenflex', label: t('report.exportTokenflex') }] : [])]}
        onChange={(value) => setKind(value === 'tokenflex' ? 'tokenflex' : 'insights')} />
      {kind === 'insights' && (
        <Select label={t('export.format')} name="format" value={format} options={['CSV', 'EXCEL', 'JSON'].map((f) => ({ value: f, label: f }))}
          onChange={(f) => setFormat(f as 'CSV' | 'EXCEL' | 'JSON')} />
      )}
      {kind === 'tokenflex' && (
        <Select label={t('picker.contract')} name="exportContract" value={chosenContract}
          options={(contracts.data ?? []).map((c) => ({ value: c.contractNumber, label: `${c.contractName} (${c.contractNumber})` }))}
          onChange={setContract} />
      )}
      <button type="button" disabled={busy || (kind === 'tokenflex' && !chosenContract)} onClick={async () => {
        setBusy(true);
        setError(undefined);
        try {
          if (kind === 'tokenflex') {
            const key = await createTokenflexExport(chosenContract, filters, range);
            navigate(`/console/exports?contract=${encodeURIComponent(chosenContract)}&highlight=${encodeURIComponent(key)}`);
          } else {
            const id = await createReportExport(filters, range, format);
            navigate(`/console/exports?highlight=${encodeURIComponent(id)}`);
          }
        } catch (failure) {
          setError(failure as Error);
        } finally {
          setBusy(false);
        }
      }}>{t('report.export')}</button>
      {kind === 'insights' && filters.minDays > 0 && <p class="hint">{t('report.exportNoMinDays')}</p>}
      {kind === 'tokenflex' && <p class="hint">{t('report.tokenflexNote')}</p>}
      <ErrorBanner error={error} />
    </div>
  );
}
