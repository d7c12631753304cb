import { useEffect, useState } from 'preact/hooks';
import { api, must } from '../../api/client';
import { formatBytes, t } from '../../i18n/i18n';
import { Select, TextInput, Toolbar } from '../../ui/controls';
import { isoDay } from '../../ui/date-range';
import { DataTable } from '../../ui/data-table';
import { ErrorBanner, Section } from '../../ui/feedback';
import { ContractPicker, useContract } from '../../ui/scope-picker';
import { useAsync } from '../../ui/use-async';
import type { Cell } from '../../api/queries';

interface InsightsExport {
  readonly id: string; readonly timestamp: string; readonly status: string; readonly outputFormat: string; readonly teamName: string | null;
  readonly reports: readonly string[];
  readonly downloads: readonly { readonly type?: string; readonly downloadURL?: string; readonly fileName?: string; readonly rowCount?: number; readonly byteSize?: number }[];
  readonly error?: { readonly detail?: string };
}

/** Re-runs `reload` every two seconds while `pending` holds: exports finish in the background. */
function usePolling(pending: boolean, reload: () => void): void {
  useEffect(() => {
    if (!pending) return undefined;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [pending]);
}

/** Both APIs' exports and export requests, with Download, and the Token Flex schedules (issue 18, page 3). */
export function ExportsPage({ url }: { readonly url: URL }) {
  return (
    <>
      <h1>{t('page.exports')}</h1>
      <InsightsExports highlight={url.searchParams.get('highlight') ?? ''} />
      <TokenflexSection url={url} />
    </>
  );
}

function InsightsExports({ highlight }: { readonly highlight: string }) {
  const [tick, setTick] = useState(0);
  const list = useAsync(async () => (await must(api.GET('/insights/v1/exports', { params: { query: { offset: 0, limit: 100 } } }))).exports as unknown as InsightsExport[], [tick]);
  const last = list.data;
  usePolling(Boolean(last?.some((e) => e.status === 'SUBMITTED')), () => setTick((n) => n + 1));
  const rows = (last ?? []).map((e) => ({
    id: e.id, timestamp: e.timestamp, reports: e.reports.join(', '), team: e.teamName ?? t('picker.allTeams'), format: e.outputFormat, status: e.status,
    rowCount: e.downloads.reduce((sum, d) => sum + (d.rowCount ?? 0), 0), byteSize: e.downloads.reduce((sum, d) => sum + (d.byteSize ?? 0), 0),
  })) as Record<string, Cell>[];
  const byId = new Map((last ?? []).map((e) => [e.id, e]));
  return (
    <section aria-labelledby="insights-exports">
      <h2 id="insights-exports">{t('exports.insights')}</h2>
      <Section state={{ ...list, loading: list.loading && !last }} isEmpty={(d) => d.length === 0} onRetry={list.reload}>
        {() => (
          <DataTable id="insights-exports-table" caption={t('exports.insights')} rows={rows} columns={[
            { key: 'timestamp', label: t('col.created'), kind: 'date' },
            { key: 'reports', label: t('col.reports'), kind: 'text' },
            { key: 'team', label: t('picker.team'), kind: 'text' },
            { key: 'format', label: t('export.format'), kind: 'text' },
            { key: 'status', label: t('col.status'), kind: 'text', render: (r) => <span class={r.id === highlight ? 'status highlight' : 'status'} data-export-id={String(r.id)}>{String(r.status)}{byId.get(String(r.id))?.error?.detail ? `: ${byId.get(String(r.id))!.error!.detail}` : ''}</span> },
            { key: 'rowCount', label: t('col.rowCount'), kind: 'number' },
            { key: 'byteSize', label: t('col.size'), kind: 'number', render: (r) => formatBytes(Number(r.byteSize)) },
            { key: 'download', label: t('col.download'), render: (r) => (
              <span class="downloads">{(byId.get(String(r.id))?.downloads ?? []).filter((d) => d.downloadURL).map((d) => (
                <a key={d.downloadURL} href={d.downloadURL} download={d.fileName}>{t('action.download')} {d.fileName ?? d.type}</a>
              ))}</span>
            ) },
          ]} />
        )}
      </Section>
    </section>
  );
}

function TokenflexSection({ url }: { readonly url: URL }) {
  const { contracts, current } = useContract(url);
  return (
    <section aria-labelledby="tokenflex-exports">
      <h2 id="tokenflex-exports">{t('exports.tokenflex')}</h2>
      {contracts.length > 0 && <Toolbar><ContractPicker contracts={contracts} current={current} /></Toolbar>}
      {current && <TokenflexRequests contract={current.contractNumber} />}
      {current && <Schedules contract={current.contractNumber} />}
    </section>
  );
}

function TokenflexRequests({ contract }: { readonly contract: string }) {
  const [tick, setTick] = useState(0);
  const from = isoDay(new Date(Date.now() - 30 * 86_400_000));
  const to = isoDay(new Date(Date.now() + 86_400_000));
  const list = useAsync(() => must(api.GET('/tokenflex/v1/export/{contract_number}/requests', {
    params: { path: { contract_number: contract }, query: { fromDate: from, toDate: to } },
  })), [contract, tick]);
  usePolling(Boolean(list.data?.some((r) => r.requestStatus === 'Requested')), () => setTick((n) => n + 1));
  return (
    <Section state={{ ...list, loading: list.loading && !list.data }} isEmpty={(d) => d.length === 0} onRetry={list.reload}>
      {(requests) => (
        <DataTable id="tokenflex-requests-table" caption={t('exports.tokenflex')} rows={requests.map((r) => ({ ...r }) as unknown as Record<string, Cell>)} columns={[
          { key: 'exportRequestDate', label: t('col.created'), kind: 'date' },
          { key: 'downloadFileName', label: t('col.fileName'), kind: 'text' },
          { key: 'requestStatus', label: t('col.status'), kind: 'text' },
          { key: 'rowCount', label: t('col.rowCount'), kind: 'number' },
          { key: 'byteSize', label: t('col.size'), kind: 'number', render: (r) => formatBytes(r.byteSize === undefined ? null : Number(r.byteSize)) },
          { key: 'downloadUrl', label: t('col.download'), render: (r) => r.downloadUrl ? <a href={String(r.downloadUrl)}>{t('action.download')}</a> : '–' },
        ]} />
      )}
    </Section>
  );
}

interface Schedule {
  readonly scheduleID?: string; readonly dateRangeExpression?: string; readonly enableFlag?: string; readonly frequencyExpression?: string;
  readonly lastRanDate?: string | null; readonly nextRunDate?: string | null;
  readonly scheduleObjects?: readonly { readonly usageCategory: 'DESKTOP_PRODUCT' | 'CLOUD'; readonly aggregationLevel: readonly ('Transactional' | 'Daily' | 'Monthly')[] }[];
}

function Schedules({ contract }: { readonly contract: string }) {
  const list = useAsync(() => must(api.GET('/tokenflex/v1/export/{contract_number}/schedules', { params: { path: { contract_number: contract } } })) as Promise<Schedule[]>, [contract]);
  const [error, setError] = useState<Error | undefined>(undefined);
  const toggle = async (schedule: Schedule) => {
    setError(undefined);
    try {
      await must(api.PUT('/tokenflex/v1/export/{contract_number}/schedules/{schedule_id}', {
        params: { path: { contract_number: contract, schedule_id: schedule.scheduleID! } },
        body: {
          dateRangeExpression: schedule.dateRangeExpression!, frequencyExpression: schedule.frequencyExpression!,
          enableFlag: schedule.enableFlag === 'Y' ? 'N' : 'Y',
          scheduleObjects: (schedule.scheduleObjects ?? []).map((o) => ({ usageCategory: o.usageCategory, aggregationLevel: [...o.aggregationLevel] })),
        },
      }));
      list.reload();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <section aria-labelledby="schedules">
      <h3 id="schedules">{t('schedules.title')}</h3>
      <ErrorBanner error={error} />
      <Section state={list} isEmpty={(d) => d.length === 0} onRetry={list.reload}>
        {(schedules) => (
          <DataTable caption={t('schedules.title')} rows={schedules.map((s) => ({
            id: s.scheduleID ?? '', range: s.dateRangeExpression ?? '', cron: s.frequencyExpression ?? '', enabled: s.enableFlag ?? 'N',
            objects: (s.scheduleObjects ?? []).map((o) => `${o.usageCategory} (${o.aggregationLevel.join(', ')})`).join('; '),
            lastRan: s.lastRanDate ?? null, nextRun: s.nextRunDate ?? null,
          }))} columns={[
            { key: 'range', label: t('schedules.range'), kind: 'text' },
            { key: 'cron', label: t('schedules.frequency'), kind: 'text' },
            { key: 'objects', label: t('schedules.objects'), kind: 'text' },
            { key: 'lastRan', label: t('schedules.lastRan'), kind: 'date' },
            { key: 'nextRun', label: t('schedules.nextRun'), kind: 'date' },
            { key: 'enabled', label: t('schedules.enabled'), kind: 'text', render: (row) => (
              <button type="button" class="secondary" aria-pressed={row.enabled === 'Y'}
                aria-label={t(row.enabled === 'Y' ? 'schedules.disable' : 'schedules.enable', { range: String(row.range) })}
                onClick={() => void toggle(schedules.find((s) => s.scheduleID === row.id)!)}>
                {row.enabled === 'Y' ? t('schedules.on') : t('schedules.off')}
              </button>
            ) },
          ]} />
        )}
      </Section>
      <NewSchedule contract={contract} onCreated={list.reload} />
    </section>
  );
}

function NewSchedule({ contract, onCreated }: { readonly contract: string; readonly onCreated: () => void }) {
  const [range, setRange] = useState('Previous-1-Month');
  const [cron, setCron] = useState('0 0 6 1 * *');
  const [category, setCategory] = useState<'DESKTOP_PRODUCT' | 'CLOUD'>('DESKTOP_PRODUCT');
  const [level, setLevel] = useState<'Transactional' | 'Daily' | 'Monthly'>('Daily');
  const [error, setError] = useState<Error | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  return (
    <form class="inline-form" aria-labelledby="new-schedule" onSubmit={async (event) => {
      event.preventDefault();
      setError(undefined);
      setSaved(false);
      try {
        await must(api.POST('/tokenflex/v1/export/{contract_number}/schedules', {
          params: { path: { contract_number: contract } },
          body: { dateRangeExpression: range, frequencyExpression: cron, enableFlag: 'Y', scheduleObjects: [{ usageCategory: category, aggregationLevel: [level] }] },
        }));
        setSaved(true);
        onCreated();
      } catch (failure) {
        setError(failure as Error);
      }
    }}>
      <h4 id="new-schedule">{t('schedules.new')}</h4>
      <Select label={t('schedules.range')} value={range} onChange={setRange}
        options={['Previous-1-Day', 'Previous-1-Week', 'Previous-1-Month', 'Previous-3-Month'].map((v) => ({ value: v, label: v }))} />
      <TextInput label={t('schedules.frequency')} value={cron} onInput={setCron} />
      <Select label={t('col.usageCategory')} value={category} onChange={(v) => setCategory(v as 'DESKTOP_PRODUCT' | 'CLOUD')}
        options={[{ value: 'DESKTOP_PRODUCT', label: 'DESKTOP_PRODUCT' }, { value: 'CLOUD', label: 'CLOUD' }]} />
      <Select label={t('schedules.aggregation')} value={level} onChange={(v) => setLevel(v as 'Daily')}
        options={['Transactional', 'Daily', 'Monthly'].map((v) => ({ value: v, label: v }))} />
      <button type="submit">{t('schedules.create')}</button>
      {saved && <p role="status">{t('schedules.created')}</p>}
      <ErrorBanner error={error} />
      <p class="hint">{t('schedules.cronHint')}</p>
    </form>
  );
}
