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
import { createReportExport, DEFAULT_COLUMNS, loadProducts, loadReport, REPORT_COLUMNS, SOURCES, type ReportFilters } from './usage-report-data';

/** The unified usage report: users × products with filters, a column chooser, sorting, paging, export (issue 18, page 3). */
export function UsageReportPage({ url }: { readonly url: URL }) {
  const params = url.searchParams;
  const { teams, current } = useTeam(url, true);
  const range = rangeOf(params);
  const filters: ReportFilters = {
    team: current?.contextId ?? '', product: params.get('product') ?? '', source: params.get('source') ?? '',
    minDays: Math.max(0, Math.min(366, Number.parseInt(params.get('minDays') ?? '0', 10) || 0)),
  };
  const columns = (params.get('cols')?.split(',').filter((c) => REPORT_COLUMNS.some((r) => r.key === c)) ?? []);
  const shown = columns.length > 0 ? columns : DEFAULT_COLUMNS;
  const [sortKey, sortDirection] = (params.get('sort') ?? 'totalUniqueDays:desc').split(':');
  const sort: SortState = { key: sortKey ?? 'totalUniqueDays', direction: sortDirection === 'asc' ? 'asc' : 'desc' };
  const page = Math.max(0, (Number.parseInt(params.get('page') ?? '1', 10) || 1) - 1);

  const products = useAsync(() => loadProducts(filters.team, range), [filters.team, range.from, range.to]);
  const report = useAsync(() => loadReport(filters, range), [filters.team, filters.product, filters.source, filters.minDays, range.from, range.to]);
  const headline = useMemo(() => report.data && {
    rows: report.data.length,
    users: new Set(report.data.map((r) => r.userId)).size,
    tokens: report.data.reduce((sum, r) => sum + Number(r.totalTokens ?? 0), 0),
  }, [report.data]);

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
        <TextInput label={t('report.minDays')} type="number" name="minDays" min="0" max="366" value={String(filters.minDays || '')}
          onInput={(value) => setParams({ minDays: value === '0' ? undefined : value, page: undefined }, { replace: true })} />
      </Toolbar>
      <ColumnChooser shown={shown} />
      <ExportBar filters={filters} range={range} />
      <Section state={report} onRetry={report.reload} isEmpty={(rows) => rows.length === 0}>
        {(rows) => (
          <>
            {headline && (
              <Tiles label={t('report.summary')} figures={[
                { id: 'report-rows', label: t('report.rows'), value: formatNumber(headline.rows) },
                { id: 'report-users', label: t('report.users'), value: formatNumber(headline.users) },
                { id: 'report-tokens', label: t('col.totalTokens'), value: formatNumber(headline.tokens) },
              ]} />
            )}
            <DataTable id="usage-report" caption={t('page.usageReport')} rows={rows} pageSize={100}
              sort={sort} onSort={(s) => setParams({ sort: `${s.key}:${s.direction}`, page: undefined })}
              page={page} onPage={(p) => setParams({ page: p === 0 ? undefined : String(p + 1) })}
              columns={REPORT_COLUMNS.filter((c) => shown.includes(c.key)).map((c) => ({ key: c.key, label: t(`col.${c.key}` as MessageKey), kind: c.kind }))} />
          </>
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
  const [format, setFormat] = useState<'CSV' | 'EXCEL' | 'JSON'>('CSV');
  const [error, setError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  return (
    <div class="export-bar">
      <Select label={t('export.format')} name="format" value={format} options={['CSV', 'EXCEL', 'JSON'].map((f) => ({ value: f, label: f }))}
        onChange={(f) => setFormat(f as 'CSV' | 'EXCEL' | 'JSON')} />
      <button type="button" disabled={busy} onClick={async () => {
        setBusy(true);
        setError(undefined);
        try {
          const id = await createReportExport(filters, range, format);
          navigate(`/console/exports?highlight=${encodeURIComponent(id)}`);
        } catch (failure) {
          setError(failure as Error);
        } finally {
          setBusy(false);
        }
      }}>{t('report.export')}</button>
      {filters.minDays > 0 && <p class="hint">{t('report.exportNoMinDays')}</p>}
      <ErrorBanner error={error} />
    </div>
  );
}
