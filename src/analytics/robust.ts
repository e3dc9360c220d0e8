// Robust statistics for behavioural baselines: median, MAD (scaled to sigma), quantiles
// and exponentially weighted moving averages. Plain functions over plain arrays.

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile; NaN for an empty input. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Median absolute deviation scaled by 1.4826 (a sigma estimate for normal data). */
export function madSigma(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

export function ewma(previous: number | undefined, value: number, alpha: number): number {
  return previous === undefined ? value : previous + alpha * (value - previous);
}

/** Appends to a bounded history (oldest dropped). */
export function pushBounded(history: number[], value: number, max: number): void {
  history.push(value);
  if (history.length > max) history.splice(0, history.length - max);
}
