/**
 * One echo connection: sends stamped probes, matches replies, records latency.
 *
 * Matching (DESIGN.md §3): a reply's stamp names the message it answers, so a gap, a
 * duplicate or a late (reordered) reply is counted exactly. A reply without a stamp (a server
 * that transforms payloads) is matched first-in-first-out, which WebSocket over TCP makes
 * sound, and the report says so. With `perMessage > 1` (Hyperlane's README `/ws` answers
 * with the key, then the body) every reply counts towards the oldest message, FIFO.
 */
import type { DueItem } from '../load/due-heap.js';
import { SendQueue } from '../load/send-queue.js';
import { readProbe, type ProbeStamp } from '../protocol/payload.js';
import type { ClientConnection, ConnectionEnd, ConnectionHandler } from '../protocol/driver.js';
import type { EchoEngine } from './echo-engine.js';

const stamp: ProbeStamp = { seq: 0, intendedUs: 0 };

export class EchoSession implements ConnectionHandler, DueItem {
  conn!: ClientConnection;
  isOpen = false;
  hasEnded = false;
  dueUs = 0;
  heapIndex = -1;
  /** Index in the engine's list of live sessions (for O(1) removal). */
  liveIndex = -1;
  /** Messages sent without a reply yet (closed loop keeps this at `inFlight`). */
  readonly outstanding = new SendQueue();
  /** Sequence numbers skipped by a later reply; a late arrival is a reorder, not a loss. */
  skipped: Set<number> | undefined;
  private nextSeq = 0;
  private greetingsLeft: number;
  private partialReplies = 0;

  constructor(
    private readonly engine: EchoEngine,
    /** Position among all connections of the run (spreads first sends over a period). */
    readonly globalIndex: number,
  ) {
    this.greetingsLeft = engine.replies.skipFirst;
  }

  onOpen(connectUs: number): void {
    this.isOpen = true;
    this.engine.sessionOpened(this, connectUs);
  }

  onMessage(data: Buffer, isBinary: boolean, atUs: number): void {
    const engine = this.engine;
    const counters = engine.recorder.counters;
    counters.msgs_received++;
    counters.bytes_received += data.length;
    if (this.greetingsLeft > 0) {
      this.greetingsLeft--;
      return;
    }
    if (isBinary !== engine.sendsBinary) engine.noteOpcodeChange();
    const q = this.outstanding;
    if (engine.replies.perMessage !== 1) {
      if (q.length === 0) {
        counters.msgs_unexpected++;
        return;
      }
      if (++this.partialReplies < engine.replies.perMessage) return;
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
      this.complete(atUs);
      return;
    }
    const headSeq = q.headSeq();
    if (headSeq === undefined || stamp.seq < headSeq) {
      // Older than anything outstanding: either a reply we had given up on, or a duplicate.
      if (this.skipped?.delete(stamp.seq)) {
        counters.msgs_reordered++;
        engine.recordLatency(atUs - stamp.intendedUs, -1);
      } else counters.msgs_duplicated++;
      return;
    }
    while (q.length > 0 && q.headSeq()! < stamp.seq) {
      (this.skipped ??= new Set()).add(q.headSeq()!);
      q.shift();
    }
    if (q.headSeq() === stamp.seq) this.complete(atUs);
    else counters.msgs_unexpected++; // a seq we never sent
  }

  onEnd(end: ConnectionEnd): void {
    this.hasEnded = true;
    this.isOpen = false;
    this.engine.sessionEnded(this, end);
  }

  /** Sends the next probe, intended for `intendedUs`, now at `nowUs`. */
  send(intendedUs: number, nowUs: number): void {
    const engine = this.engine;
    const seq = this.nextSeq++;
    const frame = engine.probe.write(seq, intendedUs);
    if (!this.conn.send(frame, engine.sendsBinary)) return;
    this.outstanding.push(seq, intendedUs, nowUs);
    const counters = engine.recorder.counters;
    counters.msgs_sent++;
    counters.bytes_sent += frame.length;
  }

  /** Messages that will never be answered now: everything outstanding and skipped. */
  abandon(): number {
    const n = this.outstanding.length + (this.skipped?.size ?? 0);
    this.outstanding.clear();
    this.skipped = undefined;
    this.partialReplies = 0;
    return n;
  }

  /** The oldest outstanding message got its (last) reply at `atUs`. */
  private complete(atUs: number): void {
    const q = this.outstanding;
    const intended = q.headIntendedUs();
    const sent = q.headSentUs();
    q.shift();
    this.engine.replyCompleted(this, atUs - intended, atUs - sent);
  }
}
