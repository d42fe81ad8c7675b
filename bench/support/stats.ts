export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const lower = sorted[low] ?? Number.NaN;
  const upper = sorted[Math.min(low + 1, sorted.length - 1)] ?? lower;
  return lower + (upper - lower) * (position - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** Half the interquartile range relative to the median: the typical round-to-round wobble. */
export function spread(values: readonly number[]): number {
  return (quantile(values, 0.75) - quantile(values, 0.25)) / 2 / median(values);
}

/**
 * Median of per-round ratios. The cases ran interleaved, so pairing them round by
 * round cancels slow drifts of the machine (another process, thermal state).
 */
export function pairedRatio(numerator: readonly number[], denominator: readonly number[]): number {
  return median(numerator.map((value, round) => value / (denominator[round] ?? Number.NaN)));
}
