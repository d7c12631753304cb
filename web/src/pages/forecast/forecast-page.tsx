import { useMemo } from 'preact/hooks';
import { formatDate, formatNumber, t } from '../../i18n/i18n';
import { setParams } from '../../router';
import { LineChart, PALETTE } from '../../ui/charts';
import { Select, Tiles, Toolbar } from '../../ui/controls';
import { DataTable } from '../../ui/data-table';
import { Section } from '../../ui/feedback';
import { ContractPicker, PickerGate, useContract } from '../../ui/scope-picker';
import { useAsync } from '../../ui/use-async';
import { api, must } from '../../api/client';
import { forecastLines, loadForecast, type Forecast } from './forecast-data';

/** Forecast (issue 18, page 5): cumulative consumption against the pool, the band and the exhaustion date. */
export function ForecastPage({ url }: { readonly url: URL }) {
  const { state, contracts, current } = useContract(url);
  const year = Number.parseInt(url.searchParams.get('year') ?? '', 10) || undefined;
  const contract = current?.contractNumber;
  const years = useAsync(contract ? async () => (await must(api.GET('/tokenflex/v1/contract/{contract_number}', { params: { path: { contract_number: contract } } }))).contractYears?.map((y) => y.year) ?? [] : undefined, [contract]);
  const forecast = useAsync(contract ? () => loadForecast(contract, year) : undefined, [contract, year]);
  return (
    <>
      <h1>{t('page.forecast')}</h1>
      <Toolbar>
        {contracts.length > 0 && <ContractPicker contracts={contracts} current={current} />}
        {(years.data?.length ?? 0) > 0 && (
          <Select label={t('forecast.year')} name="year" value={String(year ?? forecast.data?.contractYear.year ?? '')}
            options={(years.data ?? []).map((y) => ({ value: String(y), label: String(y) }))}
            onChange={(value) => setParams({ year: value })} />
        )}
      </Toolbar>
      {!current ? <PickerGate state={state} empty={t('picker.noContracts')} /> : (
        <Section state={forecast}>{(f) => <ForecastView forecast={f} />}</Section>
      )}
    </>
  );
}

function exhaustionText(f: Forecast): { value: string; note?: string } {
  const { exhaustion } = f.pools.year;
  if (exhaustion.status === 'exhausted') return { value: exhaustion.date ? formatDate(exhaustion.date) : t('forecast.exhausted'), note: t('forecast.exhausted') };
  if (exhaustion.status === 'not-within-year') return { value: t('forecast.notWithinYear') };
  const window = exhaustion.interval80;
  return {
    value: formatDate(exhaustion.date),
    ...(window.earliest || window.latest ? { note: t('forecast.window80', { from: window.earliest ? formatDate(window.earliest) : '…', to: window.latest ? formatDate(window.latest) : '…' }) } : {}),
  };
}

function ForecastView({ forecast: f }: { readonly forecast: Forecast }) {
  const lines = useMemo(() => forecastLines(f), [f]);
  const exhaustion = exhaustionText(f);
  const chartLines = useMemo(() => [
    { label: t('forecast.actual'), values: lines.actual, colour: PALETTE[0]! },
    { label: t('forecast.median'), values: lines.median, colour: PALETTE[1]!, dash: [6, 4] },
    { label: t('forecast.high80'), values: lines.high80, colour: '#7fa7d1' },
    { label: t('forecast.low80'), values: lines.low80, colour: '#7fa7d1' },
    { label: t('forecast.pool'), values: lines.pool, colour: PALETTE[4]! },
  ], [lines]);
  return (
    <>
      <Tiles label={t('forecast.tiles')} figures={[
        { id: 'forecast-provisioned', label: t('forecast.provisioned', { year: String(f.contractYear.year) }), value: formatNumber(f.pools.year.provisionedTokens) },
        { id: 'forecast-used', label: t('forecast.used'), value: formatNumber(f.pools.year.usedTokens), note: formatDate(f.asOf) },
        { id: 'forecast-left', label: t('forecast.left'), value: formatNumber(f.pools.year.leftTokens) },
        { id: 'forecast-exhaustion', label: t('forecast.exhaustion'), value: exhaustion.value, ...(exhaustion.note ? { note: exhaustion.note } : {}) },
        { id: 'forecast-year-end', label: t('forecast.yearEnd'), value: formatNumber(Math.round(f.yearEnd.tokens)), note: t('forecast.range80', { low: formatNumber(Math.round(f.yearEnd.low80)), high: formatNumber(Math.round(f.yearEnd.high80)) }) },
        { id: 'forecast-buy', label: t('forecast.buy'), value: `${formatNumber(Math.round(f.purchase.p50))} / ${formatNumber(Math.round(f.purchase.p90))}` },
        ...(f.pools.multiyear ? [{ id: 'forecast-multiyear-left', label: t('forecast.myLeft'), value: formatNumber(f.pools.multiyear.leftTokens) }] : []),
      ]} />
      <LineChart id="forecast-chart" label={t('forecast.chart')} days={lines.days} lines={chartLines} band={[2, 3]} />
      <p class="hint">
        {t('forecast.method', {
          method: f.method === 'naive-average' ? t('forecast.naive', { reason: f.reason ?? '' }) : t('forecast.robust'),
          asOf: formatDate(f.asOf), days: f.history.days,
        })}{' '}
        {f.intervals.basis === 'backtest' ? t('forecast.intervalsBacktest', { origins: f.intervals.origins }) : t('forecast.intervalsAssumed')}
      </p>
      {f.backtest.length > 0 && (
        <DataTable id="forecast-backtest" caption={t('forecast.backtest')} rows={f.backtest.map((b) => ({
          days: b.days, origins: b.origins,
          modelError: b.modelError === null ? null : `${formatNumber(Math.round(b.modelError * 1000) / 10)} %`,
          naiveError: b.naiveError === null ? null : `${formatNumber(Math.round(b.naiveError * 1000) / 10)} %`,
        }))} columns={[
          { key: 'days', label: t('col.horizon'), kind: 'number' }, { key: 'origins', label: t('col.origins'), kind: 'number' },
          { key: 'modelError', label: t('col.modelError'), kind: 'text' }, { key: 'naiveError', label: t('col.naiveError'), kind: 'text' },
        ]} />
      )}
    </>
  );
}
