// Small statistics helpers: every figure is a median with a spread, never a single sample.

/** The q-quantile (0..1) of `values` by linear interpolation; NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export interface Summary {
  median: number;
  p95: number;
  /** Interquartile range (p75 - p25). */
  iqr: number;
  n: number;
}

export function summarise(values: readonly number[]): Summary {
  return { median: median(values), p95: quantile(values, 0.95), iqr: quantile(values, 0.75) - quantile(values, 0.25), n: values.length };
}

/** Rounds for display and JSON (keeps results.json readable). */
export function round(value: number, digits = 1): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
