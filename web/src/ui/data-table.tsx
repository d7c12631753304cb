import { useMemo, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { Cell } from '../api/queries';
import { formatDate, formatNumber, t } from '../i18n/i18n';

export interface Column<R> {
  readonly key: string;
  readonly label: string;
  readonly kind?: 'text' | 'number' | 'date';
  readonly render?: (row: R) => ComponentChildren;
  /** The value sorted by (default: `row[key]`). */
  readonly value?: (row: R) => Cell;
}

export interface SortState {
  readonly key: string;
  readonly direction: 'asc' | 'desc';
}

function compare(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

function display(kind: Column<unknown>['kind'], value: Cell): ComponentChildren {
  if (kind === 'number') return formatNumber(typeof value === 'number' ? value : value === null ? null : Number(value));
  if (kind === 'date') return formatDate(value === null ? null : String(value));
  return value === null || value === undefined ? '–' : String(value);
}

/**
 * A sortable, paged table. Sorting and paging happen on the rows in memory (a sort of 100,000 rows
 * takes tens of milliseconds, and only one page is ever in the DOM, so thousands of rows stay fast),
 * or, given `total`, by the caller, which hands over one page at a time.
 * Sort and page may be controlled (kept in the URL) or left to the table.
 */
export function DataTable<R extends Record<string, Cell>>({
  columns, rows, total, caption, pageSize = 50, sort: controlledSort, onSort, page: controlledPage, onPage, onSelect, canSelect, selectLabel, id,
}: {
  readonly columns: readonly Column<R>[];
  readonly rows: readonly R[];
  /**
   * Paged elsewhere (by the service): `rows` is the current page, already sorted, of `total` rows;
   * the table only shows it, and its sort and page buttons call onSort and onPage.
   */
  readonly total?: number;
  readonly caption: string;
  readonly pageSize?: number;
  readonly sort?: SortState | undefined;
  readonly onSort?: (sort: SortState) => void;
  readonly page?: number;
  readonly onPage?: (page: number) => void;
  /** Makes the first cell a button that selects its row. */
  readonly onSelect?: (row: R) => void;
  /** Rows that can be selected (default: all). */
  readonly canSelect?: (row: R) => boolean;
  readonly selectLabel?: (row: R) => string;
  readonly id?: string;
}) {
  const [ownSort, setOwnSort] = useState<SortState | undefined>(undefined);
  const [ownPage, setOwnPage] = useState(0);
  const sort = controlledSort ?? ownSort;
  const setSort = onSort ?? setOwnSort;
  const sorted = useMemo(() => {
    if (!sort || total !== undefined) return rows;
    const column = columns.find((c) => c.key === sort.key);
    const valueOf = column?.value ?? ((row: R) => row[sort.key] ?? null);
    const factor = sort.direction === 'asc' ? 1 : -1;
    return [...rows].sort((a, b) => factor * compare(valueOf(a), valueOf(b)));
  }, [rows, sort?.key, sort?.direction, total]);
  const count = total ?? sorted.length;
  const pages = Math.max(1, Math.ceil(count / pageSize));
  const page = Math.min(controlledPage ?? ownPage, pages - 1);
  const setPage = onPage ?? setOwnPage;
  const visible = total !== undefined ? sorted : sorted.slice(page * pageSize, (page + 1) * pageSize);

  return (
    <div class="table-wrap">
      <table class="data-table" id={id}>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const active = sort?.key === column.key;
              return (
                <th key={column.key} scope="col" class={column.kind === 'number' ? 'num' : undefined}
                  aria-sort={active ? (sort!.direction === 'asc' ? 'ascending' : 'descending') : 'none'}>
                  <button type="button" class="sort" onClick={() => {
                    setSort({ key: column.key, direction: active && sort!.direction === 'desc' ? 'asc' : column.kind === 'text' && !active ? 'asc' : 'desc' });
                    setPage(0);
                  }}>
                    {column.label}<span aria-hidden="true">{active ? (sort!.direction === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {visible.map((row, index) => (
            <tr key={index}>
              {columns.map((column, i) => {
                const content = column.render ? column.render(row) : display(column.kind, row[column.key] ?? null);
                return (
                  <td key={column.key} class={column.kind === 'number' ? 'num' : undefined}>
                    {i === 0 && onSelect && (canSelect?.(row) ?? true)
                      ? <button type="button" class="link" aria-label={selectLabel?.(row)} onClick={() => onSelect(row)}>{content}</button>
                      : content}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {count > pageSize && (
        <nav class="pager" aria-label={t('table.pages', { caption })}>
          <button type="button" disabled={page === 0} onClick={() => setPage(0)}>{t('table.first')}</button>
          <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>{t('table.previous')}</button>
          <span aria-live="polite">{t('table.range', { from: page * pageSize + 1, to: Math.min(count, (page + 1) * pageSize), total: count })}</span>
          <button type="button" disabled={page >= pages - 1} onClick={() => setPage(page + 1)}>{t('table.next')}</button>
          <button type="button" disabled={page >= pages - 1} onClick={() => setPage(pages - 1)}>{t('table.last')}</button>
        </nav>
      )}
    </div>
  );
}
