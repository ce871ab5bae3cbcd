/**
 * `/broadcast` in the Hyperlane profiles: every message from any client (and from the optional
 * server-side publisher) goes into one tokio-style broadcast channel (tokio-broadcast.ts), and
 * every connected client, the sender included, receives it from its own cursor.
 *
 * The lag model. In Hyperlane each connection's task loops on `receiver.recv()` and awaits
 * `write_all` of the message to its socket before it receives the next one; a client that does
 * not read fills its kernel buffers, the write stops completing, and its cursor stops while the
 * ring moves on. Here, likewise, a receiver takes messages from the channel only while its
 * socket has handed everything written so far to the kernel (`writableLength === 0`): at most
 * one message per receiver waits in user space, exactly like one pending `write_all`. When the
 * ring overwrites a message that a receiver has not taken, that receiver has lagged:
 * - `skip` (docs example, which ignores `Lagged`): its cursor moves to the oldest message still
 *   held and the lost messages are counted in `msgs_skipped_lagged`, so the client sees a gap
 *   of exactly that many messages;
 * - `disconnect` (hyperlane-plugin-websocket, which breaks on any `recv` error): its TCP
 *   connection is closed after the bytes already written, counted in `drops_by_reason.lagged`.
 * Lag is detected when the overwrite happens, not when the receiver next calls `recv` as tokio
 * does; the lost count is the same, and `/stats` shows it while the client is still stalled.
 */
import type { LagPolicy } from '../options.js';
import type { EndpointCounters } from '../stats.js';
import type { BroadcastRelay } from '../ws-endpoint-set.js';
import type { ConnectionHandler, HyperlaneConnection } from './connection.js';
import { TokioBroadcast, type BroadcastCursor } from './tokio-broadcast.js';
import { encodeHyperlaneMessage } from './ws-codec.js';

/** The fan-out channel and its receivers. */
export class HyperlaneBroadcast implements ConnectionHandler {
  /** Encoded frames: a message is framed once and the same bytes go to every receiver. */
  private readonly channel: TokioBroadcast<Buffer>;
  private readonly receivers = new Map<HyperlaneConnection, BroadcastCursor>();

  constructor(
    private readonly counters: EndpointCounters,
    capacity: number,
    private readonly lagPolicy: LagPolicy,
    private readonly onGone: (conn: HyperlaneConnection) => void,
    /** Set in a cluster worker: client messages also go to the other processes' rings. */
    private readonly relay?: BroadcastRelay,
  ) {
    this.channel = new TokioBroadcast<Buffer>(capacity);
  }

  /** Messages the ring holds: the capacity rounded up to a power of two, as in tokio. */
  get retained(): number {
    return this.channel.retained;
  }

  /** Subscribes `conn`: it receives every message sent from now on. */
  accept(conn: HyperlaneConnection): void {
    this.receivers.set(conn, this.channel.subscribe());
  }

  /** Sends `payload` to every receiver (framed the Hyperlane way). */
  publish(payload: Uint8Array): void {
    // An empty message encodes to no frame, so Hyperlane's receivers write nothing for it.
    if (payload.length === 0) return;
    this.channel.send(encodeHyperlaneMessage(payload));
    for (const [conn, cursor] of this.receivers) this.serve(conn, cursor);
  }

  onMessage(_conn: HyperlaneConnection, payload: Buffer): void {
    this.counters.msgs_received++;
    this.publish(payload);
    // The opcode is chosen again from UTF-8 validity where the message is delivered.
    this.relay?.forward(payload, false);
  }

  onDrained(conn: HyperlaneConnection): void {
    const cursor = this.receivers.get(conn);
    if (cursor) this.serve(conn, cursor);
  }

  onClosed(conn: HyperlaneConnection): void {
    this.receivers.delete(conn);
    this.onGone(conn);
  }

  /**
   * Settles any lag of one receiver, then writes it what is waiting for as long as its kernel
   * takes the bytes at once. Called after each publish and whenever its socket drains.
   */
  private serve(conn: HyperlaneConnection, cursor: BroadcastCursor): void {
    if (!conn.isOpen) return;
    const skipped = this.channel.skipLag(cursor);
    if (skipped > 0) {
      if (this.lagPolicy === 'disconnect') {
        this.receivers.delete(conn);
        conn.drop('lagged');
        return;
      }
      this.counters.msgs_skipped_lagged += skipped;
    }
    while (!conn.isBackedUp) {
      const frame = this.channel.take(cursor);
      if (frame === undefined) return;
      conn.write(frame);
      conn.noteDelivery();
      this.counters.msgs_sent++;
    }
  }
}
