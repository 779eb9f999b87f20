/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The candidate nearest to what was typed, when it is near enough to be a typo (`--event` →
 * `--events`, `sesions list` → `sessions list`): at most a third of its length away, and at most 3.
 */
export function nearest(typed: string, candidates: Iterable<string>): string | undefined {
  let best: { candidate: string; d: number } | undefined;
  for (const candidate of candidates) {
    const d = distance(typed, candidate);
    if (!best || d < best.d) best = { candidate, d };
  }
  if (!best || best.d === 0) return best?.candidate;
  return best.d <= Math.min(3, Math.ceil(Math.max(typed.length, best.candidate.length) / 3)) ? best.candidate : undefined;
}
