/**
 * The sequence numbers an echo connection gave up on (reply timeout, outstanding limit, the
 * end of the run), so a reply that still comes counts as late rather than as a duplicate.
 * Messages are mostly given up oldest first, so the numbers form a few runs, kept as ranges: a
 * server that never answers costs one range, not one entry per message. The oldest runs are
 * forgotten past a cap.
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
    // Runs are not always in order (skipped messages are given up after later ones), so every
    // run is looked at; late replies are rare and the runs few.
    for (let i = r.length - 2; i >= 0; i -= 2) if (seq >= r[i]! && seq <= r[i + 1]!) return true;
    return false;
  }

  clear(): void {
    this.ranges.length = 0;
  }
}
