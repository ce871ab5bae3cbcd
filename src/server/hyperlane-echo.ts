/**
 * The `/websocket` echo of the Hyperlane profiles (SEED-WIRE.md §1, "Per-message behaviour").
 * Each message goes back as one message whose opcode follows the UTF-8 validity of the bytes
 * and which is split into 65,535-byte frames when longer (ws-codec.ts). The README variant
 * first sends the client's `ip:port`, then answers every message twice: the client's
 * `Sec-WebSocket-Key`, then the body.
 */
import type { ConnectionHandler, HyperlaneConnection } from './hyperlane-connection.js';
import type { EndpointCounters } from './stats.js';
import { encodeHyperlaneMessage } from './ws-codec.js';

/** Settings of the echo. */
export interface HyperlaneEchoOptions {
  /** The README variant: greeting with the address, then key + body per message. */
  isReadme: boolean;
  /** Delay before each reply, in milliseconds; 0 answers at once. */
  echoDelayMs: number;
}

/** Serves the echo on every connection handed to `accept`. */
export class HyperlaneEcho implements ConnectionHandler {
  constructor(
    private readonly counters: EndpointCounters,
    private readonly opts: HyperlaneEchoOptions,
    private readonly onGone: (conn: HyperlaneConnection) => void,
  ) {}

  /** Starts serving `conn`; the README variant greets it with its socket address first. */
  accept(conn: HyperlaneConnection): void {
    if (!this.opts.isReadme) return;
    // Hyperlane's `connected_hook` sends the peer's `SocketAddr`, which Rust prints as
    // `ip:port`, with the IPv6 address in brackets.
    const ip = conn.socket.remoteAddress ?? '';
    const address = `${ip.includes(':') ? `[${ip}]` : ip}:${conn.socket.remotePort ?? 0}`;
    conn.write(encodeHyperlaneMessage(Buffer.from(address)));
    this.counters.msgs_sent++;
  }

  onMessage(conn: HyperlaneConnection, payload: Buffer): void {
    this.counters.msgs_received++;
    if (this.opts.echoDelayMs > 0) {
      // The payload is a view into the read buffer, so the delayed reply keeps a copy. Unref'd
      // so pending replies never hold the process open once the server has closed.
      setTimeout(replyLater, this.opts.echoDelayMs, this, conn, Buffer.from(payload)).unref();
      return;
    }
    this.reply(conn, payload);
  }

  onClosed(conn: HyperlaneConnection): void {
    this.onGone(conn);
  }

  /** Sends the reply (or, for the README variant, the key and then the body). */
  reply(conn: HyperlaneConnection, payload: Buffer): void {
    if (!conn.isOpen) return;
    if (this.opts.isReadme) {
      conn.write(encodeHyperlaneMessage(Buffer.from(conn.key, 'latin1')));
      this.counters.msgs_sent++;
    }
    conn.write(encodeHyperlaneMessage(payload));
    this.counters.msgs_sent++;
  }
}

function replyLater(echo: HyperlaneEcho, conn: HyperlaneConnection, payload: Buffer): void {
  echo.reply(conn, payload);
}
