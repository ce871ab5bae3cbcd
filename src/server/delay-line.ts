/**
 * Exact reply delays for `--echo-delay` (latency calibration, capacity tests).
 *
 * Every delayed action of a server waits the same time, so due times come in the order the
 * actions were queued: one FIFO and one timer serve them all (no timer per message). Node's
 * timers fire on whole milliseconds and up to one late, which would add ~0.5 ms to every
 * reply and make a 1 ms delay read 1.5 ms; so the line sleeps on a timer until a millisecond
 * before the head is due and waits out the rest on setImmediate. No action ever runs before
 * its time. The busy wait runs in the last millisecond before each reply, so from about 1,000
 * replies a second on it never stops: a delayed server then keeps one core busy
 * (docs/architecture.md §9). That is the price of exact delays; the server runs in its own
 * process, never in the generator's.
 */
import { nowUs } from '../load/clock.js';

type Action = (a: unknown, b: unknown, c: unknown) => void;

/** Time left below which the line waits on setImmediate instead of a timer. */
const SPIN_WINDOW_US = 1000;
/** Consumed slots are compacted away once this many have built up. */
const COMPACT_AFTER = 4096;

export class DelayLine {
  /** Flat [dueUs, action, a, b, c] records, oldest first, from `head`. */
  private readonly queue: unknown[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** While an action runs: the time it was due (a serial echo starts its next delay there). */
  dueUs = 0;

  constructor(private readonly delayUs: number) {}

  /**
   * Runs `action(a, b, c)` once the delay has passed from `fromUs` (default now). An earlier
   * `fromUs` than other queued actions' may run a little late behind them, never early.
   */
  push<A, B, C>(action: (a: A, b: B, c: C) => void, a: A, b: B, c: C, fromUs = nowUs()): void {
    const wasEmpty = this.head === this.queue.length;
    this.queue.push(fromUs + this.delayUs, action, a, b, c);
    if (wasEmpty) this.arm();
  }

  /** Drops every pending action (the server is closing). */
  clear(): void {
    this.queue.length = 0;
    this.head = 0;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = this.immediate = undefined;
  }

  private arm(): void {
    if (this.head === this.queue.length || this.immediate) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const waitUs = (this.queue[this.head] as number) - nowUs();
    if (waitUs <= SPIN_WINDOW_US) {
      // Not unref'd: an unref'd immediate does not keep the loop from blocking in poll, so it
      // would wait for the next I/O instead of spinning. It lives for at most a millisecond.
      this.immediate = setImmediate(this.release);
      return;
    }
    // Unref'd so pending replies never hold the process open once the server has closed.
    this.timer = setTimeout(this.release, Math.floor((waitUs - SPIN_WINDOW_US) / 1000)).unref();
  }

  private readonly release = (): void => {
    this.timer = this.immediate = undefined;
    const q = this.queue;
    const now = nowUs();
    while (this.head < q.length && (q[this.head] as number) <= now) {
      const i = this.head;
      this.head += 5;
      this.dueUs = q[i] as number;
      (q[i + 1] as Action)(q[i + 2], q[i + 3], q[i + 4]);
    }
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER * 5) {
      q.splice(0, this.head);
      this.head = 0;
    }
    this.arm();
  };
}

/**
 * One connection's turns in a serial echo (sleep, answer, then read the next): one message in
 * the delay at a time, the others wait in arrival order.
 */
export class SerialTurns<T> {
  private readonly waiting: T[] = [];
  private readonly arrivals: number[] = [];
  private head = 0;
  private isBusy = false;
  /** When the item `next` returned arrived: its delay may not start before. */
  arrivalUs = 0;

  /** True when `item` may start now; otherwise it waits its turn. */
  offer(item: T): boolean {
    if (!this.isBusy) return (this.isBusy = true);
    this.waiting.push(item);
    this.arrivals.push(nowUs());
    return false;
  }

  /** The current item is done: the next one to start, or undefined (the connection is idle). */
  next(): T | undefined {
    if (this.head === this.waiting.length) {
      this.isBusy = false;
      this.waiting.length = this.arrivals.length = this.head = 0;
      return undefined;
    }
    this.arrivalUs = this.arrivals[this.head]!;
    const item = this.waiting[this.head++];
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.arrivals.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }

  /**
   * When the next item's delay starts: when the previous one was due (a busy connection is
   * answered exactly every delay), but never before the item arrived.
   */
  startUs(previousDueUs: number): number {
    return Math.max(previousDueUs, this.arrivalUs);
  }

  /** Items waiting behind the current one. */
  get waitingCount(): number {
    return this.waiting.length - this.head;
  }
}
