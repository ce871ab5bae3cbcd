/**
 * Sequence numbers of one publisher's stream as one subscriber saw them: which arrived, which
 * are missing, and whether each arrival is new, late (reordered) or a duplicate, exactly.
 *
 * Memory grows with the number of distinct gaps, never with the stream's length: the missing
 * seqs are kept as ranges, so a subscriber that lost 10,000 messages in one stall holds one
 * range. A late arrival splits or shrinks its range.
 */

/** {@link SeqTracker.accept}: the first arrival of a seq above every earlier one. */
export const ARRIVED_IN_ORDER = 0;
/** {@link SeqTracker.accept}: the first arrival of a seq after a higher one (reordered). */
export const ARRIVED_LATE = 1;
/** {@link SeqTracker.accept}: a seq that had already arrived. */
export const ARRIVED_AGAIN = 2;

/** How one arrival of a seq was classified. */
export type Arrival = typeof ARRIVED_IN_ORDER | typeof ARRIVED_LATE | typeof ARRIVED_AGAIN;

/** One publisher's stream as one subscriber received it. */
export class SeqTracker {
  /** Lowest and highest seq received. */
  low: number;
  high: number;
  /** Distinct seqs received (duplicates not counted). */
  received = 1;
  /** Missing seqs inside [low, high] as sorted inclusive ranges: [a0, b0, a1, b1, ...]. */
  private gaps: number[] | undefined;

  /** Starts the stream at its first arrival. */
  constructor(firstSeq: number) {
    this.low = firstSeq;
    this.high = firstSeq;
  }

  /** Seqs from the lowest to the highest received: what "from the first seen" expects. */
  get span(): number {
    return this.high - this.low + 1;
  }

  /** Seqs inside the span that have not arrived. */
  get missing(): number {
    return this.span - this.received;
  }

  /** Classifies and records one arrival of `seq`. */
  accept(seq: number): Arrival {
    if (seq === this.high + 1) {
      this.high = seq;
      this.received++;
      return ARRIVED_IN_ORDER;
    }
    if (seq > this.high) {
      (this.gaps ??= []).push(this.high + 1, seq - 1);
      this.high = seq;
      this.received++;
      return ARRIVED_IN_ORDER;
    }
    if (seq < this.low) {
      if (seq < this.low - 1) (this.gaps ??= []).unshift(seq + 1, this.low - 1);
      this.low = seq;
      this.received++;
      return ARRIVED_LATE;
    }
    if (this.fillGap(seq)) {
      this.received++;
      return ARRIVED_LATE;
    }
    return ARRIVED_AGAIN;
  }

  /** Removes `seq` from the missing ranges; false when it was not missing (a duplicate). */
  private fillGap(seq: number): boolean {
    const g = this.gaps;
    if (g === undefined || g.length === 0) return false;
    // Binary search over range starts for the last range starting at or before `seq`.
    let lo = 0;
    let hi = g.length / 2 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (g[mid * 2]! <= seq) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return false;
    const i = found * 2;
    const a = g[i]!;
    const b = g[i + 1]!;
    if (seq > b) return false;
    if (a === b) g.splice(i, 2);
    else if (seq === a) g[i] = a + 1;
    else if (seq === b) g[i + 1] = b - 1;
    else g.splice(i, 2, a, seq - 1, seq + 1, b);
    return true;
  }
}
