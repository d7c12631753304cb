import { formatNumber, t } from '../../i18n/i18n';
import { setParams } from '../../router';
import { BarList } from '../../ui/charts';
import { RangePicker, Tabs, Tiles, Toolbar } from '../../ui/controls';
import { rangeOf, type DateRange } from '../../ui/date-range';
import { DataTable } from '../../ui/data-table';
import { Section } from '../../ui/feedback';
import { PickerGate, TeamPicker, useTeam } from '../../ui/scope-picker';
import { useAsync } from '../../ui/use-async';
import { FREQUENCY_BUCKETS, loadByProduct, loadByUser, loadSeatSummary, loadUserProducts } from './seat-usage-data';

const TABS = ['products', 'users'] as const;

/** Seat usage of one team (issue 18, page 2). */
export function SeatUsagePage({ url }: { readonly url: URL }) {
  const { state, teams, current } = useTeam(url);
  const range = rangeOf(url.searchParams);
  const tab = url.searchParams.get('tab') === 'users' ? 'users' : 'products';
  return (
    <>
      <h1>{t('page.seatUsage')}</h1>
      <Toolbar>
        {teams.length > 0 && <TeamPicker teams={teams} current={current} />}
        <RangePicker range={range} />
      </Toolbar>
      {!current ? <PickerGate state={state} empty={t('picker.noTeams')} /> : (
        <>
          <Summary team={current.contextId} range={range} />
          <Tabs label={t('page.seatUsage')} current={tab} tabs={TABS.map((value) => ({ value, label: t(`seats.tab.${value}`) }))} />
          <div role="tabpanel" aria-labelledby={`tab-tab-${tab}`}>
            {tab === 'products'
              ? <Products team={current.contextId} range={range} product={url.searchParams.get('product') ?? ''} />
              : <Users team={current.contextId} range={range} user={url.searchParams.get('user') ?? ''} />}
          </div>
        </>
      )}
    </>
  );
}

function Summary({ team, range }: { readonly team: string; readonly range: DateRange }) {
  const summary = useAsync(() => loadSeatSummary(team, range), [team, range.from, range.to]);
  return (
    <Section state={summary} onRetry={summary.reload}>
      {(s) => (
        <Tiles label={t('seats.summary')} figures={[
          { id: 'users', label: t('seats.users'), value: formatNumber(s.users) },
          { id: 'products', label: t('seats.products'), value: formatNumber(s.products) },
          { id: 'seats', label: t('seats.seats'), value: formatNumber(s.seats) },
          { id: 'assigned-seats', label: t('seats.assigned'), value: formatNumber(s.assignedSeats) },
        ]} />
      )}
    </Section>
  );
}

function Products({ team, range, product }: { readonly team: string; readonly range: DateRange; readonly product: string }) {
  const data = useAsync(() => loadByProduct(team, range), [team, range.from, range.to]);
  return (
    <Section state={data} isEmpty={(d) => d.rows.length === 0} onRetry={data.reload}>
      {(d) => (
        <div class="split">
          <div>
            <h2>{t('seats.byProduct')}</h2>
            <DataTable caption={t('seats.byProduct')} rows={d.rows} onSelect={(r) => setParams({ product: String(r.productLineCode) })}
              selectLabel={(r) => t('action.showDetails', { name: String(r.productName) })}
              columns={[
                { key: 'productName', label: t('col.productName'), kind: 'text' },
                { key: 'uniqueUsers', label: t('col.uniqueUsers'), kind: 'number' },
                { key: 'seats', label: t('col.seats'), kind: 'number' },
                { key: 'assignedSeats', label: t('col.assignedSeats'), kind: 'number' },
                { key: 'totalUniqueDays', label: t('col.totalUniqueDays'), kind: 'number' },
              ]} />
          </div>
          {product && (
            <section class="detail" aria-label={product}>
              <h2>{String(d.rows.find((r) => r.productLineCode === product)?.productName ?? product)}</h2>
              <h3>{t('seats.frequency')}</h3>
              <BarList label={t('seats.frequency')} items={FREQUENCY_BUCKETS.map(([low, high], i) => ({
                label: high === Infinity ? t('seats.daysOrMore', { n: low }) : low === high ? t('seats.day', { n: low }) : t('seats.daysBetween', { low, high }),
                value: d.frequency.get(product)?.[i] ?? 0,
              }))} />
              <h3>{t('seats.versions')}</h3>
              <DataTable caption={t('seats.versions')} rows={(d.versionsOf.get(product) ?? []).map((v) => ({ version: v.version, users: v.users }))} columns={[
                { key: 'version', label: t('col.version'), kind: 'text' },
                { key: 'users', label: t('col.uniqueUsers'), kind: 'number' },
              ]} />
            </section>
          )}
        </div>
      )}
    </Section>
  );
}

function Users({ team, range, user }: { readonly team: string; readonly range: DateRange; readonly user: string }) {
  const users = useAsync(() => loadByUser(team, range), [team, range.from, range.to]);
  const products = useAsync(user ? () => loadUserProducts(team, range, user) : undefined, [team, range.from, range.to, user]);
  return (
    <div class="split">
      <Section state={users} isEmpty={(rows) => rows.length === 0} onRetry={users.reload}>
        {(rows) => (
          <div>
            <h2>{t('seats.byUser')}</h2>
            <DataTable caption={t('seats.byUser')} rows={rows} onSelect={(r) => setParams({ user: String(r.userId) })}
              selectLabel={(r) => t('action.showDetails', { name: String(r.fullName ?? r.userName) })}
              columns={[
                { key: 'fullName', label: t('col.fullName'), kind: 'text' },
                { key: 'userName', label: t('col.userName'), kind: 'text' },
                { key: 'uniqueProducts', label: t('col.uniqueProducts'), kind: 'number' },
                { key: 'totalUniqueDays', label: t('col.daysUsed'), kind: 'number' },
                { key: 'latestUsageDate', label: t('col.lastAccess'), kind: 'date' },
              ]} />
          </div>
        )}
      </Section>
      {user && (
        <section class="detail" aria-label={t('seats.userProducts')}>
          <h2>{String(users.data?.find((r) => r.userId === user)?.fullName ?? user)}</h2>
          <Section state={products} isEmpty={(rows) => rows.length === 0}>
            {(rows) => (
              <DataTable caption={t('seats.userProducts')} rows={rows} columns={[
                { key: 'productName', label: t('col.productName'), kind: 'text' },
                { key: 'version', label: t('col.version'), kind: 'text' },
                { key: 'totalUniqueDays', label: t('col.daysUsed'), kind: 'number' },
                { key: 'latestUsageDate', label: t('col.lastAccess'), kind: 'date' },
              ]} />
            )}
          </Section>
        </section>
      )}
    </div>
  );
}
