/**
 * A broadcast channel with the semantics of tokio's `sync::broadcast` (docs.rs
 * `tokio::sync::broadcast`), which Hyperlane's fan-out is built on (docs/hyperlane-wire.md §1):
 * - the channel keeps the last `retained` messages in a ring, where `retained` is the requested
 *   capacity rounded up to a power of two, as tokio does (`channel(100)` keeps 128);
 * - each receiver has its own cursor and sees every message sent after it subscribed;
 * - a receiver whose next message has been overwritten has lagged: tokio's `recv` then returns
 *   `Err(Lagged(n))` with n the number of messages it lost, and moves the cursor to the oldest
 *   message still held, which the next `recv` returns.
 *
 * tokio's `recv` maps onto two calls here so the hot path allocates nothing:
 * `skipLag(cursor)` is the `Lagged(n)` step (0 when not lagging) and `take(cursor)` is the
 * `Ok(value)` step (`undefined` when nothing is waiting, where tokio would await). Pure: no I/O.
 */

/** A receiver's position: the sequence number of the next message it will take. */
export interface BroadcastCursor {
  next: number;
}

/** The ring of retained messages, numbered from 0 in send order. */
export class TokioBroadcast<T> {
  /** How many messages the ring holds: the capacity rounded up to a power of two. */
  readonly retained: number;
  private readonly slots: Array<T | undefined>;
  private sent = 0;

  /** `capacity` must be a whole number >= 1 (tokio panics on 0). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number >= 1 (got ${capacity})`);
    this.retained = retainedMessages(capacity);
    this.slots = new Array<T | undefined>(this.retained).fill(undefined);
  }

  /** Sequence number the next `send` will get (= messages sent so far). */
  get nextSeq(): number {
    return this.sent;
  }

  /** Sequence number of the oldest message still held (equals `nextSeq` when none was sent). */
  get oldestSeq(): number {
    return Math.max(0, this.sent - this.retained);
  }

  /** Stores `value`, overwriting the oldest message once the ring is full; returns its seq. */
  send(value: T): number {
    const seq = this.sent++;
    // `%`, not a bit mask: sequence numbers pass 2^31 on long runs and `&` works on 32 bits.
    this.slots[seq % this.retained] = value;
    return seq;
  }

  /** A new receiver: it will see messages sent from now on (tokio `Sender::subscribe`). */
  subscribe(): BroadcastCursor {
    return { next: this.sent };
  }

  /** Messages sent that `cursor` has not taken yet, including any it has lost (tokio `len`). */
  pending(cursor: BroadcastCursor): number {
    return this.sent - cursor.next;
  }

  /** How many messages `cursor` has lost to overwriting, without moving it. */
  lagOf(cursor: BroadcastCursor): number {
    return Math.max(0, this.oldestSeq - cursor.next);
  }

  /**
   * The `Err(Lagged(n))` step of tokio's `recv`: moves a lagging cursor to the oldest message
   * held and returns n, the number it skipped; returns 0 and leaves the cursor otherwise.
   */
  skipLag(cursor: BroadcastCursor): number {
    const skipped = this.lagOf(cursor);
    if (skipped > 0) cursor.next += skipped;
    return skipped;
  }

  /**
   * The `Ok(value)` step of tokio's `recv`: the next message for `cursor`, advancing it, or
   * `undefined` when it has taken everything. Call `skipLag` first: a lagging cursor gets
   * `undefined` here rather than a message that has been overwritten.
   */
  take(cursor: BroadcastCursor): T | undefined {
    if (cursor.next >= this.sent || cursor.next < this.oldestSeq) return undefined;
    return this.slots[cursor.next++ % this.retained];
  }
}

/** How many messages a channel of `capacity` keeps: the next power of two, as tokio rounds it. */
export function retainedMessages(capacity: number): number {
  let p = 1;
  while (p < capacity) p *= 2;
  return p;
}
