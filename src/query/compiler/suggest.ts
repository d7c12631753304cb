/**
 * The candidate a user most likely meant by `name`: a case-insensitive match first, else the nearest
 * by edit distance, if it is close enough to be a typo (at most a third of the longer name, at least 2).
 */
export function suggestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === lower) return candidate;
    const distance = levenshtein(lower, candidate.toLowerCase());
    const maxDistance = Math.max(2, Math.floor(Math.max(name.length, candidate.length) / 3));
    if (distance <= maxDistance && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Edit distance (insertions, deletions, substitutions), two rows of the classic table. */
function levenshtein(a: string, b: string): number {
  // Field names are short; a clause can hold a 100 kB "name", so cap the work on absurd input.
  if (Math.abs(a.length - b.length) > 10) return Math.abs(a.length - b.length);
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** `; did you mean 'x'?` (in the given quotes) or nothing. */
export function didYouMean(suggestion: string | undefined, quote: '`' | "'" = '`'): string {
  return suggestion === undefined ? '' : `; did you mean ${quote}${suggestion}${quote}?`;
}
