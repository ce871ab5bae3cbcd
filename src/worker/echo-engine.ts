/**
 * A worker's echo engine: the live sessions, the pacer that follows the open-loop schedule
 * (one min-heap and one timer per worker, never a timer per connection), closed-loop refills,
 * reply timeouts, and the drain at the end. It only measures: everything it learns goes into
 * the Recorder, which the worker snapshots once per interval.
 */
import { DueHeap } from '../load/due-heap.js';
import { nowUs } from '../load/clock.js';
import { firstSendOffsetUs, nextIntervalUs } from '../load/schedule.js';
import type { Recorder } from '../metrics/recorder.js';
import type { ConnectionEnd, DialOptions, ProtocolDriver } from '../protocol/driver.js';
import { ProbeWriter } from '../protocol/payload.js';
import type { LoadModel, ReplySpec, Scenario } from '../scenario/types.js';
import { EchoSession } from './echo-session.js';
import type { HealthMonitor } from './health.js';

/** A send later than this against its intended time counts in `sends_missed`. */
export const MISSED_SEND_THRESHOLD_US = 10_000;
/** Above this many bytes queued on a socket, sends wait (client-side back-pressure). */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;
const REPLY_TIMEOUT_CHECK_MS = 100;
const RECONNECT_DELAY_MS = 1000;
/** Sends handled per pacer tick before yielding, so receives are not starved. */
const MAX_SENDS_PER_TICK = 20_000;

export class EchoEngine {
  readonly probe: ProbeWriter;
  readonly replies: ReplySpec;
  readonly sendsBinary: boolean;
  readonly notes = new Set<string>();
  private readonly live: EchoSession[] = [];
  private readonly heap = new DueHeap<EchoSession>();
  private load: LoadModel | undefined;
  private accepting = true;
  private draining = false;
  private pacerTimer: NodeJS.Timeout | undefined;
  private readonly timeoutTimer: NodeJS.Timeout;
  private readonly dial: DialOptions;
  private nextGlobalIndex: number;
  private totalConnections = 1;
  private endWaiters: Array<() => void> = [];
  private localAddressCursor = 0;

  constructor(
    private readonly driver: ProtocolDriver,
    private readonly url: string,
    private readonly scenario: Scenario,
    readonly recorder: Recorder,
    private readonly health: HealthMonitor,
    firstGlobalIndex: number,
    private readonly localAddresses: string[],
  ) {
    this.probe = new ProbeWriter(scenario.message.sizeBytes, scenario.message.template);
    this.replies = scenario.replies;
    this.sendsBinary = scenario.message.binary;
    this.dial = { ...scenario.connection };
    this.nextGlobalIndex = firstGlobalIndex;
    this.timeoutTimer = setInterval(() => this.expireReplies(), REPLY_TIMEOUT_CHECK_MS);
  }

  /** Sessions opened or opening (not yet ended). */
  get liveCount(): number {
    return this.live.length;
  }

  get openCount(): number {
    let n = 0;
    for (const s of this.live) if (s.isOpen) n++;
    return n;
  }

  /** Starts one connection attempt. */
  openSession(globalIndex = this.nextGlobalIndex++): EchoSession {
    const session = new EchoSession(this, globalIndex);
    session.liveIndex = this.live.length;
    this.live.push(session);
    const dial = this.localAddresses.length === 0
      ? this.dial
      : { ...this.dial, localAddress: this.localAddresses[this.localAddressCursor++ % this.localAddresses.length] };
    session.conn = this.driver.open(this.url, dial, session);
    return session;
  }

  /** Closes the most recently opened sessions until `target` remain (a ramp down). */
  closeNewest(count: number): void {
    for (let i = 0; i < count && this.live.length > 0; i++) {
      const s = this.live[this.live.length - 1]!;
      this.recorder.counters.msgs_lost += s.abandon();
      this.heap.remove(s);
      s.conn.close(2000);
      this.removeLive(s);
    }
  }

  /** Number of sessions whose attempt has not settled (neither open nor ended). */
  get pendingCount(): number {
    let n = 0;
    for (const s of this.live) if (!s.isOpen && !s.hasEnded) n++;
    return n;
  }

  /** Applies a phase's load to every open session: the steady part of a phase begins. */
  applyLoad(load: LoadModel | undefined, totalConnections: number): void {
    this.load = load;
    this.totalConnections = Math.max(1, totalConnections);
    this.heap.clear();
    const now = nowUs();
    for (const s of this.live) if (s.isOpen) this.startLoad(s, now);
    this.schedulePacer();
  }

  sessionOpened(s: EchoSession, connectUs: number): void {
    this.recorder.counters.connections_opened++;
    this.recorder.record('connect_time', connectUs, true);
    if (this.draining) s.conn.close(0);
    // Sessions opened during a ramp wait for the phase's steady start, except on reconnect.
    else if (s.globalIndex < 0 && this.load) this.startLoad(s, nowUs());
  }

  sessionEnded(s: EchoSession, end: ConnectionEnd): void {
    const counters = this.recorder.counters;
    if (end.wasOpen) counters.connections_closed++;
    else counters.connections_failed++;
    if (end.errorClass) this.recorder.error(end.errorClass);
    counters.msgs_lost += s.abandon();
    this.heap.remove(s);
    this.removeLive(s);
    if (this.scenario.connection.reconnect && this.accepting && !end.initiatedByUs) {
      setTimeout(() => {
        if (!this.accepting) return;
        this.recorder.counters.reconnects++;
        this.openSession(-1);
      }, RECONNECT_DELAY_MS).unref();
    }
    if (this.live.length === 0) this.wakeEndWaiters();
  }

  /** A reply completed a message: record latency and, closed loop, send the next one. */
  replyCompleted(s: EchoSession, latencyUs: number, serviceUs: number): void {
    this.recordLatency(latencyUs, serviceUs);
    const load = this.load;
    if (load?.kind !== 'closed' || this.draining || !s.isOpen) return;
    if (load.thinkTimeMs > 0) {
      s.dueUs = nowUs() + load.thinkTimeMs * 1000;
      if (s.heapIndex < 0) this.heap.push(s);
      this.schedulePacer();
    } else {
      const now = nowUs();
      s.send(now, now);
    }
  }

  /**
   * Records a round trip. Open loop: `latency` from the intended time, `latency_uncorrected`
   * from the actual send. Closed loop: they are the same, so only `latency` is kept.
   */
  recordLatency(latencyUs: number, serviceUs: number): void {
    this.recorder.record('latency', latencyUs);
    if (this.load?.kind === 'open' && serviceUs >= 0) this.recorder.record('latency_uncorrected', serviceUs);
  }

  noteOpcodeChange(): void {
    this.notes.add('the server answered text with binary or binary with text frames (accepted)');
  }

  /**
   * Ends the run: stop sending, wait up to `waitMs` for outstanding replies, count the rest
   * as lost, close every connection with 1000 (cut after 2 s), wait for the ends (bounded).
   */
  async drain(waitMs: number): Promise<void> {
    this.draining = true;
    this.accepting = false;
    this.load = undefined;
    this.heap.clear();
    if (this.pacerTimer) clearTimeout(this.pacerTimer);
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && this.live.some((s) => s.outstanding.length > 0)) {
      await sleep(10);
    }
    for (const s of this.live) this.recorder.counters.msgs_lost += s.abandon();
    clearInterval(this.timeoutTimer);
    const ended = new Promise<void>((resolve) => this.endWaiters.push(resolve));
    for (const s of [...this.live]) s.conn.close(2000);
    if (this.live.length > 0) await Promise.race([ended, sleep(3000)]);
    if (this.recorder.counters.replies_matched_fifo > 0) {
      this.notes.add('some replies carried no stamp (the server transforms payloads): matched in order (FIFO)');
    }
  }

  private startLoad(s: EchoSession, now: number): void {
    const load = this.load;
    if (!load) return;
    if (load.kind === 'open') {
      s.dueUs = now + firstSendOffsetUs(Math.max(0, s.globalIndex), this.totalConnections, load.ratePerSec);
      if (s.heapIndex < 0) this.heap.push(s);
    } else {
      for (let i = s.outstanding.length; i < load.inFlight; i++) s.send(now, now);
    }
  }

  private schedulePacer(): void {
    const top = this.heap.peek();
    if (top === undefined || this.draining) return;
    if (this.pacerTimer) clearTimeout(this.pacerTimer);
    const waitMs = Math.max(0, (top.dueUs - nowUs()) / 1000);
    // Timers fire no sooner than 1 ms; a due send goes out on the next tick and its lateness
    // is measured (latency counts from the intended time, so nothing is hidden).
    this.pacerTimer = setTimeout(() => this.tick(), Math.min(waitMs, 1000));
  }

  /** Sends everything that is due. */
  private tick(): void {
    this.pacerTimer = undefined;
    const heap = this.heap;
    const load = this.load;
    const now = nowUs();
    const deferred: EchoSession[] = [];
    let sent = 0;
    let maxLag = 0;
    for (let top = heap.peek(); top !== undefined && top.dueUs <= now && sent < MAX_SENDS_PER_TICK; top = heap.peek()) {
      heap.pop();
      if (!top.isOpen) continue;
      if (top.conn.bufferedBytes > HIGH_WATER_BYTES) {
        deferred.push(top);
        continue;
      }
      const lag = now - top.dueUs;
      if (lag > maxLag) maxLag = lag;
      if (lag > MISSED_SEND_THRESHOLD_US) this.recorder.counters.sends_missed++;
      if (load?.kind === 'open') {
        top.send(top.dueUs, now);
        top.dueUs += nextIntervalUs(load.ratePerSec, load.arrival);
        heap.push(top);
      } else if (load?.kind === 'closed') {
        top.send(now, now); // after think time: closed loop measures from the actual send
      }
      sent++;
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
    const load = this.load;
    for (const s of this.live) {
      const q = s.outstanding;
      let expired = 0;
      while (q.length > 0 && now - q.headSentUs() > limitUs) {
        q.shift();
        expired++;
      }
      if (expired === 0) continue;
      this.recorder.counters.msgs_lost += expired;
      for (let i = 0; i < expired; i++) this.recorder.error('reply_timeout');
      if (load?.kind === 'closed' && !this.draining && s.isOpen) {
        for (let i = q.length; i < load.inFlight; i++) s.send(now, now);
      }
    }
  }

  private removeLive(s: EchoSession): void {
    const i = s.liveIndex;
    if (i < 0 || this.live[i] !== s) return;
    const last = this.live.pop()!;
    if (last !== s) {
      this.live[i] = last;
      last.liveIndex = i;
    }
    s.liveIndex = -1;
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
