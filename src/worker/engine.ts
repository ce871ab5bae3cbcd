/**
 * A worker's engine: the live sessions of every group, the pacer that follows the open-loop
 * schedule (load/pacer.ts), reply timeouts, reconnects, and the drain at the end. It is the
 * sessions' `RoleHost`: role-specific behaviour lives in the sessions and their coordinators;
 * everything measured goes into the Recorder, snapshotted once per interval.
 */
import { nowUs, type Clock } from '../load/clock.js';
import { NODE_TIMERS, Pacer, type PaceOutcome, type Timers } from '../load/pacer.js';
import type { Counters } from '../metrics/counters.js';
import type { ErrorClass } from '../metrics/error-classes.js';
import type { MetricId } from '../metrics/metric-ids.js';
import type { Recorder } from '../metrics/recorder.js';
import type { ConnectionEnd, DialOptions } from '../protocol/driver.js';
import type { ConnectionOptions, LoadModel, Scenario } from '../scenario/types.js';
import type { LocalEndpoints } from '../runner/source-addresses.js';
import type { HealthMonitor } from './health.js';
import { isPaced, MISSED_SEND_THRESHOLD_US, type GroupRuntime, type PacedSession, type RoleHost, type Session } from './session.js';
import { settleWithin, sleep } from '../waits.js';

/** Above this many bytes queued on a socket, sends wait (client-side back-pressure). */
export const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const REPLY_TIMEOUT_CHECK_MS = 100;
const RECONNECT_DELAY_MS = 1000;
/** How long a closing connection may take before it is cut. */
const CLOSE_GRACE_MS = 2000;

/** Opens a session of `group` (its role's factory, bound to the role's coordinator). */
type OpenSession = (host: RoleHost, group: GroupRuntime, globalIndex: number) => Session;

export class Engine implements RoleHost {
  readonly notes = new Set<string>();
  /** Sessions whose sends waited for their socket's buffer to drain (the server not reading), until back on schedule. */
  private readonly heldByServer = new Set<PacedSession>();
  /** The load of the current phase's steady part; undefined while idle or ramping phase 1. */
  load: LoadModel | undefined;
  /** True once the run is ending: sessions must not start new work. */
  draining = false;
  /** The drain has counted every end: the final report is being sent. */
  private isFinal = false;
  /** Called when the last live session ends (streams that end by design: the run may stop early). */
  onIdle: (() => void) | undefined;
  readonly connection: ConnectionOptions;
  private readonly live: Session[] = [];
  private readonly unsettled = new Set<Session>();
  /** Sessions a ramp-down closed: out of the live list, their end still to be counted. */
  private readonly closing = new Set<Session>();
  private readonly pacer: Pacer<PacedSession>;
  private readonly timeoutTimer: NodeJS.Timeout;
  private readonly dial: DialOptions;
  private nextGlobalIndex: number[];
  private endWaiters: Array<() => void> = [];
  /** Connections opened so far: picks each one's source address and port. */
  private dialCount = 0;

  constructor(
    scenario: Scenario,
    readonly groups: GroupRuntime[],
    private readonly openFor: OpenSession,
    private readonly recorder: Recorder,
    private readonly health: HealthMonitor,
    firstGlobalIndex: number[],
    private readonly local: LocalEndpoints,
    private readonly clock: Clock = nowUs,
    timers: Timers = NODE_TIMERS,
  ) {
    this.connection = scenario.connection;
    this.dial = { ...scenario.connection };
    this.nextGlobalIndex = [...firstGlobalIndex];
    this.pacer = new Pacer<PacedSession>(this.paceOne, clock, timers);
    this.timeoutTimer = setInterval(() => this.expireReplies(), REPLY_TIMEOUT_CHECK_MS);
  }

  /** The recorder's counters of the current interval (a snapshot starts a new set). */
  get counters(): Counters {
    return this.recorder.counters;
  }

  record(metric: MetricId, us: number, measured?: boolean): void {
    this.recorder.record(metric, us, measured);
  }

  error(errorClass: ErrorClass): void {
    this.recorder.error(errorClass);
  }

  note(text: string): void {
    this.notes.add(text);
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
   * counted over the live list: the ramp asks before every attempt, so a scan would make a
   * ramp quadratic in its connection count. A stream's own reconnects (SSE) never enter it.
   */
  get pendingCount(): number {
    return this.unsettled.size;
  }

  /** Starts one connection attempt in `group`. */
  openSession(group: GroupRuntime, globalIndex = this.nextGlobalIndex[group.index]!++): Session {
    const session = this.openFor(this, group, globalIndex);
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
      this.counters.msgs_lost += s.abandon?.() ?? 0;
      if (isPaced(s)) this.unpace(s);
      this.closing.add(s);
      s.conn.close(CLOSE_GRACE_MS);
      this.removeLive(s);
      count--;
    }
  }

  /** Applies a phase's load to every open session: the steady part of a phase begins. */
  applyLoad(load: LoadModel | undefined): void {
    this.load = load;
    this.pacer.clear();
    if (!load) return;
    const now = this.clock();
    for (const s of this.live) if (s.isOpen) s.startLoad?.(load, now);
  }

  schedule(s: PacedSession): void {
    if (!this.draining) this.pacer.schedule(s);
  }

  opened(s: Session, connectUs: number): void {
    this.unsettled.delete(s);
    this.counters.connections_opened++;
    this.recorder.record('connect_time', connectUs, true);
    if (this.draining) s.conn.close(0);
    // Sessions opened during a ramp wait for the phase's steady start; reconnects resume at once.
    else if (s.globalIndex < 0 && this.load) s.startLoad?.(this.load, this.clock());
  }

  ended(s: Session, end: ConnectionEnd): void {
    if (this.isFinal) return;
    this.unsettled.delete(s);
    this.closing.delete(s);
    this.countEnd(end);
    this.counters.msgs_lost += s.abandon?.() ?? 0;
    if (isPaced(s)) this.unpace(s);
    const wasLive = this.removeLive(s);
    if (wasLive && this.connection.reconnect && !s.ownsReconnects && !this.draining && !end.initiatedByUs) {
      setTimeout(() => {
        if (this.draining) return;
        this.counters.reconnects++;
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
  interrupted(s: Session, end: ConnectionEnd): void {
    if (this.isFinal) return;
    this.unsettled.delete(s);
    this.countEnd(end);
  }

  private countEnd(end: ConnectionEnd): void {
    if (end.betweenConnections) return;
    const counters = this.counters;
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
    this.pacer.stop();
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && this.live.some((s) => (s.pending ?? 0) > 0)) await sleep(50);
    for (const s of this.live) this.counters.msgs_lost += s.abandon?.() ?? 0;
    clearInterval(this.timeoutTimer);
    const ended = new Promise<void>((resolve) => this.endWaiters.push(resolve));
    for (const s of [...this.live]) s.conn.close(CLOSE_GRACE_MS);
    if (this.live.length > 0) await settleWithin(ended, CLOSE_GRACE_MS + 1000);
    // Thousands of closes can outlast the grace on a busy machine: cut what is left, and count
    // those ends here, since the final report goes out next and later events are ignored.
    if (this.live.length > 0) {
      const cut = new Promise<void>((resolve) => this.endWaiters.push(resolve));
      for (const s of [...this.live]) s.conn.close(0);
      await settleWithin(cut, 1000);
    }
    this.isFinal = true;
    for (const s of [...this.live, ...this.closing]) {
      if (s.isOpen) this.counters.connections_closed++;
      else this.counters.connections_failed++;
      s.conn.close(0);
    }
  }

  /** Cuts every connection and stops every timer at once (no report follows). */
  abort(): void {
    this.draining = true;
    this.isFinal = true;
    this.load = undefined;
    this.pacer.stop();
    clearInterval(this.timeoutTimer);
    for (const s of [...this.live]) s.conn.close(0);
  }

  /** Takes a session off the pacer, and out of the held ones, for good. */
  private unpace(s: PacedSession): void {
    this.pacer.remove(s);
    this.heldByServer.delete(s);
  }

  /** The pacer's handler: one due session's turn, or why it has none now. */
  private readonly paceOne = (s: PacedSession, now: number): PaceOutcome => {
    if (!s.isOpen) return 'dropped';
    if (s.conn.bufferedBytes > HIGH_WATER_BYTES) {
      this.heldByServer.add(s);
      return 'deferred';
    }
    const lag = now - s.dueUs;
    // The size test keeps the usual send (no server holding anything back) to one comparison.
    if (this.heldByServer.size > 0 && this.heldByServer.has(s)) {
      // Due while the server was not reading, or in the catch-up after: late because of the
      // server, not the generator, until the session is back on schedule.
      if (lag > MISSED_SEND_THRESHOLD_US) this.counters.sends_held_by_server++;
      else this.heldByServer.delete(s);
    } else if (!s.isWaitingOnServer) {
      if (lag > this.health.maxSendLagUs) this.health.maxSendLagUs = lag;
      if (lag > MISSED_SEND_THRESHOLD_US) this.counters.sends_missed++;
    }
    s.onDue(now);
    return 'sent';
  };

  private expireReplies(): void {
    const limitUs = this.connection.replyTimeoutMs * 1000;
    const now = this.clock();
    for (const s of this.live) {
      if (!s.pending || !s.expire) continue;
      const expired = s.expire(now, limitUs);
      if (expired === 0) continue;
      this.counters.msgs_lost += expired;
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
