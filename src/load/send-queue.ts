/**
 * The messages a connection has sent and not yet had answered, oldest first, in growable
 * typed arrays (no object per message). Echo over one TCP connection keeps order, so the
 * head is the next reply expected; reply timeouts look at the head's send time.
 */
const EMPTY = new Float64Array(0);

export class SendQueue {
  // Allocated on first use: an idle connection costs no buffers.
  private seqs = EMPTY;
  private intended = EMPTY;
  private sent = EMPTY;
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(seq: number, intendedUs: number, sentUs: number): void {
    if (this.count === this.seqs.length) this.grow();
    const i = (this.head + this.count) & (this.seqs.length - 1);
    this.seqs[i] = seq;
    this.intended[i] = intendedUs;
    this.sent[i] = sentUs;
    this.count++;
  }

  /** Sequence number of the oldest entry (undefined when empty). */
  headSeq(): number | undefined {
    return this.count === 0 ? undefined : this.seqs[this.head];
  }

  headIntendedUs(): number {
    return this.intended[this.head]!;
  }

  headSentUs(): number {
    return this.sent[this.head]!;
  }

  /** Drops the oldest entry. */
  shift(): void {
    if (this.count === 0) return;
    this.head = (this.head + 1) & (this.seqs.length - 1);
    this.count--;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  private grow(): void {
    // Capacity stays a power of two so wrapping is a mask, not a modulo.
    const cap = Math.max(4, this.seqs.length * 2);
    const copy = (src: Float64Array) => {
      const dst = new Float64Array(cap);
      for (let k = 0; k < this.count; k++) dst[k] = src[(this.head + k) & (src.length - 1)]!;
      return dst;
    };
    this.seqs = copy(this.seqs);
    this.intended = copy(this.intended);
    this.sent = copy(this.sent);
    this.head = 0;
  }
}
