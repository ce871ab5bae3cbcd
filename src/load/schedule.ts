/**
 * Pure schedule math: when the k-th message of a connection is due (open loop), and how many
 * connections a ramp should have started by a given time. No timers here, so it is unit
 * tested without faking time.
 */

/** A source of uniform random numbers in [0, 1); injected so tests are deterministic. */
export type Random = () => number;

/** 1/φ. Its multiples mod 1 spread any run of consecutive indices evenly over [0, 1). */
const INVERSE_GOLDEN_RATIO = (Math.sqrt(5) - 1) / 2;
/** Shifts each group's sequence by an irrational step, so groups do not fire in pairs. */
const GROUP_SHIFT = Math.SQRT1_2;

/**
 * Offset of a connection's first send from the start of the steady phase, within one send
 * period, so a thousand connections at 1 msg/s do not all fire in the same millisecond (which
 * would measure the generator's burst, not the server).
 *
 * The offset is the golden-ratio (Weyl) sequence of the connection's index: any run of
 * consecutive indices, such as one worker's share, covers the whole period evenly (the gaps
 * take at most three sizes, the three-gap theorem). Slices of the period by index would give
 * each worker a slice of its own, and workers start a phase a little apart, so the per-second
 * rate would swing (docs/architecture.md §5.4). Indices count within a group, so each group's
 * sequence starts at its own shift.
 */
export function firstSendOffsetUs(connectionIndex: number, groupIndex: number, ratePerSec: number): number {
  return ((connectionIndex * INVERSE_GOLDEN_RATIO + groupIndex * GROUP_SHIFT) % 1) * (1e6 / ratePerSec);
}

/** Time from one intended send to the next: fixed, or exponential for Poisson arrivals. */
export function nextIntervalUs(ratePerSec: number, arrival: 'uniform' | 'poisson', random: Random = Math.random): number {
  const mean = 1e6 / ratePerSec;
  if (arrival === 'uniform') return mean;
  // Inverse transform sampling; 1 - u is in (0, 1] so the log is finite.
  return -Math.log(1 - random()) * mean;
}

/**
 * Connections that should have been started `elapsedMs` into a ramp of `count` connections at
 * `ratePerSec` (all at once when no rate is given).
 */
export function rampDueCount(elapsedMs: number, count: number, ratePerSec: number | undefined): number {
  if (ratePerSec === undefined) return count;
  return Math.min(count, Math.floor((elapsedMs / 1000) * ratePerSec) + 1);
}

/** Splits `total` into `parts` shares that differ by at most one and add up exactly. */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const remainder = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < remainder ? 1 : 0));
}

/**
 * Splits `total` by `weights` (largest remainder): shares add up to `total` exactly and each
 * is within one of its exact proportion.
 */
export function splitByWeights(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  if (sum <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, v) => a + v, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    shares[i]!++;
  }
  return shares;
}
