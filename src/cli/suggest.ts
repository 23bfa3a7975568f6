/** "Did you mean": the closest known word to a mistyped one, by edit distance. */

/** Suggested only within this many single-character edits (insert, delete, replace, swap two neighbours). */
export const MAX_SUGGESTION_DISTANCE = 2;

/** The candidate closest to `word` within MAX_SUGGESTION_DISTANCE edits (the first of equals), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = MAX_SUGGESTION_DISTANCE + 1;
  // Bounded: a typed word longer than any candidate by more than the limit cannot be close.
  const longest = Math.max(0, ...candidates.map((c) => c.length));
  if (word.length > longest + MAX_SUGGESTION_DISTANCE) return undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** `(did you mean X?)`, or nothing. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const match = closest(word, candidates);
  return match === undefined ? "" : ` (did you mean ${match}?)`;
}

/** Damerau-Levenshtein distance (optimal string alignment): a swap of two neighbours is one edit. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
