/**
 * The sequence numbers an echo connection gave up on (reply timeout, outstanding limit), so a
 * reply that still comes counts as late rather than as a duplicate. Messages are given up
 * oldest first, so the numbers form a few ascending runs, kept as ranges: a server that never
 * answers costs one range, not one entry per message. The oldest runs are forgotten past a cap.
 */
const MAX_RANGES = 256;

export class GivenUpRanges {
  /** Flat [first, last] pairs, ascending. */
  private readonly ranges: number[] = [];

  add(seq: number): void {
    const r = this.ranges;
    const n = r.length;
    if (n > 0 && r[n - 1] === seq - 1) {
      r[n - 1] = seq;
      return;
    }
    r.push(seq, seq);
    if (r.length > MAX_RANGES * 2) r.splice(0, 2);
  }

  has(seq: number): boolean {
    const r = this.ranges;
    // Late replies are usually for the newest run: scan from the end.
    for (let i = r.length - 2; i >= 0; i -= 2) {
      if (seq > r[i + 1]!) return false;
      if (seq >= r[i]!) return true;
    }
    return false;
  }

  clear(): void {
    this.ranges.length = 0;
  }
}
