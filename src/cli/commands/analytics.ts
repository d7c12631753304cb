import { existsSync } from 'node:fs';
import {
  contractAdvice, contractConcurrency, contractForecast, teamIdleSeats,
  type ConcurrencyAnswer, type ConcurrencyAnswerPeriod, type ConcurrencyGranularity, type IdleSeatsAnswer, type SeatAdvice, type TokenForecast,
} from '../../analytics/index.js';
import { controlSocketPath, type Config } from '../../config.js';
import { openStore, type Store } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import { formatRows, type OutputFormat } from '../table.js';
import { connectToServer } from '../server-client.js';

export type AnalyticsQuestion = 'forecast' | 'advice' | 'idle-seats' | 'concurrency';

export interface AnalyticsCommandOptions {
  readonly user: string;
  readonly contract?: string;
  readonly team?: string;
  readonly year?: number;
  readonly from?: string;
  readonly to?: string;
  readonly days?: number;
  readonly product?: string;
  readonly granularity?: ConcurrencyGranularity;
  readonly top?: number;
  readonly format: OutputFormat;
}

/**
 * `insights analytics forecast|advice|idle-seats|concurrency`: asks the running server's
 * `/analytics/v1` as the user (a token minted over the control socket) when one holds the data
 * directory, else computes the same answer in-process with the same tenancy check; then renders it.
 */
export async function runAnalyticsCommand(config: Config, question: AnalyticsQuestion, options: AnalyticsCommandOptions, now = new Date()): Promise<string> {
  if (question === 'idle-seats' ? !options.team : !options.contract) {
    throw new CliError(question === 'idle-seats' ? '--team is required' : '--contract is required');
  }
  const answer = existsSync(controlSocketPath(config.dataDir))
    ? await viaServer(config, question, options)
    : await inProcess(config, question, options, now);
  return renderAnswer(question, answer, options.format);
}

function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
}

async function viaServer(config: Config, question: AnalyticsQuestion, o: AnalyticsCommandOptions): Promise<unknown> {
  const { call } = await connectToServer(config, o.user, 'data:read', '15m');
  const contract = encodeURIComponent(o.contract ?? '');
  switch (question) {
    case 'forecast': return call(`/analytics/v1/contracts/${contract}/forecast${query({ contractYear: o.year })}`);
    case 'advice': return call(`/analytics/v1/contracts/${contract}/advice${query({ from: o.from, to: o.to })}`);
    case 'idle-seats': return call(`/analytics/v1/teams/${encodeURIComponent(o.team ?? '')}/idle-seats${query({ days: o.days })}`);
    case 'concurrency': return call(`/analytics/v1/contracts/${contract}/concurrency${query({
      productLineCode: o.product, from: o.from, to: o.to, granularity: o.granularity, top: o.top,
    })}`);
  }
}

async function inProcess(config: Config, question: AnalyticsQuestion, o: AnalyticsCommandOptions, now: Date): Promise<unknown> {
  const store = await openStore(config);
  try {
    await store.migrate();
    const user = await store.findUserByEmail(o.user);
    if (!user) throw new CliError(`No user has the e-mail address ${o.user}.`);
    if (question === 'idle-seats') {
      if (!(await store.listAdministeredTeams(user.id)).some((t) => t.teamId === o.team)) throw new CliError(`${o.user} does not administer team ${o.team}.`);
      return await teamIdleSeats(store, o.team!, { days: o.days ?? 30, now });
    }
    if (!(await store.listManagedContracts(user.id)).some((c) => c.contractNumber === o.contract)) {
      throw new CliError(`${o.user} does not manage contract ${o.contract}.`);
    }
    return await answerContract(store, question, o, now);
  } finally {
    await store.close();
  }
}

function answerContract(store: Store, question: Exclude<AnalyticsQuestion, 'idle-seats'>, o: AnalyticsCommandOptions, now: Date): Promise<unknown> {
  switch (question) {
    case 'forecast': return contractForecast(store, o.contract!, { contractYear: o.year, now });
    case 'advice': return contractAdvice(store, o.contract!, { from: o.from, to: o.to, now });
    case 'concurrency': return contractConcurrency(store, o.contract!, {
      productLineCode: o.product, from: o.from, to: o.to, granularity: o.granularity ?? 'day', top: o.top ?? 10, now,
    });
  }
}

// ---- Rendering --------------------------------------------------------------------------------

const n = (value: number | null | undefined, digits = 0): string => (value === null || value === undefined ? '' : value.toLocaleString('en', { maximumFractionDigits: digits }));
const pct = (value: number | null): string => (value === null ? '' : `${(value * 100).toFixed(1)} %`);

/** Renders an answer: `json` as the API gives it, `csv` its main table, `table` a page for a person. */
export function renderAnswer(question: AnalyticsQuestion, answer: unknown, format: OutputFormat): string {
  if (format === 'json') return JSON.stringify(answer, null, 2);
  switch (question) {
    case 'forecast': return renderForecast(answer as TokenForecast, format);
    case 'advice': return renderAdvice(answer as SeatAdvice, format);
    case 'idle-seats': return renderIdleSeats(answer as IdleSeatsAnswer, format);
    case 'concurrency': return renderConcurrency(answer as ConcurrencyAnswer, format);
  }
}

function renderForecast(f: TokenForecast, format: OutputFormat): string {
  if (format === 'csv') {
    return formatRows('csv', ['date', 'kind', 'tokens', 'cumulative', 'cumulativeLow80', 'cumulativeHigh80', 'cumulativeLow95', 'cumulativeHigh95'], [
      ...f.actual.map((d) => [d.date, 'actual', d.tokens, d.cumulative, d.cumulative, d.cumulative, d.cumulative, d.cumulative]),
      ...f.forecast.map((d) => [d.date, 'forecast', d.daily.tokens, d.cumulative.tokens, d.cumulative.low80, d.cumulative.high80, d.cumulative.low95, d.cumulative.high95]),
    ]);
  }
  const y = f.contractYear;
  const pools = [['year (CY)', f.pools.year], ...(f.pools.multiyear ? [['multi-year (MY)', f.pools.multiyear] as const] : [])] as const;
  const out = [
    `Contract year ${y.year}: ${y.startDate} – ${y.endDate}, ${n(y.provisionedTokens)} tokens. Usage counted to ${f.asOf}.`,
    `Method: ${f.method}${f.reason ? ` (${f.reason})` : ''}; intervals ${f.intervals.basis === 'backtest' ? 'from the model\'s own backtests' : 'assumed'}.`,
    '',
    `Year end: ${n(f.yearEnd.tokens)} tokens (80 %: ${n(f.yearEnd.low80)} – ${n(f.yearEnd.high80)}; 95 %: ${n(f.yearEnd.low95)} – ${n(f.yearEnd.high95)})`,
    `To buy: ${n(f.purchase.p50)} tokens for 50 % confidence, ${n(f.purchase.p90)} for 90 %.`,
    '',
    formatRows('table', ['pool', 'provisioned', 'used', 'left', 'runs out', '80 % earliest', '80 % latest'], pools.map(([name, p]) => [
      name, n(p.provisionedTokens), n(p.usedTokens), n(p.leftTokens),
      p.exhaustion.status === 'not-within-year' ? 'not within the year' : `${p.exhaustion.date ?? 'before this year'}${p.exhaustion.status === 'exhausted' ? ' (exhausted)' : ''}`,
      p.exhaustion.interval80.earliest ?? '-', p.exhaustion.interval80.latest ?? 'not within the year',
    ])),
    '',
    forecastChart(f),
    '',
    'Backtest on this contract\'s history: error of the cumulative forecast',
    formatRows('table', ['days ahead', 'origins', 'model', 'naive (28-day average)'],
      f.backtest.map((b) => [b.days, b.origins, pct(b.modelError), pct(b.naiveError)])),
  ];
  return out.join('\n');
}

/**
 * The year's cumulative consumption against the year's pool, as a small character chart:
 * `█` used so far, `•` the forecast, `░` its 80 % interval, `─` the pool.
 */
export function forecastChart(f: TokenForecast, width = 60, height = 12): string {
  const points = [
    ...f.actual.map((d) => ({ date: d.date, value: d.cumulative, low: d.cumulative, high: d.cumulative, actual: true })),
    ...f.forecast.map((d) => ({ date: d.date, value: d.cumulative.tokens, low: d.cumulative.low80, high: d.cumulative.high80, actual: false })),
  ];
  if (points.length === 0) return '(no days to chart)';
  const pool = f.pools.year.provisionedTokens;
  const top = Math.max(pool, ...points.map((p) => p.high)) * 1.05 || 1;
  const columns = Math.min(width, points.length);
  const grid = Array.from({ length: height }, () => Array.from({ length: columns }, () => ' '));
  const rowOf = (value: number) => Math.max(0, Math.min(height - 1, height - 1 - Math.round((value / top) * (height - 1))));
  const poolRow = rowOf(pool);
  for (let c = 0; c < columns; c++) {
    const p = points[Math.min(points.length - 1, Math.floor(((c + 1) * points.length) / columns) - 1)]!;
    if (pool > 0) grid[poolRow]![c] = '─';
    for (let r = rowOf(p.high); r <= rowOf(p.low); r++) grid[r]![c] = '░';
    grid[rowOf(p.value)]![c] = p.actual ? '█' : '•';
  }
  const label = (r: number) => (r === poolRow && pool > 0 ? n(pool) : r === 0 ? n(top) : r === height - 1 ? '0' : '');
  const labelWidth = Math.max(...Array.from({ length: height }, (_, r) => label(r).length));
  return [
    ...grid.map((row, r) => `${label(r).padStart(labelWidth)} │${row.join('')}`),
    `${' '.repeat(labelWidth)} └${'─'.repeat(columns)}`,
    `${' '.repeat(labelWidth)}  ${points[0]!.date}${' '.repeat(Math.max(1, columns - 20))}${points.at(-1)!.date}`,
    `${' '.repeat(labelWidth)}  █ used so far  • forecast  ░ 80 % interval  ─ the year's ${n(pool)} tokens`,
  ].join('\n');
}

function renderAdvice(a: SeatAdvice, format: OutputFormat): string {
  const columns = ['action', 'user', 'product', 'useDays', 'useDaysPerYear', 'dailyTokenRate', 'seatTokensPerYear', 'breakEvenDaysPerYear', 'flexTokensPerYear', 'tokensSavedPerYear'];
  const rows = a.recommendations.map((r) => [r.action, r.userName, r.productLineCode, r.useDays, r.useDaysPerYear, r.dailyTokenRate, r.seatTokensPerYear, r.breakEvenDaysPerYear, r.flexTokensPerYear, r.tokensSavedPerYear]);
  if (format === 'csv') return formatRows('csv', columns, rows);
  return [
    `Period ${a.period.from} – ${a.period.to} (${n(a.period.months, 2)} months; use days × ${n(a.period.annualisation, 4)} = a year).`,
    '',
    rows.length ? formatRows('table', columns, rows) : 'No recommendations.',
    '',
    formatRows('table', ['product', 'rate', 'seat', 'break-even days', 'users', 'assign seat', 'move to Flex', 'saved a year'], a.products.map((p) => [
      p.productLineCode, p.dailyTokenRate, p.seatTokensPerYear, n(p.breakEvenDaysPerYear, 2), p.users, p.assignSeat.users, p.moveToFlex.users, n(p.tokensSavedPerYear, 2),
    ])),
    '',
    `Total: assign ${a.totals.assignSeat.users} seats (saves ${n(a.totals.assignSeat.tokensSavedPerYear, 2)}), move ${a.totals.moveToFlex.users} to Flex (saves ${n(a.totals.moveToFlex.tokensSavedPerYear, 2)}): ${n(a.totals.tokensSavedPerYear, 2)} tokens a year.`,
    ...(a.leftOut.length ? [`Left out: ${a.leftOut.map((p) => `${p.productLineCode} (${p.reason})`).join(', ')}.`] : []),
  ].join('\n');
}

function renderIdleSeats(a: IdleSeatsAnswer, format: OutputFormat): string {
  const columns = ['product', 'user', 'subscription', 'renewalDate', 'lastUseDate', 'daysSinceLastUse'];
  const rows = a.seats.map((s) => [s.productLineCode, s.userName, s.subscription.id, s.subscription.renewalDate, s.lastUseDate ?? 'never', s.daysSinceLastUse]);
  if (format === 'csv') return formatRows('csv', columns, rows);
  return [
    `Seats without use from ${a.since} to ${a.asOf} (${a.days} days): ${a.totals.idleSeats} of ${a.totals.assignedSeats}.`,
    '',
    rows.length ? formatRows('table', columns, rows) : 'No idle seats.',
    '',
    formatRows('table', ['product', 'assigned', 'idle'], a.products.map((p) => [p.productLineCode, p.assignedSeats, p.idleSeats])),
  ].join('\n');
}

function renderConcurrency(a: ConcurrencyAnswer, format: OutputFormat): string {
  const columns = ['product', 'periodStart', 'peakSessions', 'peakAt', 'distinctUsers', 'denials'];
  const rows = (list: readonly ConcurrencyAnswerPeriod[]) => list.map((p) => [p.productLineCode, p.periodStart, p.peakSessions, p.peakAt, p.distinctUsers, p.denials]);
  if (format === 'csv') return formatRows('csv', columns, rows(a.periods));
  return [
    `Desktop sessions running at once, by ${a.granularity} (UTC), ${a.from} – ${a.to}${a.productLineCode ? `, ${a.productLineCode}` : ''}.`,
    '',
    `Busiest ${a.granularity === 'hour' ? 'hours' : 'days'}:`,
    a.top.length ? formatRows('table', columns, rows(a.top)) : 'No sessions.',
    '',
    'Per product, its busiest period:',
    formatRows('table', columns, rows(a.products)),
  ].join('\n');
}
