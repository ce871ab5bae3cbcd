/**
 * The `/websocket` echo of the Hyperlane profiles (docs/hyperlane-wire.md §1, "Per-message behaviour").
 * Each message goes back as one message whose opcode follows the UTF-8 validity of the bytes
 * and which is split into 65,535-byte frames when longer (ws-codec.ts). The README variant
 * first sends the client's `ip:port`, then answers every message twice: the client's
 * `Sec-WebSocket-Key`, then the body.
 */
import { DelayLine, SerialTurns } from '../delay-line.js';
import type { EndpointCounters } from '../stats.js';
import type { ConnectionHandler, HyperlaneConnection } from './connection.js';
import { encodeHyperlaneMessage } from './ws-codec.js';

/** Settings of the echo. */
export interface HyperlaneEchoOptions {
  /** The README variant: greeting with the address, then key + body per message. */
  isReadme: boolean;
  /** Delay before each reply, in milliseconds; 0 answers at once. */
  echoDelayMs: number;
  /** Serial delay: one message in the delay at a time per connection, the others wait. */
  echoSerial: boolean;
}

/** Serves the echo on every connection handed to `accept`. */
export class HyperlaneEcho implements ConnectionHandler {
  /** Exact delays (../delay-line.ts); undefined without a delay. */
  readonly line: DelayLine | undefined;
  /** Serial echo: each connection's messages waiting behind the one in the delay. */
  private readonly turns = new WeakMap<HyperlaneConnection, SerialTurns<Buffer>>();

  constructor(
    private readonly counters: EndpointCounters,
    private readonly opts: HyperlaneEchoOptions,
    private readonly onGone: (conn: HyperlaneConnection) => void,
  ) {
    this.line = opts.echoDelayMs > 0 ? new DelayLine(opts.echoDelayMs * 1000) : undefined;
  }

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
    if (this.line) {
      // The payload is a view into the read buffer, so the delayed reply keeps a copy.
      // The copies count against the connection's queue limit, so a client that sends faster
      // than the delay drains is paused rather than held in memory.
      const copy = Buffer.from(payload);
      conn.heldBytes += copy.length;
      conn.updateQueueHold();
      if (!this.opts.echoSerial) return this.line.push(replyLater, this, conn, copy);
      let turns = this.turns.get(conn);
      if (!turns) this.turns.set(conn, (turns = new SerialTurns()));
      if (turns.offer(copy)) this.line.push(replyInTurn, this, conn, copy);
      // Read nothing more while a message waits its turn (back-pressure to the client).
      else conn.holdReads(true);
      return;
    }
    this.reply(conn, payload);
    conn.updateQueueHold();
  }

  /**
   * Serial echo: starts the delay of the connection's next waiting message (from when the
   * previous reply was due, never before it arrived), or reads again when none waits.
   */
  startNextTurn(conn: HyperlaneConnection, previousDueUs: number): void {
    const turns = this.turns.get(conn);
    const next = conn.isOpen ? turns?.next() : undefined;
    if (next) this.line!.push(replyInTurn, this, conn, next, turns!.startUs(previousDueUs));
    else conn.holdReads(false);
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
    // An empty message encodes to no frame: Hyperlane never answers it.
    if (payload.length === 0) return;
    conn.write(encodeHyperlaneMessage(payload));
    this.counters.msgs_sent++;
  }
}

function replyLater(echo: HyperlaneEcho, conn: HyperlaneConnection, payload: Buffer): void {
  conn.heldBytes -= payload.length;
  echo.reply(conn, payload);
  conn.updateQueueHold();
}

/** Serial echo: answer, then start the next message's delay from when this one was due (../strict/ws-endpoints.ts). */
function replyInTurn(echo: HyperlaneEcho, conn: HyperlaneConnection, payload: Buffer): void {
  conn.heldBytes -= payload.length;
  echo.reply(conn, payload);
  conn.updateQueueHold();
  echo.startNextTurn(conn, echo.line!.dueUs);
}
