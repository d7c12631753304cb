import { after } from 'node:test';

/**
 * A `{ after }` context for resources shared by every test of a file: whatever is registered is
 * closed once, in reverse order, when the file's tests are done.
 */
export function suiteScope(): { after: (fn: () => Promise<void>) => void } {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers) await close();
  });
  return { after: (fn) => { closers.unshift(fn); } };
}
