/**
 * Summaries of one number over several rounds: the median, and the spread as the median
 * absolute deviation from it (MAD).
 *
 * Why the MAD: rounds are few (2 to 5). With two rounds it is exactly half their range, so
 * `median ± spread` covers both; from three rounds on, one wild round (a GC storm, a noisy
 * neighbour) does not widen it, so a single bad round can neither fake a regression nor hide
 * one. A standard deviation over three values would be noise itself.
 */

/** One number over rounds. */
export interface Spread {
  median: number;
  /** Median absolute deviation from the median; half the range with two rounds; 0 with one. */
  spread: number;
  /** Per-round values, in round order. */
  values: number[];
}

/** Median and MAD of `values` (nulls, i.e. rounds without data, skipped); null when none. */
export function spreadOf(values: ReadonlyArray<number | null>): Spread | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return null;
  const median = medianOf(present);
  return { median, spread: medianOf(present.map((v) => Math.abs(v - median))), values: present };
}

/**
 * `a / b` with its uncertainty from the two spreads, propagated as hyperfine does for its
 * "1.80 ± 0.10 times faster": relative errors add in quadrature.
 */
export function ratioOf(a: Spread, b: Spread): { ratio: number; spread: number } | null {
  if (!(a.median > 0) || !(b.median > 0)) return null;
  const ratio = a.median / b.median;
  const spread = ratio * Math.hypot(a.spread / a.median, b.spread / b.median);
  return { ratio, spread };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
