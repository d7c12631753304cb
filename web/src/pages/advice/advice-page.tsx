import { formatDate, formatNumber, t } from '../../i18n/i18n';
import { setParams } from '../../router';
import { RangePicker, Select, Tabs, Tiles, Toolbar } from '../../ui/controls';
import { rangeOf, type DateRange } from '../../ui/date-range';
import { DataTable } from '../../ui/data-table';
import { Section } from '../../ui/feedback';
import { ContractPicker, PickerGate, TeamPicker, useContract, useTeam } from '../../ui/scope-picker';
import { useAsync } from '../../ui/use-async';
import { loadAdvice, loadConcurrency, loadIdleSeats, type Advice, type Concurrency, type IdleSeats } from './advice-data';

const TABS = ['seats', 'idle', 'concurrency'] as const;
const IDLE_DAYS = [30, 60, 90, 180] as const;

/** Advice (issue 18, page 5): seat-or-Flex recommendations, idle seats and peak concurrency, each with its figures. */
export function AdvicePage({ url }: { readonly url: URL }) {
  const tab = (TABS as readonly string[]).includes(url.searchParams.get('tab') ?? '') ? url.searchParams.get('tab')! : 'seats';
  return (
    <>
      <h1>{t('page.advice')}</h1>
      <Tabs label={t('page.advice')} current={tab} tabs={TABS.map((value) => ({ value, label: t(`advice.tab.${value}`) }))} />
      <div role="tabpanel" aria-labelledby={`tab-tab-${tab}`}>
        {tab === 'seats' && <SeatOrFlex url={url} />}
        {tab === 'idle' && <Idle url={url} />}
        {tab === 'concurrency' && <Peaks url={url} />}
      </div>
    </>
  );
}

function SeatOrFlex({ url }: { readonly url: URL }) {
  const { state, contracts, current } = useContract(url);
  const range = rangeOf(url.searchParams);
  const contract = current?.contractNumber;
  const advice = useAsync(contract ? () => loadAdvice(contract, range) : undefined, [contract, range.from, range.to]);
  return (
    <>
      <Toolbar>
        {contracts.length > 0 && <ContractPicker contracts={contracts} current={current} />}
        <RangePicker range={range} />
      </Toolbar>
      {!current ? <PickerGate state={state} empty={t('picker.noContracts')} /> : <Section state={advice}>{(a) => <AdviceView advice={a} />}</Section>}
    </>
  );
}

function AdviceView({ advice: a }: { readonly advice: Advice }) {
  return (
    <>
      <p class="hint">{t('advice.period', { from: formatDate(a.period.from), to: formatDate(a.period.to) })}</p>
      <Tiles label={t('advice.totals')} figures={[
        { id: 'advice-assign-seat', label: t('advice.assignSeat'), value: formatNumber(a.totals.assignSeat.users), note: `${formatNumber(Math.round(a.totals.assignSeat.tokensSavedPerYear))} ${t('advice.saved')}` },
        { id: 'advice-move-to-flex', label: t('advice.moveToFlex'), value: formatNumber(a.totals.moveToFlex.users), note: `${formatNumber(Math.round(a.totals.moveToFlex.tokensSavedPerYear))} ${t('advice.saved')}` },
        { id: 'advice-saved', label: t('advice.saved'), value: formatNumber(Math.round(a.totals.tokensSavedPerYear)) },
      ]} />
      <DataTable id="advice-products" caption={t('advice.products')} rows={a.products.map((p) => ({
        productName: p.productName, dailyTokenRate: p.dailyTokenRate, seatTokensPerYear: p.seatTokensPerYear, breakEvenDaysPerYear: Math.round(p.breakEvenDaysPerYear * 10) / 10,
        users: p.users, seatHolders: p.seatHolders, flexUsers: p.flexUsers, tokensSavedPerYear: Math.round(p.tokensSavedPerYear),
      }))} columns={[
        { key: 'productName', label: t('col.productName'), kind: 'text' }, { key: 'dailyTokenRate', label: t('col.dailyTokenRate'), kind: 'number' },
        { key: 'seatTokensPerYear', label: t('col.seatTokensPerYear'), kind: 'number' }, { key: 'breakEvenDaysPerYear', label: t('col.breakEven'), kind: 'number' },
        { key: 'users', label: t('col.users'), kind: 'number' }, { key: 'seatHolders', label: t('col.seatHolders'), kind: 'number' },
        { key: 'flexUsers', label: t('col.flexUsers'), kind: 'number' }, { key: 'tokensSavedPerYear', label: t('col.tokensSaved'), kind: 'number' },
      ]} />
      {a.leftOut.map((item) => (
        <p key={item.productLineCode} class="hint">{t('advice.leftOut', { name: item.productName, reason: t(`advice.reason.${item.reason}`), users: item.users })}</p>
      ))}
      {a.recommendations.length > 0 && (
        <DataTable id="advice-recommendations" caption={t('advice.recommendations')} pageSize={25} rows={a.recommendations.map((r) => ({
          userName: r.userName, productName: r.productName, action: t(`advice.action.${r.action}`),
          useDaysPerYear: Math.round(r.useDaysPerYear * 10) / 10, breakEvenDaysPerYear: Math.round(r.breakEvenDaysPerYear * 10) / 10,
          tokensSavedPerYear: Math.round(r.tokensSavedPerYear),
        }))} columns={[
          { key: 'userName', label: t('col.userName'), kind: 'text' }, { key: 'productName', label: t('col.productName'), kind: 'text' },
          { key: 'action', label: t('col.action'), kind: 'text' }, { key: 'useDaysPerYear', label: t('col.useDaysPerYear'), kind: 'number' },
          { key: 'breakEvenDaysPerYear', label: t('col.breakEven'), kind: 'number' }, { key: 'tokensSavedPerYear', label: t('col.tokensSaved'), kind: 'number' },
        ]} />
      )}
    </>
  );
}

function Idle({ url }: { readonly url: URL }) {
  const { state, teams, current } = useTeam(url);
  const days = (IDLE_DAYS as readonly number[]).includes(Number(url.searchParams.get('days'))) ? Number(url.searchParams.get('days')) : 30;
  const team = current?.contextId;
  const idle = useAsync(team ? () => loadIdleSeats(team, days) : undefined, [team, days]);
  return (
    <>
      <Toolbar>
        {teams.length > 0 && <TeamPicker teams={teams} current={current} />}
        <Select label={t('idle.days')} name="days" value={String(days)} options={IDLE_DAYS.map((n) => ({ value: String(n), label: t('idle.daysOption', { n: String(n) }) }))}
          onChange={(value) => setParams({ days: value })} />
      </Toolbar>
      {!current ? <PickerGate state={state} empty={t('picker.noTeams')} /> : <Section state={idle}>{(i) => <IdleView idle={i} />}</Section>}
    </>
  );
}

function IdleView({ idle: i }: { readonly idle: IdleSeats }) {
  return (
    <>
      <Tiles label={t('idle.totals')} figures={[
        { id: 'idle-assigned', label: t('idle.assigned'), value: formatNumber(i.totals.assignedSeats) },
        { id: 'idle-idle', label: t('idle.idle'), value: formatNumber(i.totals.idleSeats) },
      ]} />
      <DataTable id="idle-products" caption={t('advice.products')} rows={i.products.map((p) => ({ productName: p.productName, assignedSeats: p.assignedSeats, idleSeats: p.idleSeats }))} columns={[
        { key: 'productName', label: t('col.productName'), kind: 'text' }, { key: 'assignedSeats', label: t('idle.assigned'), kind: 'number' },
        { key: 'idleSeats', label: t('col.idleSeats'), kind: 'number' },
      ]} />
      {i.seats.length > 0 && (
        <DataTable id="idle-seats" caption={t('idle.list')} pageSize={25} rows={i.seats.map((s) => ({
          userName: s.userName, productName: s.productName, lastUseDate: s.lastUseDate, daysSinceLastUse: s.daysSinceLastUse,
        }))} columns={[
          { key: 'userName', label: t('col.userName'), kind: 'text' }, { key: 'productName', label: t('col.productName'), kind: 'text' },
          { key: 'lastUseDate', label: t('col.lastUse'), kind: 'date' }, { key: 'daysSinceLastUse', label: t('col.daysSince'), kind: 'number' },
        ]} />
      )}
    </>
  );
}

function Peaks({ url }: { readonly url: URL }) {
  const { state, contracts, current } = useContract(url);
  const range = rangeOf(url.searchParams);
  const granularity = url.searchParams.get('granularity') === 'hour' ? 'hour' : 'day';
  const contract = current?.contractNumber;
  const peaks = useAsync(contract ? () => loadConcurrency(contract, range, granularity) : undefined, [contract, range.from, range.to, granularity]);
  return (
    <>
      <Toolbar>
        {contracts.length > 0 && <ContractPicker contracts={contracts} current={current} />}
        <RangePicker range={range} />
        <Select label={t('conc.granularity')} name="granularity" value={granularity}
          options={[{ value: 'day', label: t('conc.day') }, { value: 'hour', label: t('conc.hour') }]}
          onChange={(value) => setParams({ granularity: value === 'hour' ? 'hour' : undefined })} />
      </Toolbar>
      {!current ? <PickerGate state={state} empty={t('picker.noContracts')} /> : <Section state={peaks}>{(p) => <PeaksView peaks={p} range={range} />}</Section>}
    </>
  );
}

function PeaksView({ peaks: p }: { readonly peaks: Concurrency; readonly range: DateRange }) {
  const highest = p.products.reduce((max, period) => Math.max(max, period.peakSessions), 0);
  const rows = (periods: Concurrency['products']) => periods.map((period) => ({
    productLineCode: period.productLineCode, periodStart: formatDate(period.periodStart), peakSessions: period.peakSessions,
    peakAt: formatDate(period.peakAt), distinctUsers: period.distinctUsers,
  }));
  const columns = [
    { key: 'productLineCode', label: t('col.productLineCode'), kind: 'text' as const }, { key: 'periodStart', label: t('col.period'), kind: 'text' as const },
    { key: 'peakSessions', label: t('col.peakSessions'), kind: 'number' as const }, { key: 'peakAt', label: t('col.peakAt'), kind: 'text' as const },
    { key: 'distinctUsers', label: t('col.users'), kind: 'number' as const },
  ];
  return (
    <>
      <Tiles label={t('conc.totals')} figures={[
        { id: 'concurrency-peak', label: t('conc.peak'), value: formatNumber(highest) },
        { id: 'concurrency-products', label: t('seats.products'), value: formatNumber(p.products.length) },
      ]} />
      <DataTable id="concurrency-products" caption={t('conc.products')} rows={rows(p.products)} columns={columns} />
      <DataTable id="concurrency-top" caption={t('conc.top')} rows={rows(p.top)} columns={columns} />
    </>
  );
}
