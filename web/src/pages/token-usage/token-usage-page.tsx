import { formatDate, formatNumber, t } from '../../i18n/i18n';
import { setParams } from '../../router';
import { BarList, DailyChart } from '../../ui/charts';
import { RangePicker, Tabs, Tiles, Toolbar } from '../../ui/controls';
import { rangeOf, type DateRange } from '../../ui/date-range';
import { DataTable } from '../../ui/data-table';
import { Section } from '../../ui/feedback';
import { ContractPicker, PickerGate, useContract } from '../../ui/scope-picker';
import { useAsync } from '../../ui/use-async';
import {
  CHARGE_CATEGORIES, loadBalance, loadByProduct, loadByUser, loadCharges, loadDaily, loadProductUsers, loadUserDetail,
} from './token-usage-data';

const TABS = ['daily', 'products', 'users', 'charges'] as const;

/** Token usage of one contract (issue 18, page 1). */
export function TokenUsagePage({ url }: { readonly url: URL }) {
  const { state, contracts, current } = useContract(url);
  const range = rangeOf(url.searchParams);
  const tab = (TABS as readonly string[]).includes(url.searchParams.get('tab') ?? '') ? url.searchParams.get('tab')! : 'daily';
  return (
    <>
      <h1>{t('page.tokenUsage')}</h1>
      <Toolbar>
        {contracts.length > 0 && <ContractPicker contracts={contracts} current={current} />}
        <RangePicker range={range} />
      </Toolbar>
      {!current ? <PickerGate state={state} empty={t('picker.noContracts')} /> : (
        <>
          <BalanceTiles contract={current.contractNumber} range={range} />
          <Tabs label={t('page.tokenUsage')} current={tab} tabs={TABS.map((value) => ({ value, label: t(`tokens.tab.${value}`) }))} />
          <div role="tabpanel" aria-labelledby={`tab-tab-${tab}`}>
            {tab === 'daily' && <Daily contract={current.contractNumber} range={range} />}
            {tab === 'products' && <Products contract={current.contractNumber} range={range} product={url.searchParams.get('product') ?? ''} />}
            {tab === 'users' && <Users contract={current.contractNumber} range={range} user={url.searchParams.get('user') ?? ''} />}
            {tab === 'charges' && <Charges contract={current.contractNumber} range={range} />}
          </div>
        </>
      )}
    </>
  );
}

function BalanceTiles({ contract, range }: { readonly contract: string; readonly range: DateRange }) {
  const balance = useAsync(() => loadBalance(contract, range), [contract, range.to]);
  const used = useAsync(() => loadDaily(contract, range), [contract, range.from, range.to]);
  return (
    <Section state={balance}>
      {(b) => (
        <Tiles label={t('tokens.balance')} figures={[
          { id: 'year-provisioned', label: t('tokens.yearProvisioned', { year: b.year?.year ?? '–' }), value: formatNumber(b.year?.provisionedTokens), note: b.year ? `${formatDate(b.year.startDate)} – ${formatDate(b.year.endDate)}` : '' },
          { id: 'year-consumed', label: t('tokens.yearConsumed'), value: formatNumber(b.year?.consumedTokens) },
          { id: 'year-remaining', label: t('tokens.yearRemaining'), value: formatNumber(b.year?.remainingTokens) },
          { id: 'multiyear-provisioned', label: t('tokens.myProvisioned'), value: formatNumber(b.multiyearProvisioned) },
          { id: 'multiyear-consumed', label: t('tokens.myConsumed'), value: formatNumber(b.multiyearConsumed) },
          { id: 'multiyear-remaining', label: t('tokens.myRemaining'), value: formatNumber(b.multiyearRemaining) },
          { id: 'tokens-in-range', label: t('tokens.inRange'), value: used.data ? formatNumber(used.data.total) : used.error ? '–' : '…' },
        ]} />
      )}
    </Section>
  );
}

function Daily({ contract, range }: { readonly contract: string; readonly range: DateRange }) {
  const daily = useAsync(() => loadDaily(contract, range), [contract, range.from, range.to]);
  return (
    <Section state={daily} isEmpty={(d) => d.series.length === 0} onRetry={daily.reload}>
      {(d) => <DailyChart id="daily-tokens" label={t('tokens.dailyChart')} days={d.days} series={d.series} />}
    </Section>
  );
}

function Products({ contract, range, product }: { readonly contract: string; readonly range: DateRange; readonly product: string }) {
  const products = useAsync(() => loadByProduct(contract, range), [contract, range.from, range.to]);
  return (
    <div class="split">
      <Section state={products} isEmpty={(rows) => rows.length === 0} onRetry={products.reload}>
        {(rows) => (
          <div>
            <h2>{t('tokens.byProduct')}</h2>
            <BarList label={t('tokens.byProduct')} items={rows.slice(0, 12).map((r) => ({ label: String(r.productName), value: Number(r.tokensConsumed) }))}
              onSelect={(name) => setParams({ product: name })} />
            <DataTable caption={t('tokens.byProduct')} rows={rows} onSelect={(r) => setParams({ product: String(r.productName) })}
              selectLabel={(r) => t('action.showDetails', { name: String(r.productName) })}
              columns={[
                { key: 'productName', label: t('col.productName'), kind: 'text' },
                { key: 'tokensConsumed', label: t('col.tokensConsumed'), kind: 'number' },
                { key: 'uniqueUsers', label: t('col.uniqueUsers'), kind: 'number' },
                { key: 'usageHours', label: t('col.usageHours'), kind: 'number' },
              ]} />
          </div>
        )}
      </Section>
      {product && <ProductDetail contract={contract} range={range} product={product} />}
    </div>
  );
}

function ProductDetail({ contract, range, product }: { readonly contract: string; readonly range: DateRange; readonly product: string }) {
  const users = useAsync(() => loadProductUsers(contract, range, product), [contract, range.from, range.to, product]);
  const daily = useAsync(() => loadDaily(contract, range, `productName = '${product.replace(/'/g, "''")}'`), [contract, range.from, range.to, product]);
  return (
    <section class="detail" aria-label={product}>
      <h2>{product}</h2>
      <Section state={daily} isEmpty={(d) => d.series.length === 0}>
        {(d) => <DailyChart id="product-daily" label={t('tokens.productDaily', { name: product })} days={d.days} series={d.series} />}
      </Section>
      <Section state={users} isEmpty={(rows) => rows.length === 0}>
        {(rows) => (
          <DataTable caption={t('tokens.productUsers', { name: product })} rows={rows} columns={[
            { key: 'userName', label: t('col.userName'), kind: 'text', render: (r) => (r.userName === null || r.userName === '' ? t('tokens.noUser') : String(r.userName)) },
            { key: 'tokensConsumed', label: t('col.tokensConsumed'), kind: 'number' },
            { key: 'usageHours', label: t('col.usageHours'), kind: 'number' },
          ]} />
        )}
      </Section>
    </section>
  );
}

function Users({ contract, range, user }: { readonly contract: string; readonly range: DateRange; readonly user: string }) {
  const users = useAsync(() => loadByUser(contract, range), [contract, range.from, range.to]);
  return (
    <div class="split">
      <Section state={users} isEmpty={(rows) => rows.length === 0} onRetry={users.reload}>
        {(rows) => (
          <div>
            <h2>{t('tokens.byUser')}</h2>
            {/* Records without a user (contract-level manual adjustments) are a row of their own, with nobody to pick. */}
            <DataTable caption={t('tokens.byUser')} rows={rows} onSelect={(r) => setParams({ user: String(r.userName) })}
              canSelect={(r) => r.userName !== null && r.userName !== ''}
              selectLabel={(r) => t('action.showDetails', { name: String(r.userName) })}
              columns={[
                { key: 'userName', label: t('col.userName'), kind: 'text', render: (r) => (r.userName === null || r.userName === '' ? t('tokens.noUser') : String(r.userName)) },
                { key: 'tokensConsumed', label: t('col.tokensConsumed'), kind: 'number' },
                { key: 'uniqueProducts', label: t('col.uniqueProducts'), kind: 'number' },
                { key: 'usageHours', label: t('col.usageHours'), kind: 'number' },
              ]} />
          </div>
        )}
      </Section>
      {user && <UserDetail contract={contract} range={range} user={user} />}
    </div>
  );
}

function UserDetail({ contract, range, user }: { readonly contract: string; readonly range: DateRange; readonly user: string }) {
  const detail = useAsync(() => loadUserDetail(contract, range, user), [contract, range.from, range.to, user]);
  return (
    <section class="detail" aria-label={user}>
      <h2>{user}</h2>
      <Section state={detail}>
        {(d) => (
          <>
            <DataTable caption={t('tokens.userProducts', { name: user })} rows={d.products} columns={[
              { key: 'productName', label: t('col.productName'), kind: 'text' },
              { key: 'tokensConsumed', label: t('col.tokensConsumed'), kind: 'number' },
              { key: 'usageHours', label: t('col.usageHours'), kind: 'number' },
            ]} />
            <h3>{t('tokens.daysPerWeek')}</h3>
            <DataTable caption={t('tokens.daysPerWeek')} pageSize={53} rows={d.weeks.map((w) => ({ week: w.week, days: w.days }))} columns={[
              { key: 'week', label: t('col.week'), kind: 'date' },
              { key: 'days', label: t('col.daysUsed'), kind: 'number' },
            ]} />
          </>
        )}
      </Section>
    </section>
  );
}

function Charges({ contract, range }: { readonly contract: string; readonly range: DateRange }) {
  const charges = useAsync(() => loadCharges(contract, range), [contract, range.from, range.to]);
  return (
    <>
      <Section state={charges} isEmpty={(rows) => rows.length === 0} onRetry={charges.reload}>
        {(rows) => (
          <>
            <BarList label={t('tokens.tab.charges')} items={rows.map((r) => ({ label: String(r.chargeCategory ?? 'N/A'), value: Number(r.tokensConsumed) }))} />
            <DataTable caption={t('tokens.tab.charges')} rows={rows} columns={[
              { key: 'chargeCategory', label: t('col.chargeCategory'), kind: 'text' },
              { key: 'tokensConsumed', label: t('col.tokensConsumed'), kind: 'number' },
              { key: 'useCount', label: t('col.useCount'), kind: 'number' },
            ]} />
          </>
        )}
      </Section>
      <dl class="legend-explained" aria-label={t('tokens.chargeLegend')}>
        {CHARGE_CATEGORIES.map((category) => (
          <div key={category}><dt>{category}</dt><dd>{t(`charge.${category}`)}</dd></div>
        ))}
      </dl>
    </>
  );
}
