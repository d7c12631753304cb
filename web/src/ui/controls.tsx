import { useId } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { t } from '../i18n/i18n';
import { setParams } from '../router';
import { PRESETS, type DateRange } from './date-range';

export interface Option {
  readonly value: string;
  readonly label: string;
}

export function Select({ label, value, options, onChange, name }: {
  readonly label: string; readonly value: string; readonly options: readonly Option[]; readonly onChange: (value: string) => void; readonly name?: string;
}) {
  const id = useId();
  return (
    <div class="control">
      <label for={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(event) => onChange((event.target as HTMLSelectElement).value)}>
        {options.map((option) => <option key={option.value} value={option.value}>{option.label}</option>)}
      </select>
    </div>
  );
}

export function TextInput({ label, value, onInput, type = 'text', name, min, max, step, describedBy }: {
  readonly label: string; readonly value: string; readonly onInput: (value: string) => void; readonly type?: 'text' | 'number' | 'date' | 'email' | 'password'; readonly name?: string;
  readonly min?: string; readonly max?: string; readonly step?: string; readonly describedBy?: string;
}) {
  const id = useId();
  return (
    <div class="control">
      <label for={id}>{label}</label>
      {/* Preact types `type` per input kind; one component serves the text-like kinds. */}
      <input id={id} name={name} type={type as 'text'} value={value} min={min} max={max} step={step} aria-describedby={describedBy}
        onInput={(event) => onInput((event.target as HTMLInputElement).value)} />
    </div>
  );
}

/** The range presets and, for a custom range, its two days; all in the URL. */
export function RangePicker({ range }: { readonly range: DateRange }) {
  return (
    <div class="range-picker">
      <Select label={t('range.label')} name="range" value={range.preset}
        options={PRESETS.map((preset) => ({ value: preset, label: t(`range.${preset}`) }))}
        onChange={(preset) => setParams(preset === 'custom' ? { range: preset, from: range.from, to: range.to } : { range: preset, from: undefined, to: undefined })} />
      {range.preset === 'custom' && (
        <>
          <TextInput label={t('range.from')} type="date" name="from" value={range.from} max={range.to} onInput={(from) => setParams({ from }, { replace: true })} />
          <TextInput label={t('range.to')} type="date" name="to" value={range.to} min={range.from} onInput={(to) => setParams({ to }, { replace: true })} />
        </>
      )}
    </div>
  );
}

export function Toolbar({ children }: { readonly children: ComponentChildren }) {
  return <div class="toolbar">{children}</div>;
}

export interface Figure {
  /** Stable name for tests and links, e.g. `tokens-used`. */
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly note?: string;
}

/** Headline figures. */
export function Tiles({ figures, label }: { readonly figures: readonly Figure[]; readonly label: string }) {
  return (
    <section aria-label={label}>
      <dl class="tiles">
        {figures.map((figure) => (
          <div class="tile" key={figure.id} data-figure={figure.id}>
            <dt>{figure.label}</dt>
            <dd><span class="tile-value">{figure.value}</span>{figure.note && <span class="tile-note">{figure.note}</span>}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** Tabs whose choice lives in the URL (`?tab=`). */
export function Tabs({ tabs, current, param = 'tab', label }: {
  readonly tabs: readonly Option[]; readonly current: string; readonly param?: string; readonly label: string;
}) {
  const choose = (value: string) => setParams({ [param]: value });
  return (
    <div class="tabs" role="tablist" aria-label={label}>
      {tabs.map((tab, index) => (
        <button key={tab.value} type="button" role="tab" id={`tab-${param}-${tab.value}`} aria-selected={tab.value === current}
          tabIndex={tab.value === current ? 0 : -1} onClick={() => choose(tab.value)}
          onKeyDown={(event) => {
            const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
            if (!step) return;
            const next = tabs[(index + step + tabs.length) % tabs.length]!;
            choose(next.value);
            requestAnimationFrame(() => document.getElementById(`tab-${param}-${next.value}`)?.focus());
          }}>
          {tab.label}
        </button>
      ))}
    </div>
  );
}
