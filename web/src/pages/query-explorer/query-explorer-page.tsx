import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Cell, QueryResult } from '../../api/queries';
import { formatDate, t } from '../../i18n/i18n';
import { setParams } from '../../router';
import { BarList, DailyChart } from '../../ui/charts';
import { Select, Toolbar } from '../../ui/controls';
import { DataTable } from '../../ui/data-table';
import { ErrorBanner, Section } from '../../ui/feedback';
import { useContract, useTeam } from '../../ui/scope-picker';
import { useAsync } from '../../ui/use-async';
import { asCurl, asPython, checkQuery, loadCatalog, runQuery, type ApiName, type CatalogEntry, type ExplorerQuery, type WhereProblem } from './query-explorer-data';

const list = (value: string | null) => (value ? value.split(',').filter(Boolean) : []);

/** Fields and metrics from the catalogue, a checked `where`, the result as table and chart, the request as code (issue 18, page 4). */
export function QueryExplorerPage({ url }: { readonly url: URL }) {
  const params = url.searchParams;
  const apiName: ApiName = params.get('api') === 'tokenflex' ? 'tokenflex' : 'insights';
  const teams = useTeam(url, true);
  const contracts = useContract(url);
  const catalog = useAsync(() => loadCatalog(apiName), [apiName]);
  const fields = list(params.get('fields'));
  const metrics = list(params.get('metrics'));
  const [where, setWhere] = useState(params.get('where') ?? '');
  const scope = apiName === 'insights' ? teams.current?.contextId ?? '' : contracts.current?.contractNumber ?? '';
  const query: ExplorerQuery = { api: apiName, scope, fields, metrics, where };
  const [submitted, setSubmitted] = useState<ExplorerQuery | undefined>(undefined);
  const result = useAsync(submitted ? () => runQuery(submitted) : undefined, [JSON.stringify(submitted)]);
  const ready = (fields.length > 0 || metrics.length > 0) && (apiName === 'insights' || scope !== '');

  return (
    <>
      <h1>{t('page.queryExplorer')}</h1>
      <Toolbar>
        <Select label={t('explorer.api')} name="api" value={apiName} options={[{ value: 'insights', label: 'Insights' }, { value: 'tokenflex', label: 'Token Flex' }]}
          onChange={(value) => { setParams({ api: value, fields: undefined, metrics: undefined }); setSubmitted(undefined); }} />
        {apiName === 'insights'
          ? <Select label={t('picker.team')} name="team" value={scope} onChange={(team) => setParams({ team: team || undefined })}
              options={[{ value: '', label: t('picker.allTeams') }, ...teams.teams.map((team) => ({ value: team.contextId, label: team.alias }))]} />
          : <Select label={t('picker.contract')} name="contract" value={scope} onChange={(contract) => setParams({ contract })}
              options={contracts.contracts.map((c) => ({ value: c.contractNumber, label: `${c.contractName} (${c.contractNumber})` }))} />}
      </Toolbar>
      <Section state={catalog} onRetry={catalog.reload}>
        {(c) => (
          <div class="explorer-pickers">
            <NamePicker legend={t('explorer.fields')} entries={c.fields} chosen={fields} param="fields" />
            <NamePicker legend={t('explorer.metrics')} entries={c.metrics} chosen={metrics} param="metrics" />
          </div>
        )}
      </Section>
      <WhereEditor query={query} onChange={(value) => { setWhere(value); setParams({ where: value || undefined }, { replace: true }); }} />
      <div class="actions">
        <button type="button" disabled={!ready} onClick={() => setSubmitted({ ...query })}>{t('explorer.run')}</button>
        <CopyButton label={t('explorer.copyCurl')} text={() => asCurl(query, location.origin)} />
        <CopyButton label={t('explorer.copyPython')} text={() => asPython(query, location.origin)} />
      </div>
      <details class="request-code">
        <summary>{t('explorer.showRequest')}</summary>
        <pre data-code="curl">{asCurl(query, location.origin)}</pre>
        <pre data-code="python">{asPython(query, location.origin)}</pre>
      </details>
      {submitted && (
        <Section state={result} isEmpty={(r) => r.rows.length === 0}>
          {(r) => <ResultView result={r} catalog={catalog.data} />}
        </Section>
      )}
    </>
  );
}

function NamePicker({ legend, entries, chosen, param }: { readonly legend: string; readonly entries: readonly CatalogEntry[]; readonly chosen: readonly string[]; readonly param: string }) {
  const toggle = (name: string) => {
    const next = chosen.includes(name) ? chosen.filter((n) => n !== name) : [...chosen, name];
    setParams({ [param]: next.join(',') || undefined }, { replace: true });
  };
  return (
    <fieldset class="name-picker">
      <legend>{legend}</legend>
      <div class="name-list">
        {entries.map((entry) => (
          <label key={entry.name} class="check" title={entry.description}>
            <input type="checkbox" name={param} value={entry.name} checked={chosen.includes(entry.name)} onChange={() => toggle(entry.name)} />
            {entry.name}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** The `where` text, checked through the API 300 ms after each change; the problem under it with its caret. */
function WhereEditor({ query, onChange }: { readonly query: ExplorerQuery; readonly onChange: (value: string) => void }) {
  const [problem, setProblem] = useState<WhereProblem | undefined>(undefined);
  const [failure, setFailure] = useState<Error | undefined>(undefined);
  const [checking, setChecking] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  const key = JSON.stringify(query);
  useEffect(() => {
    if (query.fields.length === 0 && query.metrics.length === 0) {
      setProblem(undefined);
      return undefined;
    }
    if (query.api === 'tokenflex' && !query.scope) return undefined;
    let live = true;
    const timer = setTimeout(() => {
      setChecking(true);
      checkQuery(query).then(
        (found) => { if (live) { setProblem(found); setFailure(undefined); setChecking(false); } },
        (error: unknown) => { if (live) { setFailure(error as Error); setChecking(false); } },
      );
    }, 300);
    return () => { live = false; clearTimeout(timer); };
  }, [key]);
  const applySuggestion = () => {
    if (!problem?.suggestion || !problem.position) return;
    // The service trims the clause before parsing: positions count from its first non-blank character.
    const lead = query.where.length - query.where.trimStart().length;
    const { start, end } = problem.position;
    onChange(query.where.slice(0, lead + start) + problem.suggestion + query.where.slice(lead + end));
    area.current?.focus();
  };
  return (
    <div class="where-editor">
      <label for="where">{t('explorer.where')}</label>
      <textarea id="where" ref={area} rows={3} spellcheck={false} value={query.where} aria-invalid={problem ? 'true' : 'false'}
        aria-describedby="where-status" onInput={(event) => onChange((event.target as HTMLTextAreaElement).value)} />
      <div id="where-status" aria-live="polite">
        {problem ? (
          <div class="where-problem">
            <p class="error-text">{problem.message}</p>
            {problem.snippet && <pre class="caret" data-caret>{problem.snippet}</pre>}
            {problem.suggestion && problem.position && (
              <button type="button" class="secondary" onClick={applySuggestion}>{t('explorer.useSuggestion', { suggestion: problem.suggestion })}</button>
            )}
          </div>
        ) : checking ? <span class="hint">{t('explorer.checking')}</span>
          : (query.fields.length > 0 || query.metrics.length > 0) && !failure ? <span class="ok-text">{t('explorer.valid')}</span> : null}
        <ErrorBanner error={failure} />
      </div>
    </div>
  );
}

function CopyButton({ label, text }: { readonly label: string; readonly text: () => string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button type="button" class="secondary" onClick={async () => {
      try {
        await navigator.clipboard.writeText(text());
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      } catch {
        setCopied(false);
      }
    }}>{copied ? t('explorer.copied') : label}</button>
  );
}

const DATE_FIELDS = new Set(['usageDate', 'usageMonth', 'usageWeek']);

/** The result as a table and, when it has a date or a category and a number, as a chart. */
function ResultView({ result, catalog }: { readonly result: QueryResult; readonly catalog: { readonly metrics: readonly CatalogEntry[] } | undefined }) {
  const rows = useMemo(() => result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i] ?? null])) as Record<string, Cell>), [result]);
  const numeric = result.columns.filter((c) => rows.some((r) => typeof r[c] === 'number') && (catalog?.metrics.some((m) => m.name === c) ?? true));
  const dateColumn = result.columns.find((c) => DATE_FIELDS.has(c));
  const categories = result.columns.filter((c) => c !== dateColumn && !numeric.includes(c));
  const metric = numeric[0];
  const chart = useMemo(() => {
    if (!metric) return null;
    if (dateColumn && categories.length <= 1) {
      const days = [...new Set(rows.map((r) => String(r[dateColumn])))].sort();
      const index = new Map(days.map((d, i) => [d, i]));
      const groups = new Map<string, number[]>();
      for (const row of rows) {
        const name = categories[0] ? String(row[categories[0]] ?? '–') : metric;
        const values = groups.get(name) ?? days.map(() => 0);
        values[index.get(String(row[dateColumn]))!]! += Number(row[metric] ?? 0);
        groups.set(name, values);
      }
      const series = [...groups.entries()].sort((a, b) => b[1].reduce((s, v) => s + v, 0) - a[1].reduce((s, v) => s + v, 0)).slice(0, 12)
        .map(([label, values]) => ({ label, values }));
      return <DailyChart id="explorer-chart" label={`${metric} · ${dateColumn}`} days={days} series={series} />;
    }
    if (!dateColumn && categories.length >= 1) {
      const items = rows.map((r) => ({ label: categories.map((c) => String(r[c] ?? '–')).join(' · '), value: Number(r[metric] ?? 0) }))
        .sort((a, b) => b.value - a.value).slice(0, 20);
      return <BarList label={`${metric}`} items={items} />;
    }
    return null;
  }, [rows, metric, dateColumn]);
  return (
    <section aria-label={t('explorer.result')}>
      <h2>{t('explorer.result')} <span class="hint">{t('explorer.rows', { count: rows.length })}</span></h2>
      {chart}
      <DataTable id="explorer-result" caption={t('explorer.result')} rows={rows}
        columns={result.columns.map((c) => ({ key: c, label: c, kind: numeric.includes(c) ? 'number' as const : 'text' as const,
          ...(DATE_FIELDS.has(c) ? { render: (r: Record<string, Cell>) => formatDate(r[c] === null ? null : String(r[c])) } : {}) }))} />
    </section>
  );
}

