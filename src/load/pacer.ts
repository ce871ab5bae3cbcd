/**
 * The open-loop pacer: one min-heap of items by intended time and one timer per worker, never
 * a timer per connection. Each tick hands every item due within `EARLY_SEND_US` to the handler;
 * the handler sends (and reschedules the item itself) or defers it to the next millisecond.
 *
 * The clock and the timers are injected, so pacing is tested with a fake clock
 * (test/unit/pacer.test.ts) instead of by real-time latencies.
 */
import { DueHeap, type DueItem } from './due-heap.js';
import { nowUs, type Clock } from './clock.js';

/**
 * The pacer hands out what is due within this much ahead of now. Timers fire on whole
 * milliseconds, at or after their time, so waiting for the exact time would make every send
 * 0-1 ms late, and open-loop latency counts from the intended time. A message sent early is
 * measured from its actual send instead (it waited for nothing), so firing early hides nothing.
 */
export const EARLY_SEND_US = 1000;
/** Items handed out per tick before yielding, so receives are not starved. */
export const MAX_ITEMS_PER_TICK = 20_000;
/** The longest a pacer timer sleeps, so a clock jump or a far item never strands it. */
const MAX_SLEEP_MS = 1000;

/** What the handler did with a due item. */
export type PaceOutcome = 'sent' | 'deferred' | 'dropped';

/** One-shot timers: Node's by default, a fake in tests. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const NODE_TIMERS: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class Pacer<T extends DueItem> {
  private readonly heap = new DueHeap<T>();
  private timer: unknown;
  private isStopped = false;

  constructor(
    /** Called with each due item and the tick's time; 'deferred' retries it in a millisecond. */
    private readonly handle: (item: T, nowUs: number) => PaceOutcome,
    private readonly clock: Clock = nowUs,
    private readonly timers: Timers = NODE_TIMERS,
  ) {}

  get size(): number {
    return this.heap.size;
  }

  /** Puts `item` on the pacer at its `dueUs` (moving it if it was already there). */
  schedule(item: T): void {
    if (this.isStopped) return;
    if (item.heapIndex >= 0) this.heap.remove(item);
    this.heap.push(item);
    if (this.heap.peek() === item) this.arm();
  }

  remove(item: T): void {
    this.heap.remove(item);
  }

  /** Empties the pacer (a new phase's load replaces the old schedule). */
  clear(): void {
    this.heap.clear();
    this.cancelTimer();
  }

  /** Empties the pacer for good: later `schedule` calls are ignored (the run is ending). */
  stop(): void {
    this.isStopped = true;
    this.clear();
  }

  /** Hands every due item to the handler; the timer calls it, tests may too. */
  tick(): void {
    this.cancelTimer();
    const heap = this.heap;
    const now = this.clock();
    const horizon = now + EARLY_SEND_US;
    const deferred: T[] = [];
    let handled = 0;
    for (let top = heap.peek(); top !== undefined && top.dueUs <= horizon && handled < MAX_ITEMS_PER_TICK; top = heap.peek()) {
      heap.pop();
      const outcome = this.handle(top, now);
      if (outcome === 'deferred') deferred.push(top);
      else if (outcome === 'sent') handled++;
    }
    for (const item of deferred) heap.push(item);
    // Everything left is deferred: look again in a millisecond rather than spin.
    if (deferred.length > 0 && heap.size === deferred.length) this.setTimer(1);
    else this.arm();
  }

  private arm(): void {
    const top = this.heap.peek();
    if (top === undefined || this.isStopped) return;
    const waitMs = Math.max(0, (top.dueUs - EARLY_SEND_US - this.clock()) / 1000);
    // Node truncates the delay to whole milliseconds (at least 1): a tick may come a little
    // early (it then arms again) or late (the lateness is measured by the handler).
    this.setTimer(Math.min(waitMs, MAX_SLEEP_MS));
  }

  private setTimer(ms: number): void {
    this.cancelTimer();
    this.timer = this.timers.set(() => this.tick(), ms);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
