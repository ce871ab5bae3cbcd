/**
 * A worker's engine: the live sessions of every group, the pacer that follows the open-loop
 * schedule (one min-heap and one timer per worker, never a timer per connection), reply
 * timeouts, reconnects, and the drain at the end. Role-specific behaviour lives in the
 * sessions; everything measured goes into the Recorder, snapshotted once per interval.
 */
import { DueHeap } from '../load/due-heap.js';
import { nowUs } from '../load/clock.js';
import type { Recorder } from '../metrics/recorder.js';
import type { ConnectionEnd, DialOptions } from '../protocol/driver.js';
import type { LoadModel, Scenario } from '../scenario/types.js';
import type { LocalEndpoints } from '../runner/source-addresses.js';
import type { HealthMonitor } from './health.js';
import type { FanoutBook } from './roles/fanout-book.js';
import type { GroupRuntime, Session, SessionFactory } from './session.js';

/** A send later than this against its intended time counts in `sends_missed`. */
export const MISSED_SEND_THRESHOLD_US = 10_000;
/**
 * The pacer sends what is due within this much ahead of now. Timers fire on whole
 * milliseconds, at or after their time, so waiting for the exact time made every send 0-1 ms
 * late, and since open-loop latency counts from the intended time, a 160 µs round trip read
 * as ~800 µs. A message sent early is measured from its actual send instead (it waited for
 * nothing), so firing early hides nothing.
 */
export const EARLY_SEND_US = 1000;
/** Above this many bytes queued on a socket, sends wait (client-side back-pressure). */
export const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const REPLY_TIMEOUT_CHECK_MS = 100;
const RECONNECT_DELAY_MS = 1000;
/** Sends handled per pacer tick before yielding, so receives are not starved. */
const MAX_SENDS_PER_TICK = 20_000;
/** How long a closing connection may take before it is cut. */
const CLOSE_GRACE_MS = 2000;

export class Engine {
  readonly notes = new Set<string>();
  /** The load of the current phase's steady part; undefined while idle or ramping phase 1. */
  load: LoadModel | undefined;
  /** True once the run is ending: sessions must not start new work. */
  draining = false;
  /** The drain has counted every end: the final report is being sent. */
  private isFinal = false;
  /** Fan-out bookkeeping shared by this worker's fan-out sessions; set by entry.ts when needed. */
  fanout: FanoutBook | undefined;
  /** Called when the last live session ends (streams that end by design: the run may stop early). */
  onIdle: (() => void) | undefined;
  private readonly live: Session[] = [];
  private readonly unsettled = new Set<Session>();
  /** Sessions a ramp-down closed: out of the live list, their end still to be counted. */
  private readonly closing = new Set<Session>();
  private readonly heap = new DueHeap<Session>();
  private pacerTimer: NodeJS.Timeout | undefined;
  private readonly timeoutTimer: NodeJS.Timeout;
  private readonly dial: DialOptions;
  private nextGlobalIndex: number[];
  private endWaiters: Array<() => void> = [];
  /** Connections opened so far: picks each one's source address and port. */
  private dialCount = 0;

  constructor(
    readonly scenario: Scenario,
    readonly groups: GroupRuntime[],
    private readonly factories: (group: GroupRuntime) => SessionFactory,
    readonly recorder: Recorder,
    private readonly health: HealthMonitor,
    firstGlobalIndex: number[],
    private readonly local: LocalEndpoints,
  ) {
    this.dial = { ...scenario.connection };
    this.nextGlobalIndex = [...firstGlobalIndex];
    this.timeoutTimer = setInterval(() => this.expireReplies(), REPLY_TIMEOUT_CHECK_MS);
  }

  /** Sessions of `group` opened or opening (not yet ended); all groups when undefined. */
  liveCount(group?: number): number {
    if (group === undefined) return this.live.length;
    let n = 0;
    for (const s of this.live) if (s.group.index === group) n++;
    return n;
  }

  get openCount(): number {
    let n = 0;
    for (const s of this.live) if (s.isOpen) n++;
    return n;
  }

  /**
   * Connection attempts not yet settled (neither open nor ended). Kept as a set rather than
   * counted over the live list: the ramp asks before every attempt, and a scan made a 16k-
   * connection ramp quadratic. A stream's own reconnects (SSE) never enter it.
   */
  get pendingCount(): number {
    return this.unsettled.size;
  }

  /** Starts one connection attempt in `group`. */
  openSession(group: GroupRuntime, globalIndex = this.nextGlobalIndex[group.index]!++): Session {
    const session = this.factories(group)(this, group, globalIndex);
    session.liveIndex = this.live.length;
    this.live.push(session);
    this.unsettled.add(session);
    const dial = this.local.addresses.length === 0 ? this.dial : this.localDial(this.dialCount++);
    session.conn = group.driver.open(group.url, dial, session);
    return session;
  }

  /**
   * The k-th connection's source: addresses round robin, and while this worker's port block
   * lasts, a port of its own (never reused within the run, so no TIME_WAIT clash).
   */
  private localDial(k: number): DialOptions {
    const { addresses, portBase, portCount } = this.local;
    const slot = Math.floor(k / addresses.length);
    const localAddress = addresses[k % addresses.length];
    return slot < portCount ? { ...this.dial, localAddress, localPort: portBase + slot } : { ...this.dial, localAddress };
  }

  /** Closes the `count` most recently opened sessions of `group` (a ramp down). */
  closeNewest(group: GroupRuntime, count: number): void {
    for (let i = this.live.length - 1; i >= 0 && count > 0; i--) {
      const s = this.live[i]!;
      if (s.group !== group) continue;
      this.recorder.counters.msgs_lost += s.abandon();
      this.heap.remove(s);
      this.closing.add(s);
      s.conn.close(CLOSE_GRACE_MS);
      this.removeLive(s);
      count--;
    }
  }

  /** Applies a phase's load to every open session: the steady part of a phase begins. */
  applyLoad(load: LoadModel | undefined): void {
    this.load = load;
    this.heap.clear();
    if (!load) return;
    const now = nowUs();
    for (const s of this.live) if (s.isOpen) s.startLoad(load, now);
    this.schedulePacer();
  }

  /** Puts a session on the pacer at its `dueUs`. */
  schedule(s: Session): void {
    if (this.draining) return;
    if (s.heapIndex >= 0) this.heap.remove(s);
    this.heap.push(s);
    if (this.heap.peek() === s) this.schedulePacer();
  }

  sessionOpened(s: Session, connectUs: number): void {
    this.unsettled.delete(s);
    this.recorder.counters.connections_opened++;
    this.recorder.record('connect_time', connectUs, true);
    if (this.draining) s.conn.close(0);
    // Sessions opened during a ramp wait for the phase's steady start; reconnects resume at once.
    else if (s.globalIndex < 0 && this.load) s.startLoad(this.load, nowUs());
  }

  sessionEnded(s: Session, end: ConnectionEnd): void {
    if (this.isFinal) return;
    this.unsettled.delete(s);
    this.closing.delete(s);
    this.countEnd(end);
    const counters = this.recorder.counters;
    counters.msgs_lost += s.abandon();
    this.heap.remove(s);
    const wasLive = this.removeLive(s);
    if (wasLive && this.scenario.connection.reconnect && !s.ownsReconnects && !this.draining && !end.initiatedByUs) {
      setTimeout(() => {
        if (this.draining) return;
        this.recorder.counters.reconnects++;
        this.openSession(s.group, -1);
      }, RECONNECT_DELAY_MS).unref();
    }
    if (this.live.length === 0) {
      this.wakeEndWaiters();
      this.onIdle?.();
    }
  }

  /**
   * A connection of `s` ended but the session lives on and reopens it itself (an SSE stream
   * reconnecting as a browser does): the end counts like any other; the session stays live.
   */
  sessionInterrupted(s: Session, end: ConnectionEnd): void {
    if (this.isFinal) return;
    this.unsettled.delete(s);
    this.countEnd(end);
  }

  private countEnd(end: ConnectionEnd): void {
    if (end.betweenConnections) return;
    const counters = this.recorder.counters;
    if (end.wasOpen) counters.connections_closed++;
    else counters.connections_failed++;
    if (end.errorClass) this.recorder.error(end.errorClass);
    counters.wire_bytes_sent += end.wireBytesSent;
    counters.wire_bytes_received += end.wireBytesReceived;
  }

  /**
   * Ends the run: stop sending, wait up to `waitMs` for outstanding replies, count the rest
   * as lost, close every connection with 1000 (cut after 2 s), wait for the ends (bounded).
   */
  async drain(waitMs: number): Promise<void> {
    this.draining = true;
    this.load = undefined;
    this.heap.clear();
    if (this.pacerTimer) clearTimeout(this.pacerTimer);
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && this.live.some((s) => s.pending > 0)) await sleep(50);
    for (const s of this.live) this.recorder.counters.msgs_lost += s.abandon();
    clearInterval(this.timeoutTimer);
    const ended = new Promise<void>((resolve) => this.endWaiters.push(resolve));
    for (const s of [...this.live]) s.conn.close(CLOSE_GRACE_MS);
    if (this.live.length > 0) await Promise.race([ended, sleep(CLOSE_GRACE_MS + 1000)]);
    // Thousands of closes can outlast the grace on a busy machine: cut what is left, and count
    // those ends here, since the final report goes out next and later events are ignored.
    if (this.live.length > 0) {
      const cut = new Promise<void>((resolve) => this.endWaiters.push(resolve));
      for (const s of [...this.live]) s.conn.close(0);
      await Promise.race([cut, sleep(1000)]);
    }
    this.isFinal = true;
    for (const s of [...this.live, ...this.closing]) {
      if (s.isOpen) this.recorder.counters.connections_closed++;
      else this.recorder.counters.connections_failed++;
      s.conn.close(0);
    }
  }

  /** Cuts every connection and stops every timer at once (no report follows). */
  abort(): void {
    this.draining = true;
    this.isFinal = true;
    this.load = undefined;
    this.heap.clear();
    if (this.pacerTimer) clearTimeout(this.pacerTimer);
    clearInterval(this.timeoutTimer);
    for (const s of [...this.live]) s.conn.close(0);
  }

  private schedulePacer(): void {
    const top = this.heap.peek();
    if (top === undefined || this.draining) return;
    if (this.pacerTimer) clearTimeout(this.pacerTimer);
    const waitMs = Math.max(0, (top.dueUs - EARLY_SEND_US - nowUs()) / 1000);
    // Node truncates the delay to whole milliseconds (at least 1): a tick may come a little
    // early (it then schedules again) or late (the lateness is measured).
    this.pacerTimer = setTimeout(() => this.tick(), Math.min(waitMs, 1000));
  }

  /** Hands every due session its turn. */
  private tick(): void {
    this.pacerTimer = undefined;
    const heap = this.heap;
    const now = nowUs();
    const deferred: Session[] = [];
    let handled = 0;
    let maxLag = 0;
    const horizon = now + EARLY_SEND_US;
    for (let top = heap.peek(); top !== undefined && top.dueUs <= horizon && handled < MAX_SENDS_PER_TICK; top = heap.peek()) {
      heap.pop();
      if (!top.isOpen) continue;
      if (top.conn.bufferedBytes > HIGH_WATER_BYTES) {
        deferred.push(top);
        continue;
      }
      if (!top.isWaitingOnServer) {
        const lag = now - top.dueUs;
        if (lag > maxLag) maxLag = lag;
        if (lag > MISSED_SEND_THRESHOLD_US) this.recorder.counters.sends_missed++;
      }
      top.onDue(now);
      handled++;
    }
    for (const s of deferred) heap.push(s);
    if (maxLag > this.health.maxSendLagUs) this.health.maxSendLagUs = maxLag;
    if (deferred.length > 0 && heap.size === deferred.length) {
      this.pacerTimer = setTimeout(() => this.tick(), 1);
    } else this.schedulePacer();
  }

  private expireReplies(): void {
    const limitUs = this.scenario.connection.replyTimeoutMs * 1000;
    const now = nowUs();
    for (const s of this.live) {
      if (s.pending === 0) continue;
      const expired = s.expire(now, limitUs);
      if (expired === 0) continue;
      this.recorder.counters.msgs_lost += expired;
      for (let i = 0; i < expired; i++) this.recorder.error('reply_timeout');
    }
  }

  private removeLive(s: Session): boolean {
    const i = s.liveIndex;
    if (i < 0 || this.live[i] !== s) return false;
    const last = this.live.pop()!;
    if (last !== s) {
      this.live[i] = last;
      last.liveIndex = i;
    }
    s.liveIndex = -1;
    return true;
  }

  private wakeEndWaiters(): void {
    const waiters = this.endWaiters;
    this.endWaiters = [];
    for (const w of waiters) w();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
