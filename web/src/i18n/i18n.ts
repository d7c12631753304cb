import { MESSAGES, type Language, type MessageKey } from './messages';

const LANGUAGES: readonly Language[] = ['en', 'de', 'fr', 'es', 'ja'];

/** The first of the browser's languages the console speaks (as the exports do), else English. */
function pickLanguage(): Language {
  const override = new URLSearchParams(location.search).get('lang');
  for (const tag of [override, ...(navigator.languages ?? [navigator.language])]) {
    const base = tag?.toLowerCase().split('-')[0] as Language | undefined;
    if (base && LANGUAGES.includes(base)) return base;
  }
  return 'en';
}

export const language: Language = pickLanguage();
document.documentElement.lang = language;

/** The message in the user's language, `{name}` replaced by `vars.name`. */
export function t(key: MessageKey, vars: Readonly<Record<string, string | number>> = {}): string {
  const text: string = MESSAGES[language][key] ?? MESSAGES.en[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (vars[name] !== undefined ? formatValue(vars[name]) : `{${name}}`));
}

const numbers = new Intl.NumberFormat(language, { maximumFractionDigits: 2 });
const dates = new Intl.DateTimeFormat(language, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const dateTimes = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });

function formatValue(value: string | number): string {
  return typeof value === 'number' ? numbers.format(value) : value;
}

export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? '–' : numbers.format(value);
}

/** `2025-03-01` → the user's way of writing that day. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '–';
  const time = Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(time) ? iso : iso.length === 10 ? dates.format(time) : dateTimes.format(time);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${numbers.format(Math.round(value * 10) / 10)} ${units[unit]}`;
}
