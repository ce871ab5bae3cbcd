/**
 * The arithmetic every benchmark shares: medians over repetitions, ratios of paired runs, and
 * the interleaved order the repetitions run in.
 */

/** Median of the finite numbers in `values`; null when there are none. */
export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a, b) {
  return typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : null;
}

/**
 * Summarises one figure over the repetitions of a candidate and its baseline. The ratio is the
 * median of the per-repetition ratios (each pair ran back to back, so drift in the machine's
 * load cancels within a pair), not the ratio of the medians.
 * @param {Array<{ candidate: number|null, baseline: number|null }>} pairs
 */
export function summarizePairs(pairs) {
  const ratios = pairs.map((p) => ratio(p.candidate, p.baseline));
  return {
    candidate: median(pairs.map((p) => p.candidate)),
    baseline: median(pairs.map((p) => p.baseline)),
    ratio: median(ratios),
    ratioMin: median(ratios) === null ? null : Math.min(...ratios.filter((r) => r !== null)),
    ratioMax: median(ratios) === null ? null : Math.max(...ratios.filter((r) => r !== null)),
    reps: pairs.length,
  };
}

/**
 * Checks a ratio against a target: `{ op: '>=', value: 0.9 }` means candidate ≥ 0.9 × baseline;
 * `{ op: 'within', value: 0.1 }` means within 10 % of the baseline, either side.
 * @returns {boolean|null} null when the ratio is missing
 */
export function meetsTarget(r, target) {
  if (r === null || target === undefined) return null;
  if (target.op === 'within') return Math.abs(r - 1) <= target.value;
  return target.op === '>=' ? r >= target.value : r <= target.value;
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
