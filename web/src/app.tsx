import { useEffect, useState } from 'preact/hooks';
import { loadIsAdmin } from './api/directory';
import { redirectToSignIn, signOut, startSession, type StartOutcome, type User } from './auth/auth';
import { t } from './i18n/i18n';
import type { MessageKey } from './i18n/messages';
import { AdminPage } from './pages/admin/admin-page';
import { AdvicePage } from './pages/advice/advice-page';
import { ForecastPage } from './pages/forecast/forecast-page';
import { ExportsPage } from './pages/exports/exports-page';
import { QueryExplorerPage } from './pages/query-explorer/query-explorer-page';
import { SeatUsagePage } from './pages/seat-usage/seat-usage-page';
import { TokenUsagePage } from './pages/token-usage/token-usage-page';
import { UsageReportPage } from './pages/usage-report/usage-report-page';
import { navigate, useLocation } from './router';
import { Loading } from './ui/feedback';

const PAGES: readonly { readonly path: string; readonly title: MessageKey; readonly admin?: boolean }[] = [
  { path: '/console/token-usage', title: 'page.tokenUsage' },
  { path: '/console/seat-usage', title: 'page.seatUsage' },
  { path: '/console/usage-report', title: 'page.usageReport' },
  { path: '/console/exports', title: 'page.exports' },
  { path: '/console/forecast', title: 'page.forecast' },
  { path: '/console/advice', title: 'page.advice' },
  { path: '/console/query', title: 'page.queryExplorer' },
  { path: '/console/admin', title: 'page.admin', admin: true },
];

/** Keeps the parameters every page shares (range, team, contract) when moving between pages. */
function linkTo(path: string, url: URL): string {
  const shared = new URLSearchParams();
  for (const name of ['range', 'from', 'to', 'team', 'contract']) {
    const value = url.searchParams.get(name);
    if (value) shared.set(name, value);
  }
  return shared.size ? `${path}?${shared.toString()}` : path;
}

export function App() {
  const [session, setSession] = useState<StartOutcome | undefined>(undefined);
  useEffect(() => { void startSession().then(setSession, (error: unknown) => setSession({ kind: 'error', message: (error as Error).message })); }, []);
  if (!session || session.kind === 'redirecting') return <main id="main" class="centered"><Loading label={t('auth.signingIn')} /></main>;
  if (session.kind === 'signed-out') {
    return (
      <main id="main" class="centered">
        <h1>{t('auth.signedOutTitle')}</h1>
        <p>{t('auth.signedOut')}</p>
        <button type="button" onClick={() => void redirectToSignIn(false, '/console/')}>{t('auth.signIn')}</button>
      </main>
    );
  }
  if (session.kind === 'error') {
    return (
      <main id="main" class="centered">
        <h1>{t('auth.failedTitle')}</h1>
        <p role="alert">{t('auth.failed', { reason: session.message })}</p>
        <button type="button" onClick={() => void redirectToSignIn(false, '/console/')}>{t('auth.signIn')}</button>
      </main>
    );
  }
  return <Shell user={session.user} />;
}

function Shell({ user }: { readonly user: User }) {
  const url = useLocation();
  const [isAdmin, setAdmin] = useState<boolean | undefined>(undefined);
  useEffect(() => { void loadIsAdmin().then(setAdmin); }, []);
  const current = PAGES.find((page) => url.pathname.startsWith(page.path));
  useEffect(() => {
    if (!current) navigate(linkTo('/console/token-usage', url), { replace: true });
  }, [current]);
  useEffect(() => {
    document.title = current ? `${t(current.title)} · usage-insights` : 'usage-insights';
  }, [current]);
  return (
    <>
      <a class="skip-link" href="#main">{t('nav.skip')}</a>
      <header class="top">
        <a class="brand" href="/console/token-usage" onClick={(event) => { event.preventDefault(); navigate(linkTo('/console/token-usage', url)); }}>usage-insights</a>
        <nav aria-label={t('nav.label')}>
          <ul>
            {PAGES.filter((page) => !page.admin || isAdmin === true).map((page) => (
              <li key={page.path}>
                <a href={linkTo(page.path, url)} aria-current={page === current ? 'page' : undefined}
                  onClick={(event) => { event.preventDefault(); navigate(linkTo(page.path, url)); }}>{t(page.title)}</a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="user">
          <span title={user.email}>{user.name}</span>
          <button type="button" class="secondary" onClick={() => void signOut()}>{t('auth.signOut')}</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {current?.path === '/console/token-usage' && <TokenUsagePage url={url} />}
        {current?.path === '/console/seat-usage' && <SeatUsagePage url={url} />}
        {current?.path === '/console/usage-report' && <UsageReportPage url={url} />}
        {current?.path === '/console/exports' && <ExportsPage url={url} />}
        {current?.path === '/console/forecast' && <ForecastPage url={url} />}
        {current?.path === '/console/advice' && <AdvicePage url={url} />}
        {current?.path === '/console/query' && <QueryExplorerPage url={url} />}
        {current?.path === '/console/admin' && <AdminPage url={url} isAdmin={isAdmin} />}
      </main>
    </>
  );
}
