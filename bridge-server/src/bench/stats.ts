/** Small summary statistics over plain number arrays (NaN entries are ignored). */

/** Mean, median and 95th percentile of a sample, plus how many finite values it had. */
export interface Summary {
  count: number;
  mean: number;
  median: number;
  p95: number;
  max: number;
}

/**
 * Quantile `q` in [0, 1] with linear interpolation between closest ranks (numpy's default
 * `linear` method). NaN for an empty sample.
 */
export function quantile(values: readonly number[], q: number): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const pos = (v.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return v[lo]! + (v[hi]! - v[lo]!) * (pos - lo);
}

/** Arithmetic mean of the finite values; NaN when there are none. */
export function mean(values: readonly number[]): number {
  let s = 0, n = 0;
  for (const x of values) if (Number.isFinite(x)) { s += x; n++; }
  return n === 0 ? NaN : s / n;
}

/** {@link Summary} of the finite values of a sample. */
export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((x) => Number.isFinite(x));
  return {
    count: finite.length,
    mean: mean(finite),
    median: quantile(finite, 0.5),
    p95: quantile(finite, 0.95),
    max: finite.length ? Math.max(...finite) : NaN,
  };
}
