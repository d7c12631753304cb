import { useId, useState } from 'preact/hooks';
import { t } from '../../i18n/i18n';
import { Select, TextInput, type Option } from '../../ui/controls';
import { ErrorBanner } from '../../ui/feedback';

/** One input of an admin form; the value it sends is typed by `kind`. */
export interface FieldSpec {
  readonly key: string;
  readonly label: string;
  readonly kind: 'text' | 'number' | 'date' | 'checkbox' | 'select' | 'years';
  readonly options?: readonly Option[];
  /** Shown on create only (keys cannot change). */
  readonly createOnly?: boolean;
  /** Shown on edit only. */
  readonly editOnly?: boolean;
  /** An emptied input sends null (the API clears the member), not nothing. */
  readonly nullable?: boolean;
  readonly hint?: string;
}

type Values = Record<string, string | boolean>;

/** A row's members as the form's text values. */
export function valuesOf(fields: readonly FieldSpec[], row: Record<string, unknown> | undefined): Values {
  const values: Values = {};
  for (const field of fields) {
    const value = row?.[field.key];
    if (field.kind === 'checkbox') values[field.key] = value === undefined ? true : Boolean(value);
    else if (field.kind === 'years') {
      values[field.key] = Array.isArray(value)
        ? (value as { year: number; startDate: string; endDate: string; provisionedTokens: number }[])
          .map((y) => `${y.year}, ${y.startDate}, ${y.endDate}, ${y.provisionedTokens}`).join('\n')
        : '';
    } else values[field.key] = value === null || value === undefined ? '' : String(value);
  }
  return values;
}

/** `1, 2025-01-01, 2025-12-31, 10000` lines → contract years; throws a sentence naming the bad line. */
function parseYears(text: string): { year: number; startDate: string; endDate: string; provisionedTokens: number }[] {
  return text.split('\n').map((line) => line.trim()).filter(Boolean).map((line, i) => {
    const match = /^(\d{1,3})\s*[,;]\s*(\d{4}-\d{2}-\d{2})\s*[,;]\s*(\d{4}-\d{2}-\d{2})\s*[,;]\s*(\d+(?:\.\d+)?)$/.exec(line);
    if (!match) throw new Error(t('admin.yearsInvalid', { line: String(i + 1) }));
    return { year: Number(match[1]), startDate: match[2]!, endDate: match[3]!, provisionedTokens: Number(match[4]) };
  });
}

/**
 * The body a form sends: on create every filled member; on edit only the members that changed
 * (PATCH changes what it is given). Numbers are sent as numbers; checkboxes as booleans.
 */
export function bodyOf(fields: readonly FieldSpec[], values: Values, initial: Values | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    if (initial ? field.createOnly : field.editOnly) continue;
    const value = values[field.key];
    if (initial && value === initial[field.key]) continue;
    if (field.kind === 'checkbox') body[field.key] = Boolean(value);
    else if (field.kind === 'years') body[field.key] = parseYears(String(value));
    else if (value === '') {
      if (initial && field.nullable) body[field.key] = null;
    } else body[field.key] = field.kind === 'number' ? Number(value) : value;
  }
  return body;
}

/**
 * A create or edit form of an admin entity. The API checks everything; its 400 names each member at
 * fault, and the banner shows that sentence.
 */
export function EntityForm({ title, fields, row, onSubmit, onCancel }: {
  readonly title: string;
  readonly fields: readonly FieldSpec[];
  /** The row being edited; absent for a create form. */
  readonly row?: Record<string, unknown>;
  readonly onSubmit: (body: Record<string, unknown>) => Promise<string>;
  readonly onCancel?: () => void;
}) {
  const headingId = useId();
  const initial = row ? valuesOf(fields, row) : undefined;
  const [values, setValues] = useState<Values>(() => valuesOf(fields, row));
  const [error, setError] = useState<Error | undefined>(undefined);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const set = (key: string, value: string | boolean) => setValues((current) => ({ ...current, [key]: value }));
  return (
    <form class="inline-form" aria-labelledby={headingId} onSubmit={async (event) => {
      event.preventDefault();
      setError(undefined);
      setDone('');
      setBusy(true);
      try {
        const body = bodyOf(fields, values, initial);
        const name = await onSubmit(body);
        setDone(row ? t('admin.saved', { name }) : t('admin.created', { name }));
        if (!row) setValues(valuesOf(fields, undefined));
      } catch (failure) {
        setError(failure as Error);
      } finally {
        setBusy(false);
      }
    }}>
      <h2 id={headingId}>{title}</h2>
      {fields.filter((field) => (row ? !field.createOnly : !field.editOnly)).map((field) => (
        <FieldInput key={field.key} field={field} value={values[field.key]!} onChange={(value) => set(field.key, value)} />
      ))}
      <button type="submit" disabled={busy}>{row ? t('action.save') : t('action.create')}</button>
      {onCancel && <button type="button" class="secondary" onClick={onCancel}>{t('action.cancel')}</button>}
      {done && <p role="status">{done}</p>}
      <ErrorBanner error={error} />
    </form>
  );
}

function FieldInput({ field, value, onChange }: { readonly field: FieldSpec; readonly value: string | boolean; readonly onChange: (value: string | boolean) => void }) {
  const id = useId();
  const hintId = `${id}-hint`;
  if (field.kind === 'checkbox') {
    return (
      <div class="control">
        <label class="check">
          <input type="checkbox" checked={Boolean(value)} aria-describedby={field.hint ? hintId : undefined} onChange={() => onChange(!value)} />
          {field.label}
        </label>
        {field.hint && <p id={hintId} class="hint">{field.hint}</p>}
      </div>
    );
  }
  if (field.kind === 'select') {
    return <Select label={field.label} value={String(value)} options={field.options ?? []} onChange={onChange} />;
  }
  if (field.kind === 'years') {
    return (
      <div class="control wide">
        <label for={id}>{field.label}</label>
        <textarea id={id} rows={3} value={String(value)} onInput={(event) => onChange((event.target as HTMLTextAreaElement).value)} />
      </div>
    );
  }
  return <TextInput label={field.label} type={field.kind} value={String(value)} onInput={onChange} {...(field.kind === 'number' ? { min: '0', step: 'any' } : {})} />;
}
