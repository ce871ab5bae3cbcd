/**
 * One upgraded WebSocket connection handled the way Hyperlane's `ws_from_stream` handles it
 * (docs/hyperlane-wire.md §1, "Inbound frame handling" and "Idle / keepalive"):
 * - Text and Binary frames are joined until one has FIN=1, which makes a message (so a FIN=0
 *   Text frame followed by a Text frame is accepted, as in Hyperlane);
 * - Ping and Pong are ignored: no Pong is ever sent;
 * - a Close frame ends the connection by closing TCP, with no Close frame sent back;
 * - a Continuation frame (RFC fragmentation) or a reserved opcode ends it the same way;
 * - with an idle limit, a connection that sends nothing for that long is dropped, unless it sent
 *   a control frame or part of a message meanwhile, in which case it gets a bare Ping.
 *
 * Every write goes through `write`, which tells the handler when the socket has handed all of
 * it to the kernel (`onDrained`). The broadcast endpoint builds its lag model on that.
 */
import type { Socket } from 'node:net';
import { Opcode } from '../../wire/ws-frame.js';
import type { EndpointCounters } from '../stats.js';
import { closeCodeOf, FrameDecoder, PING_FRAME, type FrameSink } from './ws-codec.js';

/** Limits of one connection. */
export interface ConnectionLimits {
  /** Drop a connection that sends nothing for this long; 0 = never. */
  idleDropMs: number;
  /** Largest message (one frame, or fragments joined); larger drops the connection as `too_large`. */
  maxMessageBytes: number;
  /** Unsent bytes (socket queue plus delayed echoes) past which reading stops. */
  queueLimitBytes: number;
}

/**
 * Time a dropped connection gets to flush what was written before its socket is destroyed. A
 * client that stopped reading would otherwise keep it (and its queue) forever: 'finish' never
 * comes while the kernel's send buffer is full.
 */
const DROP_GRACE_MS = 1000;

/** Why the server closed a connection's TCP without a close frame (`drops_by_reason` keys). */
export type DropReason = 'client_close' | 'fragmented' | 'unsupported_opcode' | 'too_large' | 'idle' | 'lagged' | 'shutdown';

/** What an endpoint does with a connection's events. */
export interface ConnectionHandler {
  /** A complete message. `payload` is valid only during the call: copy it to keep it. */
  onMessage(conn: HyperlaneConnection, payload: Buffer): void;
  /** Everything written so far has been handed to the kernel. */
  onDrained?(conn: HyperlaneConnection): void;
  /** The TCP connection has closed (counters are already updated). */
  onClosed(conn: HyperlaneConnection): void;
}

/** RFC 6455 §7.4.1: 1006, the code for a connection that ended without a Close frame. */
const CLOSE_ABNORMAL = 1006;

/** An upgraded socket speaking Hyperlane's dialect of WebSocket. */
export class HyperlaneConnection implements FrameSink {
  /** False once the server has decided to drop it, or once it has closed. */
  isOpen = true;
  private readonly decoder: FrameDecoder;
  /** Payload bytes of this connection's echoes waiting in a delay line. */
  heldBytes = 0;
  private isQueueHeld = false;
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  /** A frame arrived since the last complete message: the idle check pings instead of dropping. */
  private hasFrameSinceMessage = false;
  private isReadPaused = false;
  private isReadHeld = false;
  private closeCode = CLOSE_ABNORMAL;
  private readonly idleTimer: NodeJS.Timeout | undefined;

  /**
   * Takes over `socket` (already upgraded; the caller writes the 101 with `write`) and counts
   * it as accepted. Call `start` once the handler is ready for messages.
   */
  constructor(
    readonly socket: Socket,
    /** The client's `Sec-WebSocket-Key` (sent back by the README variant). */
    readonly key: string,
    private readonly counters: EndpointCounters,
    private readonly limits: ConnectionLimits,
    private readonly handler: ConnectionHandler,
  ) {
    this.decoder = new FrameDecoder(this, limits.maxMessageBytes);
    counters.connections_accepted++;
    counters.connections_open++;
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    // Hyperlane reads 0 bytes, fails the frame read and drops the connection.
    socket.on('end', () => socket.destroy());
    // A reset or a write to a closed peer; 'close' follows and does the bookkeeping.
    socket.on('error', () => {});
    socket.once('close', this.onSocketClose);
    if (limits.idleDropMs > 0) this.idleTimer = setTimeout(this.onIdle, limits.idleDropMs).unref();
  }

  /** Decodes the bytes that arrived with the upgrade request, then everything that follows. */
  start(head: Buffer): void {
    if (head.length > 0) this.onData(head);
  }

  /**
   * Writes prepared frame bytes. When the kernel does not take them all at once, reading pauses
   * until it has: Hyperlane awaits each write before it reads the next frame.
   */
  write(bytes: Buffer): void {
    if (!this.socket.writable) return;
    if (!this.socket.write(bytes, this.afterWrite) && !this.isReadPaused) {
      this.isReadPaused = true;
      this.socket.pause();
    }
  }

  /**
   * Stops (or restarts) reading for the handler's own reasons (a serial echo with a message
   * waiting), independently of the pause the write path takes while the kernel is full.
   */
  holdReads(on: boolean): void {
    if (this.isReadHeld === on) return;
    this.isReadHeld = on;
    this.applyReads();
  }

  /**
   * Stops reading while the bytes this connection owes (socket queue plus `heldBytes` in a delay
   * line) exceed the limit, and restarts below it: a client that sends and never reads cannot
   * make the server hold its whole input.
   */
  updateQueueHold(): void {
    const isOver = this.socket.writableLength + this.heldBytes > this.limits.queueLimitBytes;
    if (isOver === this.isQueueHeld) return;
    if (isOver) this.counters.reads_paused++;
    this.isQueueHeld = isOver;
    this.applyReads();
  }

  private applyReads(): void {
    if (this.isReadHeld || this.isQueueHeld || this.isReadPaused) this.socket.pause();
    else this.socket.resume();
  }

  /** True while written bytes wait in user space because the kernel's send buffer is full. */
  get isBackedUp(): boolean {
    return this.socket.writableLength > 0;
  }

  /**
   * A message was delivered to this client: restart the idle wait. Hyperlane's broadcast loop
   * `select!`s between the read and the channel, so each delivery starts a fresh read timeout.
   */
  noteDelivery(): void {
    this.idleTimer?.refresh();
    this.hasFrameSinceMessage = false;
  }

  /**
   * Ends the connection the Hyperlane way: TCP close, no close frame. Bytes already written are
   * flushed first so the client never sees a cut frame; the drop is counted under `reason` now.
   */
  drop(reason: DropReason): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.counters.countDrop(reason);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.socket.end();
    this.socket.once('finish', () => this.socket.destroy());
    setTimeout(() => this.socket.destroy(), DROP_GRACE_MS).unref();
  }

  /** FrameSink: one decoded frame; returns false once the connection is being dropped. */
  onFrame(fin: boolean, opcode: number, payload: Buffer): boolean {
    switch (opcode) {
      case Opcode.Text:
      case Opcode.Binary:
        return this.onDataFrame(fin, payload);
      case Opcode.Ping:
      case Opcode.Pong:
        this.hasFrameSinceMessage = true;
        return true;
      case Opcode.Close:
        this.closeCode = closeCodeOf(payload);
        this.drop('client_close');
        return false;
      case Opcode.Continuation:
        this.drop('fragmented');
        return false;
      default:
        this.drop('unsupported_opcode');
        return false;
    }
  }

  /** FrameSink: a frame longer than the decoder accepts. */
  onOversized(): void {
    this.counters.msgs_too_large++;
    this.drop('too_large');
  }

  private onDataFrame(fin: boolean, payload: Buffer): boolean {
    this.hasFrameSinceMessage = true;
    if (!fin || this.fragments.length > 0) {
      this.fragmentBytes += payload.length;
      if (this.fragmentBytes > this.limits.maxMessageBytes) {
        this.counters.msgs_too_large++;
        this.drop('too_large');
        return false;
      }
      this.fragments.push(Buffer.from(payload));
      if (!fin) return true;
      payload = Buffer.concat(this.fragments, this.fragmentBytes);
      this.fragments = [];
      this.fragmentBytes = 0;
    }
    this.hasFrameSinceMessage = false;
    this.handler.onMessage(this, payload);
    return this.isOpen;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.isOpen) return;
    this.idleTimer?.refresh();
    this.decoder.push(chunk);
  };

  private readonly afterWrite = (): void => {
    if (this.socket.writableLength > 0) return;
    if (this.isReadPaused) {
      this.isReadPaused = false;
      this.applyReads();
    }
    this.updateQueueHold();
    this.handler.onDrained?.(this);
  };

  private readonly onIdle = (): void => {
    if (!this.isOpen) return;
    // Busy writing is not idle: Hyperlane's read timeout only runs while it waits for a read.
    if (this.isBackedUp) return void this.idleTimer?.refresh();
    if (!this.hasFrameSinceMessage) {
      this.counters.idle_closed++;
      return this.drop('idle');
    }
    this.hasFrameSinceMessage = false;
    this.write(PING_FRAME);
    this.idleTimer?.refresh();
  };

  private readonly onSocketClose = (): void => {
    this.isOpen = false;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.counters.connections_open--;
    this.counters.countClose(this.closeCode);
    this.handler.onClosed(this);
  };
}
