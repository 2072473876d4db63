// Sample quantiles by linear interpolation between order statistics: Hyndman & Fan (1996)
// definition 7, the default of R's quantile() and NumPy's percentile(). With n sorted values
// x₀ ≤ … ≤ xₙ₋₁, h = (n − 1) q and Q(q) = x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋₊₁ − x⌊h⌋).

/** Quantile q ∈ [0, 1] of already ascending-sorted values; null for no values. */
export function quantileSorted(sorted: readonly number[], q: number): number | null {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be between 0 and 1, got ${q}`);
  if (sorted.length === 0) return null;
  const h = (sorted.length - 1) * q;
  const lower = Math.floor(h);
  const below = sorted[lower]!;
  const above = sorted[Math.min(lower + 1, sorted.length - 1)]!;
  return below + (h - lower) * (above - below);
}

/** Quantile q of values in any order (they are copied, not sorted in place). */
export function quantile(values: readonly number[], q: number): number | null {
  return quantileSorted([...values].sort((x, y) => x - y), q);
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}
