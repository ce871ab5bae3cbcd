/**
 * One fan-out connection (docs/architecture.md §5.7, fan-out): a publisher stamps each message with its
 * run-wide id, the part (phase) and a seq, and the intended send time; a subscriber records
 * `fanout_latency` for every delivery (receive time − stamp, one way on the host's shared
 * monotonic clock) and follows each publisher's seqs to count lost, duplicated and reordered
 * deliveries exactly. `pubsub` does both (chat, whiteboard). The counting method is explained
 * in fanout-book.ts.
 *
 * Publishers run open loop only (validation sees to it): there is no reply to wait for, and
 * the stamp holds the intended send time, so fan-out latency is coordinated-omission
 * corrected like echo latency. A pure publisher also receives the server's copies of every
 * message (the reference `/broadcast` sends to all); it counts them as received bytes only.
 */
import { firstSendOffsetUs, nextIntervalUs } from '../../load/schedule.js';
import type { ClientConnection, ConnectionEnd } from '../../protocol/driver.js';
import type { LoadModel } from '../../scenario/types.js';
import type { GroupRuntime, PacedSession, RoleHost, Session } from '../session.js';
import { FanoutBook, type FanoutMember, type FanoutTotals, type SubscriberAccount } from './fanout-book.js';
import { readFanoutStamp, type FanoutStamp, type FanoutWriter } from './fanout-stamp.js';
import { ARRIVED_AGAIN, ARRIVED_LATE, SeqTracker } from './seq-tracker.js';

// One parsed stamp per process, reused for every message.
const stamp: FanoutStamp = { publisherId: 0, part: 0, seq: 0, sentUs: 0 };

/**
 * A stamp later than its receive time by more than this was not written with this host's
 * monotonic clock (a server on another machine): its latency would be meaningless.
 */
const CLOCK_SLACK_US = 1000;
/** The canvas whiteboard strokes move on, and the most a point moves per message. */
const CANVAS_WIDTH = 1920;
const CANVAS_HEIGHT = 1080;
const STROKE_STEP = 12;

/** A `publisher`, `subscriber` or `pubsub` connection (the group's role decides which parts run). */
export class FanoutSession implements PacedSession, FanoutMember {
  conn!: ClientConnection;
  isOpen = false;
  hasEnded = false;
  hasOpened = false;
  dueUs = 0;
  heapIndex = -1;
  liveIndex = -1;
  /** Publishers never wait on the server: a late send is the generator's. */
  readonly isWaitingOnServer = false;
  readonly publishes: boolean;
  readonly subscribes: boolean;
  /** Run-wide id in this session's stamps; -1 when it does not publish. */
  readonly publisherId: number;
  /** Messages this session published. */
  published = 0;
  /** Own messages that came back (the server relays to the sender). */
  ownReceived = 0;
  /** The stream of a server's own publisher (stamps without a publisher id). */
  serverStream: SeqTracker | undefined;

  private readonly book: FanoutBook;
  private readonly writer: FanoutWriter | undefined;
  private readonly label: string;
  private part = -1;
  private nextSeq = 0;
  private readonly ownByPart: number[];
  private x: number;
  private y: number;

  /** Parts from this one on, up to `lastFullPart`, the session was a full member of. */
  private firstFullPart = Number.POSITIVE_INFINITY;
  private lastFullPart = -1;
  /** Membership is over (the session ended or was given up); later messages are not counted. */
  private hasLeft = false;
  /** It was still a member when the drain began (a server stream's tail is then expected). */
  private isMemberAtEnd = false;
  /** Per part, each publisher's stream as seen here. */
  private readonly streams: Array<Map<number, SeqTracker> | undefined>;
  private readonly receivedByPart: number[];
  /** Of those, deliveries from this shard's publishers (all of them when the run is not sharded). */
  private readonly receivedLocalByPart: number[];
  private duplicated = 0;
  private reordered = 0;
  private late = 0;
  private maxLatencyUs = 0;

  constructor(
    private readonly host: RoleHost,
    readonly group: GroupRuntime,
    readonly globalIndex: number,
    book: FanoutBook,
  ) {
    this.book = book;
    const role = group.spec.role;
    this.publishes = role === 'publisher' || role === 'pubsub';
    this.subscribes = role === 'subscriber' || role === 'pubsub';
    this.publisherId = this.publishes ? book.allocatePublisherId() : -1;
    this.writer = this.publishes ? book.writerFor(group) : undefined;
    this.label = globalIndex >= 0 ? `${group.spec.name}#${globalIndex}` : book.reconnectLabel(group.spec.name);
    this.ownByPart = new Array<number>(book.partCount).fill(0);
    this.streams = new Array<Map<number, SeqTracker> | undefined>(book.partCount);
    this.receivedByPart = new Array<number>(book.partCount).fill(0);
    this.receivedLocalByPart = new Array<number>(book.partCount).fill(0);
    this.x = Math.floor(Math.random() * CANVAS_WIDTH);
    this.y = Math.floor(Math.random() * CANVAS_HEIGHT);
    book.join(this);
  }

  /**
   * Deliveries still due while the run drains, so the engine waits for them (up to the reply
   * timeout). Unknown, hence 1, until the run-wide publish counts have arrived.
   */
  get pending(): number {
    if (!this.subscribes || !this.host.draining || this.hasLeft || !this.hasOpened) return 0;
    const t = this.book.totals;
    if (t === undefined) return 1;
    let due = 0;
    if (t.isComplete) {
      for (let p = this.firstFullPart; p <= this.book.lastStartedPart; p++) {
        due += Math.max(0, this.expectedInPart(p, t) - this.receivedLocalByPart[p]!);
      }
    }
    const s = this.serverStream;
    if (s !== undefined && t.serverMaxSeq > s.high) due += t.serverMaxSeq - s.high;
    return due;
  }

  onOpen(connectUs: number): void {
    this.isOpen = true;
    this.hasOpened = true;
    const book = this.book;
    // Opened during a ramp: a member of the coming part from its start. Opened mid-part
    // (a reconnect): a full member from the next part on.
    this.firstFullPart = book.isSteady || book.isDraining ? book.phase + 1 : Math.max(0, book.phase);
    this.host.opened(this, connectUs);
  }

  startLoad(load: LoadModel, now: number): void {
    const book = this.book;
    if (!this.publishes || load.kind !== 'open' || !book.isSteady) return;
    if (this.part !== book.lastStartedPart) {
      this.part = book.lastStartedPart;
      this.nextSeq = 0;
    }
    this.dueUs = now + firstSendOffsetUs(Math.max(0, this.globalIndex), this.group.index, load.ratePerSec);
    this.host.schedule(this);
  }

  onDue(now: number): void {
    const load = this.host.load;
    // A ramp or the drain stops publishing: the session drops off the pacer until the next
    // steady part calls startLoad again.
    if (!this.book.isSteady || load?.kind !== 'open' || this.part !== this.book.lastStartedPart) return;
    // Published early (the pacer's 1 ms horizon): stamped with the actual send time.
    this.publish(Math.min(this.dueUs, now));
    this.dueUs += nextIntervalUs(load.ratePerSec, load.arrival);
    this.host.schedule(this);
  }

  expire(): number {
    return 0; // nothing awaits a reply; deliveries still due are counted at the drain
  }

  onMessage(data: Buffer, _isBinary: boolean, atUs: number): void {
    const host = this.host;
    const counters = host.counters;
    counters.msgs_received++;
    counters.bytes_received += data.length;
    if (!this.subscribes || this.hasLeft) return;
    if (!readFanoutStamp(data, stamp)) {
      counters.msgs_unexpected++;
      return;
    }
    const book = this.book;
    let tracker: SeqTracker | undefined;
    let part = -1;
    if (stamp.publisherId < 0) {
      // A server's own stream is followed from the first steady part on: what came during
      // the first ramp is connection set-up, not load.
      if (book.lastStartedPart < 0) return;
      tracker = this.serverStream;
      if (tracker === undefined) this.serverStream = new SeqTracker(stamp.seq);
    } else {
      part = stamp.part;
      if (part >= book.partCount) {
        counters.msgs_unexpected++; // a part this run never had: not one of our publishers
        return;
      }
      if (stamp.publisherId === this.publisherId) {
        if (!book.spec.includeSender) {
          book.sawOwnEcho = true;
          counters.msgs_unexpected++;
          return;
        }
        this.ownReceived++;
      }
      let byPublisher = this.streams[part];
      if (byPublisher === undefined) this.streams[part] = byPublisher = new Map();
      tracker = byPublisher.get(stamp.publisherId);
      if (tracker === undefined) byPublisher.set(stamp.publisherId, new SeqTracker(stamp.seq));
    }
    if (tracker !== undefined) {
      const arrival = tracker.accept(stamp.seq);
      if (arrival === ARRIVED_AGAIN) {
        counters.msgs_duplicated++;
        this.duplicated++;
        return;
      }
      if (arrival === ARRIVED_LATE) {
        counters.msgs_reordered++;
        this.reordered++;
      }
    }
    counters.deliveries_received++;
    if (part >= 0) {
      this.receivedByPart[part]!++;
      if (book.isLocalPublisher(stamp.publisherId)) this.receivedLocalByPart[part]!++;
    }
    const latencyUs = atUs + (part >= 0 ? book.stampShiftUs : 0) - stamp.sentUs;
    if (latencyUs < -CLOCK_SLACK_US) {
      book.sawForeignClock = true;
      return;
    }
    host.record('fanout_latency', latencyUs);
    if (latencyUs > this.maxLatencyUs) this.maxLatencyUs = latencyUs;
    if (latencyUs > book.lateAfterUs) this.late++;
  }

  onEnd(end: ConnectionEnd): void {
    this.hasEnded = true;
    this.isOpen = false;
    // Our own close at the drain keeps the membership to the end; any other end (the server
    // closing, even with 1000, an error, a ramp-down) makes the current part a partial one.
    this.leave(this.book.isDraining && end.initiatedByUs);
    this.host.ended(this, end);
  }

  /**
   * Ends the membership. Returns 0: fan-out losses are only known once the run-wide publish
   * counts are in, so the book counts them all at the end (FanoutBook.finalise).
   */
  abandon(): number {
    this.leave(this.book.isDraining);
    return 0;
  }

  /** Expected and lost deliveries of this subscriber, given the run-wide counts (if any). */
  account(t: FanoutTotals | undefined): SubscriberAccount {
    const book = this.book;
    const isCounted = t?.isComplete === true;
    const lastFull = Math.min(this.lastFullPart, book.lastStartedPart);
    let expected = 0;
    let received = 0;
    let isSurplus = false;
    for (let p = 0; p < book.partCount; p++) {
      received += this.receivedByPart[p]!;
      const byPublisher = this.streams[p];
      if (isCounted && p >= this.firstFullPart && p <= lastFull) {
        // This shard's publishers' counts are known; another shard's streams count by their span.
        const got = this.receivedLocalByPart[p]!;
        const due = this.expectedInPart(p, t);
        if (got > due) isSurplus = true;
        expected += Math.max(due, got);
        if (byPublisher !== undefined) for (const [id, s] of byPublisher) if (!book.isLocalPublisher(id)) expected += s.span;
      } else if (byPublisher !== undefined) for (const s of byPublisher.values()) expected += s.span;
    }
    const s = this.serverStream;
    if (s !== undefined) {
      const end = this.isMemberAtEnd && t !== undefined ? Math.max(s.high, t.serverMaxSeq) : s.high;
      expected += end - s.low + 1;
      received += s.received;
    }
    return {
      stat: {
        subscriber: this.label,
        expected,
        received,
        lost: expected - received,
        duplicated: this.duplicated,
        reordered: this.reordered,
        late: this.late,
        maxLatencyUs: Math.round(this.maxLatencyUs),
      },
      isSurplus,
    };
  }

  /** Messages a full member of part `p` expects: all published in it, less its own if excluded. */
  private expectedInPart(p: number, t: FanoutTotals): number {
    const all = t.publishedByPart[p] ?? 0;
    return this.book.spec.includeSender ? all : all - this.ownByPart[p]!;
  }

  private leave(isToTheEnd: boolean): void {
    if (this.hasLeft) return;
    this.hasLeft = true;
    this.isMemberAtEnd = isToTheEnd;
    this.lastFullPart = isToTheEnd ? this.book.lastStartedPart : this.book.lastStartedPart - 1;
  }

  /** Sends the next message of the current part, intended for `intendedUs`. */
  private publish(intendedUs: number): void {
    this.x = step(this.x, CANVAS_WIDTH);
    this.y = step(this.y, CANVAS_HEIGHT);
    const frame = this.writer!.write(this.publisherId, this.part, this.nextSeq, intendedUs + this.book.stampShiftUs, this.x, this.y);
    if (!this.conn.send(frame, this.group.spec.message.binary)) return;
    this.nextSeq++;
    this.published++;
    this.ownByPart[this.part]!++;
    this.book.publishedByPart[this.part]!++;
    const counters = this.host.counters;
    counters.msgs_sent++;
    counters.bytes_sent += frame.length;
  }
}

/** Moves a coordinate a little, staying on the canvas (a stroke, not a scatter of dots). */
function step(v: number, size: number): number {
  const next = v + Math.round((Math.random() * 2 - 1) * STROKE_STEP);
  return next < 0 ? 0 : next >= size ? size - 1 : next;
}

/**
 * Builds a fan-out session (the registry's factory for `publisher`, `subscriber` and `pubsub`:
 * the group's role decides whether it publishes, subscribes or both).
 */
export function createFanoutSession(host: RoleHost, group: GroupRuntime, globalIndex: number, book: unknown): Session {
  if (!(book instanceof FanoutBook))
    throw new Error('fan-out session without a fan-out book: roles/registry.ts pairs the fan-out roles with one');
  return new FanoutSession(host, group, globalIndex, book);
}
