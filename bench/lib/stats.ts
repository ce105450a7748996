/** Small statistics for the benchmarks: pure functions over numbers. */

/**
 * The value at percentile `p` (0-100) of an ascending array: the nearest
 * rank at or above p% of the samples. 0 for no samples.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length));
  return sorted[rank] ?? 0;
}

/** The median of unsorted values (the upper one of an even count); 0 for none. */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** `a / b`, or NaN when either is missing, not finite, or b is 0. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return Number.NaN;
  }
  return a / b;
}
