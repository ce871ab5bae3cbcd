/**
 * The WebSocket endpoints of the `hyperlane` and `hyperlane-readme` profiles. The upgrade is
 * answered by hand (handshake.ts) and the socket is then spoken to directly (connection.ts),
 * because `ws` would pong, answer close frames and join fragments, which are exactly the
 * behaviours these profiles must not have.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ReferenceServerOptions } from '../options.js';
import { stampedMessage } from '../stamp.js';
import type { StatsBook } from '../stats.js';
import type { BroadcastRelay, WsEndpointName, WsEndpointSet } from '../ws-endpoint-set.js';
import { HyperlaneBroadcast } from './broadcast.js';
import { HyperlaneConnection } from './connection.js';
import { HyperlaneEcho } from './echo.js';
import { hyperlaneHandshakeResponse } from './handshake.js';

/**
 * Echo and broadcast with Hyperlane's wire habits; owns every connection they open. In a
 * multi-process server each process has its own tokio-style ring: a relayed message enters each
 * ring as a local one does, so capacity, lag and `msgs_skipped_lagged` are per process, like
 * separate Hyperlane instances fed by one upstream.
 */
export class HyperlaneWsEndpoints implements WsEndpointSet {
  private readonly connections = new Set<HyperlaneConnection>();
  private readonly echo: HyperlaneEcho;
  private readonly broadcast: HyperlaneBroadcast;
  private publisher: NodeJS.Timeout | undefined;
  private publishSeq = 0;
  private onAllClosed: (() => void) | undefined;

  constructor(
    private readonly opts: ReferenceServerOptions,
    private readonly stats: StatsBook,
    /** Set in a cluster worker: messages from local clients also go to the other processes. */
    relay?: BroadcastRelay,
  ) {
    const onGone = (conn: HyperlaneConnection): void => this.forget(conn);
    this.echo = new HyperlaneEcho(
      stats.websocket,
      { isReadme: opts.profile === 'hyperlane-readme', echoDelayMs: opts.echoDelayMs, echoSerial: opts.echoSerial },
      onGone,
    );
    this.broadcast = new HyperlaneBroadcast(stats.broadcast, opts.broadcastCapacity, opts.lagPolicy, onGone, relay);
  }

  /** Messages the `/broadcast` ring holds (the capacity rounded up to a power of two). */
  get broadcastRetained(): number {
    return this.broadcast.retained;
  }

  startPublisher(): void {
    if (this.opts.publishIntervalMs > 0 && !this.publisher) {
      this.publisher = setInterval(() => this.publish(), this.opts.publishIntervalMs);
    }
  }

  /** Hyperlane picks the opcode by UTF-8 validity, so `isBinary` is not needed. */
  deliverBroadcast(payload: Buffer): void {
    this.broadcast.publish(payload);
  }

  handleUpgrade(endpoint: WsEndpointName, req: IncomingMessage, duplex: Duplex, head: Buffer): void {
    // The http server hands over the net.Socket it parsed the request from.
    const socket = duplex as Socket;
    // A client that left during the upgrade: its 'close' has fired already and would never
    // balance the counters.
    if (!socket.readable || !socket.writable) return void socket.destroy();
    const header = req.headers['sec-websocket-key'];
    // Hyperlane does not check the key; a missing one hashes as an empty (zero-filled) key.
    const key = typeof header === 'string' ? header : '';
    const handler = endpoint === 'websocket' ? this.echo : this.broadcast;
    const conn = new HyperlaneConnection(
      socket,
      key,
      this.stats[endpoint],
      {
        idleDropMs: this.opts.idleDropMs || this.opts.idleTimeoutMs,
        maxMessageBytes: this.opts.maxMessageBytes,
        queueLimitBytes: this.opts.slowClientLimitBytes,
      },
      handler,
    );
    conn.write(Buffer.from(hyperlaneHandshakeResponse(key), 'latin1'));
    this.connections.add(conn);
    handler.accept(conn);
    conn.start(head);
  }

  /**
   * Stops the publisher and drops every connection (TCP close after pending bytes, counted as
   * `shutdown`): Hyperlane never sends a Close frame, not even when it stops.
   */
  closeAll(): Promise<void> {
    this.echo.line?.clear();
    if (this.publisher) clearInterval(this.publisher);
    this.publisher = undefined;
    for (const conn of this.connections) conn.drop('shutdown');
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onAllClosed = resolve;
    });
  }

  terminateAll(): void {
    for (const conn of this.connections) conn.socket.destroy();
  }

  /** The server-side publisher: `{"seq":n,"t":"<hrtime ns>"}`, the same stamp as `strict`. */
  private publish(): void {
    this.broadcast.publish(stampedMessage(this.publishSeq++));
  }

  private forget(conn: HyperlaneConnection): void {
    this.connections.delete(conn);
    if (this.onAllClosed && this.connections.size === 0) this.onAllClosed();
  }
}
