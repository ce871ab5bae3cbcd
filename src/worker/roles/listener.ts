/**
 * One SSE stream (docs/architecture.md §5.8, WHATWG HTML §9.2): connect time for every response, time from
 * request to first event, the gap between consecutive events, push latency where events carry
 * the reference server's stamp, and completeness.
 *
 * Completeness. An event's sequence number is, by preference, its stamp's `seq`
 * (`{"seq":n,"t":"<ns>"}`, /sse/ticks), its numeric `id:`, or its data when that is a bare
 * integer (the seed's `data:0` … `data:9`, which carry no id). TCP keeps events in order, so a
 * number above the next one expected is a gap (the numbers between are lost) and a number not
 * above the last one is a duplicate: the seed restarting at 0 after a reconnect (it ignores
 * Last-Event-ID) shows as 10 duplicates per reconnect (docs/faults.md #15). The first number a
 * stream sees is its baseline, so a stream that joins a broadcast mid-way has lost nothing.
 * Numeric ids are read as a sequence; a server whose ids are not consecutive (timestamps)
 * shows their jumps as losses. With `expectEvents`, a stream that ends (on the server's
 * side, or failing for good) short of that many new events counts the shortfall as lost, less
 * the gaps already counted: lost = max(gaps, expected − new events).
 */
import { nowUs } from '../../load/clock.js';
import type { ClientConnection, ConnectionEnd, SseHandler } from '../../protocol/driver.js';
import { readEventStamp, readSequenceNumber, type EventStamp } from '../../protocol/sse-stamp.js';
import type { GroupRuntime, RoleHost, Session } from '../session.js';

const stamp: EventStamp = { seq: 0, tNs: 0 };

const CUT_NOTE = 'some SSE streams were still running when the run ended (-d reached): their events count as expected only up to then';
const PUSH_NOTE =
  "push_latency is one-way: the server's stamp against this machine's monotonic clock, valid only when the server runs on this host";

/** One SSE stream's session (the `sse:listener` role): the handler its driver reports to. */
export class ListenerSession implements Session, SseHandler {
  conn!: ClientConnection;
  isOpen = false;
  hasEnded = false;
  isReconnecting = false;
  private hasNotedPush = false;
  readonly ownsReconnects = true;
  readonly reconnectsStream: boolean;
  liveIndex = -1;
  /** Request start of the current response (first_event_time counts from here). */
  private requestStartUs = 0;
  /** Receive time of the current response's last event; -1 before its first. */
  private lastEventUs = -1;
  /** Highest sequence number seen on this stream; -1 before the first. */
  private lastSeq = -1;
  /** Events of this stream that were not duplicates. */
  private freshEvents = 0;
  /** Sequence numbers this stream skipped (already counted in msgs_lost). */
  private gapLost = 0;
  /** Some response of this stream opened: only then is it due events (a refusal is an error, not a loss). */
  private hasOpened = false;
  private readonly expectEvents: number | undefined;

  constructor(
    private readonly host: RoleHost,
    readonly group: GroupRuntime,
    readonly globalIndex: number,
  ) {
    const sse = group.spec.sse;
    this.reconnectsStream = sse?.reconnect ?? true;
    this.expectEvents = sse?.expectEvents;
  }

  onOpen(connectUs: number): void {
    this.requestStartUs = nowUs() - connectUs;
    this.lastEventUs = -1;
    this.isOpen = true;
    this.hasOpened = true;
    this.isReconnecting = false;
    this.host.opened(this, connectUs);
  }

  onBodyBytes(byteCount: number): void {
    this.host.counters.bytes_received += byteCount;
  }

  onEvent(data: string, id: string | undefined, atUs: number): void {
    const host = this.host;
    const counters = host.counters;
    counters.events_received++;
    // Like connect_time, time to first event is a per-connection figure: never warm-up.
    if (this.lastEventUs < 0) host.record('first_event_time', atUs - this.requestStartUs, true);
    else host.record('event_gap', atUs - this.lastEventUs);
    this.lastEventUs = atUs;

    let seq: number;
    if (readEventStamp(data, stamp)) {
      seq = stamp.seq;
      // One-way: the server stamped with the same monotonic clock (loopback / same host).
      host.record('push_latency', atUs - stamp.tNs / 1000);
      if (!this.hasNotedPush) {
        // Once per stream, not per event; the host keeps one copy per run.
        this.hasNotedPush = true;
        host.note(PUSH_NOTE);
      }
    } else seq = readSequenceNumber(id ?? data);

    if (seq < 0) this.freshEvents++;
    else if (seq > this.lastSeq) {
      if (this.lastSeq >= 0 && seq > this.lastSeq + 1) {
        const gap = seq - this.lastSeq - 1;
        this.gapLost += gap;
        counters.msgs_lost += gap;
      }
      this.lastSeq = seq;
      this.freshEvents++;
    } else counters.msgs_duplicated++;
  }

  onInterrupted(end: ConnectionEnd): void {
    this.isOpen = false;
    this.isReconnecting = true;
    this.host.interrupted(this, end);
  }

  onReconnect(): void {
    this.host.counters.reconnects++;
  }

  onEnd(end: ConnectionEnd): void {
    this.settleExpected(end.initiatedByUs);
    this.hasEnded = true;
    this.isOpen = false;
    this.isReconnecting = false;
    this.host.ended(this, end);
  }

  /** SSE drivers deliver events through {@link onEvent}; there are no messages. */
  onMessage(): void {}

  /**
   * The stream is over: books the events it was expected to deliver. A stream the run cut
   * (drain, ramp-down) was due only what had come or been skipped by then; one that never
   * opened was due nothing (its failure is counted as an error).
   */
  private settleExpected(cutByUs: boolean): void {
    const expected = this.expectEvents;
    if (expected === undefined || !this.hasOpened) return;
    const counters = this.host.counters;
    const accounted = this.freshEvents + this.gapLost;
    if (cutByUs) {
      counters.events_expected += Math.min(expected, accounted);
      if (accounted < expected) this.host.note(CUT_NOTE);
      return;
    }
    counters.events_expected += expected;
    if (accounted < expected) counters.msgs_lost += expected - accounted;
  }
}

/** Builds an SSE listener session (the registry's factory). */
export function createListenerSession(host: RoleHost, group: GroupRuntime, globalIndex: number): Session {
  return new ListenerSession(host, group, globalIndex);
}
