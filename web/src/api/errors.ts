import { t } from '../i18n/i18n';

/** An API failure; `message` is a whole sentence for the user, in their language where we can. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly body?: unknown) {
    super(message);
  }
}

interface AnyErrorBody {
  readonly title?: string;
  readonly detail?: string;
  readonly Message?: string;
  readonly developerMessage?: string;
  readonly error_description?: string;
  readonly errors?: readonly { readonly path?: string; readonly line?: number; readonly message: string }[];
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * One sentence for any family's error body (Insights `{title, detail}`, Token Flex `{Code, Message}`,
 * the gateway's 401, problem+json, OAuth), or for a network failure (status 0).
 */
export function sentenceOf(status: number, body: unknown, networkMessage?: string, requestId?: string): string {
  if (status === 0) return t('error.network');
  const b = (body && typeof body === 'object' ? body : {}) as AnyErrorBody;
  if (status === 401) return t('error.unauthorized');
  if (status >= 500) return t('error.server', { id: requestId ?? '?' });
  const detail = b.detail ?? b.Message?.replace(/^[A-Za-z]+Error: /, '') ?? b.error_description ?? b.developerMessage;
  const listed = b.errors && b.errors.length > 0 && !detail?.includes(b.errors[0]!.message)
    ? ` ${b.errors.slice(0, 3).map((e) => sentence(`${e.path ?? (e.line !== undefined ? `line ${e.line}` : '')}: ${e.message}`)).join(' ')}`
    : '';
  if (detail) return sentence(detail) + listed;
  if (status === 403) return t('error.forbidden');
  if (status === 404) return t('error.notFound');
  if (status === 429) return t('error.tooMany');
  return t('error.status', { status: String(status) }) + (networkMessage ? ` ${networkMessage}` : '');
}
