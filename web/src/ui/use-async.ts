import { useEffect, useState } from 'preact/hooks';

export interface AsyncState<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
}

/**
 * Runs `load` whenever a dependency changes; an answer that arrives after the dependencies changed
 * again is dropped, so a fast picker never shows an older choice's numbers. `undefined` as load: idle.
 */
export function useAsync<T>(load: (() => Promise<T>) | undefined, deps: readonly unknown[]): AsyncState<T> & { reload(): void } {
  const [state, setState] = useState<AsyncState<T>>({ data: undefined, error: undefined, loading: load !== undefined });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (!load) {
      setState({ data: undefined, error: undefined, loading: false });
      return undefined;
    }
    let live = true;
    setState((previous) => ({ data: previous.data, error: undefined, loading: true }));
    load().then(
      (data) => { if (live) setState({ data, error: undefined, loading: false }); },
      (error: unknown) => { if (live) setState({ data: undefined, error: error instanceof Error ? error : new Error(String(error)), loading: false }); },
    );
    return () => { live = false; };
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((g) => g + 1) };
}
