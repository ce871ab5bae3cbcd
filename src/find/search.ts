/**
 * The knee search, free of sockets: climb geometrically from `from` until a step breaks the
 * SLO (or reaches `to`), then bisect the bracket until it is within `precision`. A step the
 * generator could not offer (inconclusive) caps the search like a break does, but is never
 * reported as the server's knee: the answer then says the generator set the limit.
 */

/** What one step (one or more measured windows at one load) concluded. */
export type StepVerdict = 'pass' | 'fail' | 'inconclusive' | 'unreachable' | 'interrupted' | 'crashed';

export interface SearchBounds {
  from: number;
  to: number;
  /** Climb multiplier (> 1). */
  factor: number;
  /** Stop once the bracket's upper end is within this fraction of its lower end (0.05 = 5 %). */
  precision: number;
  /** Whole numbers only (connections, subscribers, streams). */
  integer: boolean;
  /** Hard bound on steps, so the search always ends. */
  maxSteps: number;
}

/** How the search ended, and the bracket it holds. */
export type SearchEnd =
  /** Passes at `sustains`, breaks at `breaksAt`, the two within the precision. */
  | { status: 'found'; sustains: number; breaksAt: number }
  /** Passes even at `to`: the knee lies above the bounds. */
  | { status: 'no_break'; sustains: number }
  /** The SLO fails at `from` already. */
  | { status: 'fails_at_from'; breaksAt: number }
  /** The generator could not offer `limitAt`; the server sustained `sustains` (if any step passed). */
  | { status: 'generator_limited'; sustains?: number; limitAt: number }
  /** The search stopped early: the user, a target that went away, a crash, or the step bound. */
  | { status: 'interrupted' | 'unreachable' | 'crashed' | 'step_limit'; sustains?: number; breaksAt?: number };

/** Runs the search; `measure` runs one step at a load and says what it concluded. */
export async function searchKnee(b: SearchBounds, measure: (value: number) => Promise<StepVerdict>): Promise<SearchEnd> {
  let sustains: number | undefined;
  let breaksAt: number | undefined;
  let limitAt: number | undefined;
  let steps = 0;
  const upper = () => Math.min(breaksAt ?? Number.POSITIVE_INFINITY, limitAt ?? Number.POSITIVE_INFINITY);
  const stopped = (v: StepVerdict): SearchEnd | undefined =>
    v === 'interrupted' || v === 'unreachable' || v === 'crashed'
      ? { status: v, ...(sustains !== undefined ? { sustains } : {}), ...(breaksAt !== undefined ? { breaksAt } : {}) }
      : undefined;
  const record = (value: number, v: StepVerdict) => {
    if (v === 'pass') sustains = value;
    else if (v === 'fail') breaksAt = value;
    else if (v === 'inconclusive') limitAt = value;
  };

  // Climb until something stops passing, or the upper bound passes. The bounds are measured
  // exactly as given; only the values between them are rounded.
  const round = (v: number) => roundValue(v, b);
  let value = b.from;
  for (;;) {
    if (steps++ >= b.maxSteps) return { status: 'step_limit', ...(sustains !== undefined ? { sustains } : {}) };
    const v = await measure(value);
    const end = stopped(v);
    if (end) return end;
    record(value, v);
    if (v !== 'pass') break;
    if (value >= b.to) return { status: 'no_break', sustains: value };
    value = Math.min(b.to, strictlyAbove(value, round(value * b.factor), b));
  }
  if (sustains === undefined) {
    return breaksAt !== undefined ? { status: 'fails_at_from', breaksAt } : { status: 'generator_limited', limitAt: limitAt! };
  }

  // Bisect (geometrically: the precision is relative) between the last pass and the lowest stop.
  for (;;) {
    const hi = upper();
    const mid = midpoint(sustains!, hi, b);
    if (withinPrecision(sustains!, hi, b) || mid <= sustains! || mid >= hi) break;
    if (steps++ >= b.maxSteps) return { status: 'step_limit', sustains: sustains!, ...(breaksAt !== undefined ? { breaksAt } : {}) };
    const v = await measure(mid);
    const end = stopped(v);
    if (end) return end;
    record(mid, v);
  }
  // The bracket closed on a break: the server's knee. On a step the generator could not offer:
  // the generator's limit, said as such.
  if (breaksAt !== undefined && breaksAt <= upper()) return { status: 'found', sustains: sustains!, breaksAt };
  return { status: 'generator_limited', sustains: sustains!, limitAt: limitAt! };
}

/** True when `hi` is within the precision of `lo` (or, for whole numbers, next to it). */
export function withinPrecision(lo: number, hi: number, b: Pick<SearchBounds, 'precision' | 'integer'>): boolean {
  return hi <= lo * (1 + b.precision) || (b.integer && hi - lo <= 1);
}

/**
 * The geometric mean of the bracket, rounded; when rounding lands on an end (a fine precision),
 * the exact mean, so the bracket always shrinks.
 */
export function midpoint(lo: number, hi: number, b: Pick<SearchBounds, 'precision' | 'integer'>): number {
  const exact = Math.sqrt(lo * hi);
  const rounded = roundValue(exact, b);
  return b.integer || (rounded > lo && rounded < hi) ? rounded : exact;
}

/** The next value of the climb: `next`, or a little above `value` where rounding would not move it. */
function strictlyAbove(value: number, next: number, b: Pick<SearchBounds, 'precision' | 'integer'>): number {
  if (next > value) return next;
  return b.integer ? value + 1 : value * (1 + b.precision);
}

/**
 * Whole numbers round; rates keep enough significant digits for step labels to read cleanly
 * and still resolve the precision (3 at 5 %, 5 at 0.1 %).
 */
function roundValue(v: number, b: Pick<SearchBounds, 'precision' | 'integer'>): number {
  if (b.integer) return Math.max(1, Math.round(v));
  const digits = Math.min(15, Math.max(3, Math.ceil(-Math.log10(b.precision)) + 2));
  return Number(v.toPrecision(digits));
}
