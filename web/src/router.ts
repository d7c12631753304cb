import { useEffect, useState } from 'preact/hooks';

/**
 * The console's state lives in the URL: the path names the page, the query its pickers, range and
 * tabs, so a link opens the same view. Changing a picker pushes a history entry; typing replaces.
 */
const CHANGE = 'insights-console:navigate';

export function navigate(href: string, options: { readonly replace?: boolean } = {}): void {
  if (href === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current location, re-rendering on every navigation. */
export function useLocation(): URL {
  const [url, setUrl] = useState(() => new URL(location.href));
  useEffect(() => {
    const update = () => setUrl(new URL(location.href));
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return url;
}

/** Sets (or, with undefined / '', removes) query parameters of the current page. */
export function setParams(changes: Readonly<Record<string, string | undefined>>, options: { readonly replace?: boolean } = {}): void {
  const url = new URL(location.href);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined || value === '') url.searchParams.delete(name);
    else url.searchParams.set(name, value);
  }
  navigate(url.pathname + url.search, options);
}

/** One query parameter as state: its value, and a setter that writes it to the URL. */
export function useParam(url: URL, name: string, fallback = ''): [string, (value: string | undefined, replace?: boolean) => void] {
  return [url.searchParams.get(name) ?? fallback, (value, replace) => setParams({ [name]: value }, { replace: replace ?? false })];
}
