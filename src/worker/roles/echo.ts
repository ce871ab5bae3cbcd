/**
 * One echo connection: sends stamped probes, matches replies, records latency.
 *
 * Open loop sends each message at its intended time whatever is outstanding, as a WebSocket
 * client does (docs/architecture.md §5). Only request/response emulation (`maxInFlight` > 0, as wrk2 over
 * HTTP/1.1) holds a due send back until a reply frees a slot. Outstanding messages are bounded
 * by the reply timeout and by `maxOutstanding`; what passes either is given up and counted lost.
 *
 * Matching (docs/architecture.md §5.3): a reply's stamp names the message it answers, so a gap, a
 * duplicate or a late (reordered) reply is counted exactly. A reply without a stamp (a server
 * that transforms payloads) is matched first-in-first-out, which WebSocket over TCP makes
 * sound, and the report says so. With `perMessage > 1` (Hyperlane's README `/ws` answers
 * with the key, then the body) every reply counts towards the oldest message, FIFO.
 */
import { nextIntervalUs, firstSendOffsetUs } from '../../load/schedule.js';
import { SendQueue } from '../../load/send-queue.js';
import { GivenUpRanges } from './given-up.js';
import { readProbe, type ProbeStamp } from '../../protocol/payload.js';
import type { ClientConnection, ConnectionEnd } from '../../protocol/driver.js';
import type { LoadModel } from '../../scenario/types.js';
import { type GroupRuntime, MISSED_SEND_THRESHOLD_US, type PacedSession, type RoleHost, type Session } from '../session.js';

const stamp: ProbeStamp = { seq: 0, intendedUs: 0 };

export class EchoSession implements PacedSession {
  conn!: ClientConnection;
  isOpen = false;
  hasEnded = false;
  dueUs = 0;
  heapIndex = -1;
  liveIndex = -1;
  /** Messages sent without a reply yet (closed loop keeps this at `inFlight`). */
  readonly outstanding = new SendQueue();
  /** Sequence numbers skipped by a later reply; a late arrival is a reorder, not a loss. */
  skipped: Set<number> | undefined;
  /** Messages given up on (counted lost): a reply that still comes is late, not a duplicate. */
  private givenUp: GivenUpRanges | undefined;
  isWaitingOnServer = false;
  /** The model the outstanding messages were sent under (replies may land after it ends). */
  private isOpenLoop = false;
  /** Request/response emulation: a due send is held back until a reply frees an in-flight slot. */
  private isHeld = false;
  private nextSeq = 0;
  private greetingsLeft: number;
  private partialReplies = 0;

  constructor(
    private readonly host: RoleHost,
    readonly group: GroupRuntime,
    readonly globalIndex: number,
  ) {
    this.greetingsLeft = group.spec.replies.skipFirst;
  }

  get pending(): number {
    return this.outstanding.length;
  }

  onOpen(connectUs: number): void {
    this.isOpen = true;
    this.host.opened(this, connectUs);
  }

  startLoad(load: LoadModel, now: number): void {
    this.isOpenLoop = load.kind === 'open';
    this.isHeld = false;
    this.isWaitingOnServer = false;
    if (load.kind === 'open') {
      this.dueUs = now + firstSendOffsetUs(Math.max(0, this.globalIndex), this.group.index, load.ratePerSec);
      this.host.schedule(this);
    } else if (load.thinkTimeMs > 0 && this.outstanding.length === 0) {
      // Users with think time do not all act in the same millisecond: the first sends spread
      // over one think time as open-loop ones do over their period. In step, a connection
      // count's worth of messages would meet the server at once every round, and the burst's
      // queue would read as latency (docs/architecture.md §5.6).
      this.dueUs = now + firstSendOffsetUs(Math.max(0, this.globalIndex), this.group.index, 1000 / load.thinkTimeMs);
      this.host.schedule(this);
    } else {
      for (let i = this.outstanding.length; i < load.inFlight; i++) this.send(now, now);
    }
  }

  onDue(now: number): void {
    const load = this.host.load;
    if (load?.kind === 'open') {
      if (load.maxInFlight > 0 && this.outstanding.length >= load.maxInFlight) {
        // As wrk2 does: the send waits for a reply; when it goes, its latency still counts
        // from `dueUs`, so the wait shows up in `latency` and not in `latency_uncorrected`.
        this.isHeld = true;
        this.isWaitingOnServer = true;
        return;
      }
      if (this.isWaitingOnServer && now - this.dueUs <= MISSED_SEND_THRESHOLD_US) this.isWaitingOnServer = false;
      // Sent early (the pacer's 1 ms horizon): measured from the actual send.
      this.send(Math.min(this.dueUs, now), now);
      this.dueUs += nextIntervalUs(load.ratePerSec, load.arrival);
      this.host.schedule(this);
    } else if (load?.kind === 'closed') {
      // After think time, refill to `inFlight` (replies within one think time share this slot);
      // closed loop measures from the actual send.
      for (let i = this.outstanding.length; i < load.inFlight; i++) this.send(now, now);
    }
  }

  expire(now: number, limitUs: number): number {
    const q = this.outstanding;
    let expired = 0;
    while (q.length > 0 && now - q.headSentUs() > limitUs) {
      this.giveUpOldest();
      expired++;
    }
    const load = this.host.load;
    if (expired === 0 || this.host.draining || !this.isOpen) return expired;
    if (load?.kind === 'closed') {
      for (let i = q.length; i < load.inFlight; i++) this.send(now, now);
    } else if (load?.kind === 'open' && this.isHeld) {
      this.isHeld = false;
      this.onDue(now);
    }
    return expired;
  }

  onMessage(data: Buffer, isBinary: boolean, atUs: number): void {
    const host = this.host;
    const group = this.group;
    const counters = host.counters;
    counters.msgs_received++;
    counters.bytes_received += data.length;
    if (this.greetingsLeft > 0) {
      this.greetingsLeft--;
      return;
    }
    if (isBinary !== group.spec.message.binary) host.note(OPCODE_NOTE);
    const q = this.outstanding;
    const perMessage = group.spec.replies.perMessage;
    if (perMessage !== 1) {
      if (q.length === 0) {
        counters.msgs_unexpected++;
        return;
      }
      if (++this.partialReplies < perMessage) return;
      this.partialReplies = 0;
      this.complete(atUs);
      return;
    }
    if (!readProbe(data, stamp)) {
      if (q.length === 0) {
        counters.msgs_unexpected++;
        return;
      }
      counters.replies_matched_fifo++;
      host.note(FIFO_NOTE);
      this.complete(atUs);
      return;
    }
    const headSeq = q.headSeq();
    if (headSeq === undefined || stamp.seq < headSeq) {
      // Older than anything outstanding: either a reply we had given up on, or a duplicate.
      if (this.skipped?.delete(stamp.seq)) {
        counters.msgs_reordered++;
        host.record('latency', atUs - stamp.intendedUs);
      } else if (this.givenUp?.has(stamp.seq)) counters.replies_late++;
      else counters.msgs_duplicated++;
      return;
    }
    while (q.length > 0 && q.headSeq()! < stamp.seq) {
      const skipped = (this.skipped ??= new Set());
      skipped.add(q.headSeq()!);
      q.shift();
      // Bounded like the outstanding queue: a server that drops one message in a hundred
      // would otherwise grow this set for the whole run.
      if (skipped.size > host.connection.maxOutstanding) this.giveUpOldestSkipped();
    }
    if (q.headSeq() === stamp.seq) this.complete(atUs);
    else counters.msgs_unexpected++; // a seq we never sent
  }

  onEnd(end: ConnectionEnd): void {
    this.hasEnded = true;
    this.isOpen = false;
    this.host.ended(this, end);
  }

  /** Sends the next probe, intended for `intendedUs`, now at `nowUs`. */
  private send(intendedUs: number, nowUs: number): void {
    const seq = this.nextSeq++;
    const frame = this.group.probe.write(seq, intendedUs);
    if (!this.conn.send(frame, this.group.spec.message.binary)) return;
    const host = this.host;
    const counters = host.counters;
    if (this.outstanding.length >= host.connection.maxOutstanding) {
      // The memory bound: a server this far behind loses its oldest message, as a timeout would.
      this.giveUpOldest();
      counters.msgs_lost++;
      host.error('outstanding_limit');
    }
    this.outstanding.push(seq, intendedUs, nowUs);
    counters.msgs_sent++;
    counters.bytes_sent += frame.length;
  }

  /**
   * Messages that will never be answered now: everything outstanding and skipped. They are
   * given up, not forgotten: a reply still on its way (the drain, a ramp-down's close) is late.
   */
  abandon(): number {
    const n = this.outstanding.length + (this.skipped?.size ?? 0);
    const givenUp = (this.givenUp ??= new GivenUpRanges());
    for (const seq of this.skipped ?? []) givenUp.add(seq);
    this.skipped = undefined;
    while (this.outstanding.length > 0) this.giveUpOldest();
    return n;
  }

  /** Gives up the oldest skipped message (counted lost here). */
  private giveUpOldestSkipped(): void {
    const skipped = this.skipped!;
    const oldest = skipped.values().next().value!;
    skipped.delete(oldest);
    (this.givenUp ??= new GivenUpRanges()).add(oldest);
    this.host.counters.msgs_lost++;
    this.host.error('outstanding_limit');
  }

  /** Drops the oldest outstanding message; the caller counts it lost. */
  private giveUpOldest(): void {
    (this.givenUp ??= new GivenUpRanges()).add(this.outstanding.headSeq()!);
    this.outstanding.shift();
    this.partialReplies = 0;
  }

  /** The oldest outstanding message got its (last) reply at `atUs`. */
  private complete(atUs: number): void {
    const q = this.outstanding;
    const intended = q.headIntendedUs();
    const sent = q.headSentUs();
    q.shift();
    const host = this.host;
    const load = host.load;
    // Open loop: `latency` from the intended time, `latency_uncorrected` from the actual send.
    // Closed loop sends when it intends to, so the two are equal and only `latency` is kept.
    host.record('latency', atUs - intended);
    if (this.isOpenLoop) host.record('latency_uncorrected', atUs - sent);
    if (load?.kind === 'open') {
      if (this.isHeld && !host.draining && this.isOpen) {
        this.isHeld = false;
        host.counters.sends_waited_for_reply++;
        this.onDue(atUs);
      }
      return;
    }
    if (load?.kind !== 'closed' || host.draining || !this.isOpen) return;
    if (load.thinkTimeMs > 0) {
      this.dueUs = atUs + load.thinkTimeMs * 1000;
      host.schedule(this);
    } else this.send(atUs, atUs);
  }
}

const OPCODE_NOTE = 'the server answered text with binary or binary with text frames (accepted)';
const FIFO_NOTE = 'some replies carried no stamp (the server transforms payloads): matched in order (FIFO)';

/** Builds an echo session (the registry's factory). */
export function createEchoSession(host: RoleHost, group: GroupRuntime, globalIndex: number): Session {
  return new EchoSession(host, group, globalIndex);
}
