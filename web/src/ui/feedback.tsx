import type { ComponentChildren } from 'preact';
import { t } from '../i18n/i18n';

/** An API error as a sentence; never a blank page. */
export function ErrorBanner({ error, onRetry }: { readonly error: Error | undefined; readonly onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div class="error-banner" role="alert">
      <p>{error.message}</p>
      {onRetry && <button type="button" onClick={onRetry}>{t('action.retry')}</button>}
    </div>
  );
}

export function Loading({ label }: { readonly label?: string }) {
  return <p class="loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true" />{label ?? t('state.loading')}</p>;
}

export function Empty({ children }: { readonly children?: ComponentChildren }) {
  return <p class="empty">{children ?? t('state.empty')}</p>;
}

/** Loading, error, empty or the content, in that order. */
export function Section<T>({ state, isEmpty, children, onRetry }: {
  readonly state: { readonly data: T | undefined; readonly error: Error | undefined; readonly loading: boolean };
  readonly isEmpty?: (data: T) => boolean;
  readonly children: (data: T) => ComponentChildren;
  readonly onRetry?: () => void;
}) {
  if (state.error) return <ErrorBanner error={state.error} {...(onRetry ? { onRetry } : {})} />;
  if (state.loading || state.data === undefined) return <Loading />;
  if (isEmpty?.(state.data)) return <Empty />;
  return <>{children(state.data)}</>;
}
