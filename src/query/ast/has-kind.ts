/** The shared test of every node's `is`: an object whose `kind` is the given one. */
export function hasKind(node: unknown, kind: string): boolean {
  return typeof node === 'object' && node !== null && (node as { kind?: unknown }).kind === kind;
}
