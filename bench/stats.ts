/*
 * Small summary statistics for the benchmark: median, min/max and nearest-rank percentiles.
 * The bench reports medians of few runs, so nothing fancier (no means of noisy samples) is needed.
 */

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** (max − min) / median: a quick, honest measure of how noisy the runs were. */
  spread: number;
  runs: number[];
}

/** Nearest-rank percentile of unsorted values; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarise(values: readonly number[]): Summary {
  const m = median(values);
  const min = values.length ? Math.min(...values) : Number.NaN;
  const max = values.length ? Math.max(...values) : Number.NaN;
  return { median: m, min, max, spread: m ? (max - min) / m : Number.NaN, runs: [...values] };
}

/** `12.3 (11.9–13.0)`: the median with the range of the runs, at a fixed number of decimals. */
export function fmt(s: Summary, digits = 1): string {
  if (Number.isNaN(s.median)) return 'n/a';
  if (s.runs.length === 1) return s.median.toFixed(digits);
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}
