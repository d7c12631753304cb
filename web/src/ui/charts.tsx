import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatDate, formatNumber, t } from '../i18n/i18n';
import { DataTable, type Column } from './data-table';
import type { Cell } from '../api/queries';

/** Colours with at least 3:1 contrast against white, distinguishable in the common colour blindnesses. */
export const PALETTE = ['#0b5cad', '#c4500a', '#2a7d2e', '#8a3ab9', '#b3261e', '#00707a', '#7a5c00', '#d1338a', '#4a5a6a', '#5b6ee1', '#8c564b', '#3c7a00'];

export interface Series {
  readonly label: string;
  readonly values: readonly number[];
}

function tooltipPlugin(days: readonly string[], series: readonly Series[], options: { readonly total?: boolean; readonly colours?: readonly string[] } = {}): uPlot.Plugin {
  const withTotal = options.total ?? series.length > 1;
  let tip: HTMLDivElement;
  return {
    hooks: {
      init: (plot) => {
        tip = document.createElement('div');
        tip.className = 'chart-tooltip';
        tip.setAttribute('role', 'presentation');
        tip.style.display = 'none';
        plot.over.appendChild(tip);
        plot.over.addEventListener('mouseleave', () => { tip.style.display = 'none'; });
      },
      setCursor: (plot) => {
        const index = plot.cursor.idx;
        if (index === null || index === undefined || plot.cursor.left === undefined || plot.cursor.left < 0) {
          tip.style.display = 'none';
          return;
        }
        tip.replaceChildren();
        const head = document.createElement('strong');
        head.textContent = formatDate(days[index]);
        tip.appendChild(head);
        let total = 0;
        for (const [i, s] of series.entries()) {
          const raw = s.values[index];
          // Lines (the forecast chart) have no value on some days: nothing to say for them.
          if (raw === undefined || raw === null || Number.isNaN(raw)) continue;
          const value = raw;
          total += value;
          if (withTotal && value === 0) continue;
          const line = document.createElement('div');
          const swatch = document.createElement('span');
          swatch.className = 'swatch';
          swatch.style.background = options.colours?.[i] ?? PALETTE[i % PALETTE.length]!;
          line.append(swatch, `${s.label}: ${formatNumber(value)}`);
          tip.appendChild(line);
        }
        if (withTotal) {
          const line = document.createElement('div');
          line.textContent = `${t('chart.total')}: ${formatNumber(total)}`;
          tip.appendChild(line);
        }
        tip.style.display = 'block';
        const left = Math.min(plot.cursor.left, plot.over.clientWidth - 180);
        tip.style.left = `${Math.max(0, left + 12)}px`;
        tip.style.top = `${Math.max(0, (plot.cursor.top ?? 0) - 10)}px`;
      },
    },
  };
}

/**
 * The state both charts share: the canvas box, whether the numbers are shown as a table instead, and
 * the box's width, followed with a ResizeObserver while the chart is shown.
 */
function useChartBox() {
  const box = useRef<HTMLDivElement>(null);
  const [asTable, setAsTable] = useState(false);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    setWidth(element.clientWidth);
    return () => observer.disconnect();
  }, [asTable]);

  return { box, asTable, setAsTable, width };
}

/** A chart's caption: its label, and the button that shows its numbers as a table (or the chart again). */
function ChartCaption({ label, asTable, setAsTable }: { readonly label: string; readonly asTable: boolean; readonly setAsTable: (asTable: boolean) => void }) {
  return (
    <figcaption>
      <span>{label}</span>
      <button type="button" class="secondary" aria-pressed={asTable} onClick={() => setAsTable(!asTable)}>
        {asTable ? t('chart.showChart') : t('chart.showTable')}
      </button>
    </figcaption>
  );
}

/**
 * Daily values as bars, several series stacked, with a tooltip and a table of the same numbers.
 * uPlot draws a year of days times a dozen series in a few milliseconds on a canvas; stacking is
 * done here by drawing the cumulative sums from the top down, each bar covering the one above.
 */
export function DailyChart({ days, series, label, id }: {
  readonly days: readonly string[]; readonly series: readonly Series[]; readonly label: string; readonly id: string;
}) {
  const { box, asTable, setAsTable, width } = useChartBox();

  useEffect(() => {
    const element = box.current;
    if (!element || asTable || width === 0) return undefined;
    const xs = days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    const cumulative: number[][] = [];
    let running = days.map(() => 0);
    for (const s of series) {
      running = running.map((value, i) => value + (s.values[i] ?? 0));
      cumulative.push(running);
    }
    const order = series.map((_, i) => series.length - 1 - i);
    const bars = uPlot.paths.bars!({ size: [0.8, 24], align: 0 });
    const plot = new uPlot({
      width, height: 260, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      legend: { show: false },
      cursor: { y: false, points: { show: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] } },
      axes: [{ stroke: '#333', grid: { stroke: '#e3e6ea' } }, { stroke: '#333', grid: { stroke: '#e3e6ea' }, size: 60, values: (_u, ticks) => ticks.map((v) => formatNumber(v)) }],
      series: [{}, ...order.map((i) => ({ label: series[i]!.label, stroke: PALETTE[i % PALETTE.length]!, fill: PALETTE[i % PALETTE.length]!, paths: bars, width: 0 }))],
      plugins: [tooltipPlugin(days, series)],
    }, [xs, ...order.map((i) => cumulative[i]!)] as uPlot.AlignedData, element);
    return () => plot.destroy();
  }, [days, series, width, asTable]);

  const rows = useMemo(() => days.map((day, i) => {
    const row: Record<string, Cell> = { day };
    let total = 0;
    for (const [j, s] of series.entries()) {
      row[`s${j}`] = s.values[i] ?? 0;
      total += s.values[i] ?? 0;
    }
    row.total = total;
    return row;
  }), [days, series]);
  const columns: Column<Record<string, Cell>>[] = [
    { key: 'day', label: t('chart.day'), kind: 'date' },
    ...series.map((s, j) => ({ key: `s${j}`, label: s.label, kind: 'number' as const })),
    ...(series.length > 1 ? [{ key: 'total', label: t('chart.total'), kind: 'number' as const }] : []),
  ];

  return (
    <figure class="chart" id={id}>
      <ChartCaption label={label} asTable={asTable} setAsTable={setAsTable} />
      {series.length > 1 && !asTable && (
        <ul class="legend" aria-label={t('chart.legend')}>
          {series.map((s, i) => <li key={s.label}><span class="swatch" style={{ background: PALETTE[i % PALETTE.length] }} />{s.label}</li>)}
        </ul>
      )}
      {asTable
        ? <DataTable caption={label} columns={columns} rows={rows} pageSize={31} />
        : <div ref={box} class="chart-canvas" role="img" aria-label={t('chart.summary', { label, days: days.length, total: formatNumber(rows.reduce((sum, r) => sum + (r.total as number), 0)) })} />}
    </figure>
  );
}

/** A line of the cumulative chart; NaN where it has no value. */
export interface Line {
  readonly label: string;
  readonly values: readonly number[];
  readonly colour: string;
  readonly dash?: readonly number[];
}

/**
 * Lines over days (the forecast: consumption so far, the forecast, its 80 % band, the pool), with a
 * tooltip and a table of the same numbers. `band` names the two lines (upper, lower) whose space is
 * filled.
 */
export function LineChart({ days, lines, band, label, id }: {
  readonly days: readonly string[]; readonly lines: readonly Line[]; readonly band?: readonly [number, number]; readonly label: string; readonly id: string;
}) {
  const { box, asTable, setAsTable, width } = useChartBox();

  useEffect(() => {
    const element = box.current;
    if (!element || asTable || width === 0) return undefined;
    const xs = days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
    const data = [xs, ...lines.map((line) => line.values.map((v) => (Number.isNaN(v) ? null : v)))] as uPlot.AlignedData;
    const plot = new uPlot({
      width, height: 280, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      legend: { show: false },
      cursor: { y: false, points: { show: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] } },
      axes: [{ stroke: '#333', grid: { stroke: '#e3e6ea' } }, { stroke: '#333', grid: { stroke: '#e3e6ea' }, size: 70, values: (_u, ticks) => ticks.map((v) => formatNumber(v)) }],
      series: [{}, ...lines.map((line) => ({ label: line.label, stroke: line.colour, width: 2, ...(line.dash ? { dash: [...line.dash] } : {}) }))],
      ...(band ? { bands: [{ series: [band[0] + 1, band[1] + 1] as [number, number], fill: 'rgba(11, 92, 173, 0.15)' }] } : {}),
      plugins: [tooltipPlugin(days, lines, { total: false, colours: lines.map((line) => line.colour) })],
    }, data, element);
    return () => plot.destroy();
  }, [days, lines, width, asTable]);

  const rows = useMemo(() => days.map((day, i) => {
    const row: Record<string, Cell> = { day };
    for (const [j, line] of lines.entries()) row[`l${j}`] = Number.isNaN(line.values[i] ?? NaN) ? null : line.values[i]!;
    return row;
  }), [days, lines]);
  const columns: Column<Record<string, Cell>>[] = [
    { key: 'day', label: t('chart.day'), kind: 'date' },
    ...lines.map((line, j) => ({ key: `l${j}`, label: line.label, kind: 'number' as const })),
  ];
  return (
    <figure class="chart" id={id}>
      <ChartCaption label={label} asTable={asTable} setAsTable={setAsTable} />
      {!asTable && (
        <ul class="legend" aria-label={t('chart.legend')}>
          {lines.map((line) => <li key={line.label}><span class="swatch" style={{ background: line.colour }} />{line.label}</li>)}
        </ul>
      )}
      {asTable
        ? <DataTable caption={label} columns={columns} rows={rows} pageSize={31} />
        : <div ref={box} class="chart-canvas" role="img" aria-label={t('chart.linesSummary', { label, days: days.length })} />}
    </figure>
  );
}

/** Categories as horizontal bars (accessible HTML), each optionally selectable, with the numbers written out. */
export function BarList({ items, label, onSelect, format = formatNumber }: {
  readonly items: readonly { readonly label: string; readonly value: number }[];
  readonly label: string;
  readonly onSelect?: (label: string) => void;
  readonly format?: (value: number) => string;
}) {
  const max = Math.max(1, ...items.map((item) => item.value));
  return (
    <ul class="bar-list" aria-label={label}>
      {items.map((item, i) => {
        const body = (
          <>
            <span class="bar-label">{item.label}</span>
            <span class="bar-track" aria-hidden="true"><span class="bar" style={{ width: `${(100 * Math.max(0, item.value)) / max}%`, background: PALETTE[i % PALETTE.length] }} /></span>
            <span class="bar-value">{format(item.value)}</span>
          </>
        );
        return <li key={item.label}>{onSelect ? <button type="button" class="bar-row" onClick={() => onSelect(item.label)}>{body}</button> : <div class="bar-row">{body}</div>}</li>;
      })}
    </ul>
  );
}
