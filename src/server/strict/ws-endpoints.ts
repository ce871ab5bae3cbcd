/**
 * The WebSocket endpoints of the `strict` profile (RFC 6455 through `ws`): `/websocket` (echo)
 * and `/broadcast` (every message to every client, plus an optional publisher of stamped
 * messages).
 *
 * Settings follow ws `bench/speed.js`: no permessage-deflate, no client tracking inside `ws`
 * (we keep our own sets, which also lets shutdown close every client with 1001), and no JSON
 * or string conversion on the echo path. Replies are framed whole (../../wire/ws-frame.ts) and
 * written past ws's sender, which is safe because with deflate off that sender never queues:
 * it writes each frame straight to the same socket, so ordering is kept. A broadcast is framed
 * once and the same bytes go to every client. Each client's writes of one tick leave in one
 * writev (../../wire/tick-writer.ts): a burst of echoes costs one syscall, not one each.
 *
 * Memory is bounded per client: messages over `maxMessageBytes` are refused by ws (close 1009),
 * and an echo client whose unsent replies (socket queue plus copies waiting in the delay line)
 * pass `slowClientLimitBytes` is not read again until they drain, so a client that sends and
 * never reads fills its own TCP window, not the server (docs/faults.md #13).
 *
 * `binaryType` stays ws's default `nodebuffer`, so every received `RawData` is one Buffer
 * (fragments already joined); the `as Buffer` casts below rely on that.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { ReferenceServerOptions } from '../options.js';
import { DelayLine, SerialTurns } from '../delay-line.js';
import { stampedMessage } from '../stamp.js';
import type { EndpointCounters, StatsBook } from '../stats.js';
import type { BroadcastRelay, WsEndpointName, WsEndpointSet } from '../ws-endpoint-set.js';
import { TickBatchedWriter } from '../../wire/tick-writer.js';
import { encodeServerFrame, encodeServerFrameHeader } from '../../wire/ws-frame.js';

/** RFC 6455 §7.4.1: 1001 "going away", the code for a server that shuts down. */
const CLOSE_GOING_AWAY = 1001;
/** A client and the writer of its socket. */
interface Client {
  ws: WebSocket;
  socket: Duplex;
  writer: TickBatchedWriter;
  counters: EndpointCounters;
  /** With --echo-delay: the server's delay line. */
  line?: DelayLine;
  /** With --echo-serial: the messages waiting for the one being answered. */
  turns?: SerialTurns<[Buffer, boolean]>;
  /** Payload bytes of this client's echoes waiting in the delay line. */
  heldBytes: number;
  /** Reading stopped: a serial turn is waiting. */
  isTurnHeld: boolean;
  /** Reading stopped: unsent replies over the slow-client limit. */
  isQueueHeld: boolean;
  /** The code the server closed with for a protocol fault (ws's 'close' reports the client's). */
  sentCloseCode?: number;
  /** Last time data arrived (ms, for `idleTimeoutMs`). */
  lastReadMs: number;
  /** Unsent bytes past which reading stops (`slowClientLimitBytes`). */
  queueLimit: number;
}

/** The `strict` profile: accepts upgrades for the two WebSocket paths and owns every client they open. */
export class WsEndpoints implements WsEndpointSet {
  private readonly wss: WebSocketServer;
  private readonly echoClients = new Set<Client>();
  private readonly broadcastClients = new Set<Client>();
  private publisher: NodeJS.Timeout | undefined;
  private publishSeq = 0;
  private onAllClosed: (() => void) | undefined;
  /** Exact `--echo-delay` for every echo client; undefined without a delay. */
  private readonly delayLine: DelayLine | undefined;

  constructor(
    private readonly opts: ReferenceServerOptions,
    private readonly stats: StatsBook,
    /** Set in a cluster worker: messages from local clients also go to the other processes. */
    private readonly relay?: BroadcastRelay,
  ) {
    this.delayLine = opts.echoDelayMs > 0 ? new DelayLine(opts.echoDelayMs * 1000) : undefined;
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false, maxPayload: opts.maxMessageBytes });
  }

  /**
   * Starts the server-side publisher when `publishIntervalMs` > 0 (once the server listens), and
   * the idle sweep when `idleTimeoutMs` > 0.
   */
  startPublisher(): void {
    if (this.opts.publishIntervalMs > 0 && !this.publisher) {
      this.publisher = setInterval(() => this.publish(), this.opts.publishIntervalMs);
    }
    if (this.opts.idleTimeoutMs > 0 && !this.idleSweep) {
      // One sweep for every client, not a timer each; a client is closed within 1.25× the limit.
      this.idleSweep = setInterval(() => this.closeIdle(), Math.max(10, this.opts.idleTimeoutMs / 4)).unref();
    }
  }

  private idleSweep: NodeJS.Timeout | undefined;

  /** Closes (1001) clients that sent nothing for `idleTimeoutMs`; destroys them if they do not answer. */
  private closeIdle(): void {
    const before = Date.now() - this.opts.idleTimeoutMs;
    for (const set of [this.echoClients, this.broadcastClients]) {
      for (const c of set) {
        if (c.lastReadMs > before || c.ws.readyState !== WebSocket.OPEN) continue;
        c.counters.idle_closed++;
        c.ws.close(CLOSE_GOING_AWAY, 'idle timeout');
        setTimeout(() => c.ws.terminate(), IDLE_CLOSE_GRACE_MS).unref();
      }
    }
  }

  /** Completes the handshake of an upgrade request for `endpoint` and starts serving it. */
  handleUpgrade(endpoint: WsEndpointName, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const counters = endpoint === 'websocket' ? this.stats.websocket : this.stats.broadcast;
      const client: Client = {
        ws,
        socket,
        writer: new TickBatchedWriter(socket),
        counters,
        line: this.delayLine,
        heldBytes: 0,
        isTurnHeld: false,
        isQueueHeld: false,
        lastReadMs: Date.now(),
        queueLimit: this.opts.slowClientLimitBytes,
      };
      if (this.opts.idleTimeoutMs > 0) socket.on('data', () => void (client.lastReadMs = Date.now()));
      // Each fault ws closes for is counted under the code it sent, not the 1006 'close' reports.
      ws.on('error', (err: Error & { code?: string }) => {
        client.sentCloseCode = closeCodeForError(err.code);
        if (client.sentCloseCode === 1009) counters.msgs_too_large++;
        // ws reads on (discarding) while it waits up to 30 s for the client's close frame: a client
        // still sending its 100 MB frame would cost that much garbage. Stop reading once ws has
        // resumed the socket (next tick), and cut it after a grace: the close frame is out by then.
        setImmediate(() => socket.pause());
        setTimeout(() => ws.terminate(), FAULT_CLOSE_GRACE_MS).unref();
      });
      socket.on('drain', () => updateReads(client));
      if (endpoint === 'websocket') this.serveEcho(client);
      else this.serveBroadcast(client);
    });
  }

  deliverBroadcast(payload: Buffer, isBinary: boolean): void {
    this.broadcast(encodeServerFrame(payload, isBinary));
  }

  /** Clients open on both paths. */
  get openCount(): number {
    return this.echoClients.size + this.broadcastClients.size;
  }

  /**
   * Stops the publisher and starts the closing handshake with 1001 on every client. Resolves
   * when every client is closed; `terminateAll` ends the wait for clients that never answer.
   */
  closeAll(): Promise<void> {
    this.delayLine?.clear();
    if (this.idleSweep) clearInterval(this.idleSweep);
    if (this.publisher) clearInterval(this.publisher);
    this.publisher = undefined;
    for (const c of this.echoClients) c.ws.close(CLOSE_GOING_AWAY, 'server shutting down');
    for (const c of this.broadcastClients) c.ws.close(CLOSE_GOING_AWAY, 'server shutting down');
    if (this.openCount === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onAllClosed = resolve;
    });
  }

  /** Destroys the socket of every client still open (those that did not answer the close). */
  terminateAll(): void {
    for (const c of this.echoClients) c.ws.terminate();
    for (const c of this.broadcastClients) c.ws.terminate();
  }

  private serveEcho(client: Client): void {
    const { ws } = client;
    const counters = this.stats.websocket;
    const line = this.delayLine;
    this.track(counters);
    this.echoClients.add(client);
    if (line && this.opts.echoSerial) client.turns = new SerialTurns();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      counters.msgs_received++;
      const payload = data as Buffer;
      if (line) {
        const turns = client.turns;
        client.heldBytes += payload.length;
        if (!turns) line.push(echoLater, client, payload, isBinary);
        else if (turns.offer([payload, isBinary])) line.push(echoInTurn, client, payload, isBinary);
        // Serial: read nothing more while a message waits its turn (back-pressure to the client).
        else if (turns.waitingCount === 1) client.isTurnHeld = true;
        updateReads(client);
        return;
      }
      // Same bytes, same opcode; nothing after our close frame (ws.send would drop it too).
      if (ws.readyState !== WebSocket.OPEN) return;
      echo(client, payload, isBinary);
      counters.msgs_sent++;
      updateReads(client);
    });
    ws.on('error', ignoreError);
    ws.on('close', (code: number) => {
      this.echoClients.delete(client);
      this.untrack(counters, client.sentCloseCode ?? code);
    });
  }

  private serveBroadcast(client: Client): void {
    const { ws } = client;
    const counters = this.stats.broadcast;
    this.track(counters);
    this.broadcastClients.add(client);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      counters.msgs_received++;
      this.broadcast(encodeServerFrame(data as Buffer, isBinary));
      // Local clients first, then the other processes: each receiver still gets one publisher's
      // messages in the order it sent them, since both paths keep order.
      this.relay?.forward(data as Buffer, isBinary);
    });
    ws.on('error', ignoreError);
    ws.on('close', (code: number) => {
      this.broadcastClients.delete(client);
      this.untrack(counters, client.sentCloseCode ?? code);
    });
  }

  /**
   * Writes one prepared frame to every open broadcast client, the sender included. A client
   * whose socket already holds more than the limit unsent is skipped rather than buffered
   * without bound; this is what keeps one slow reader from stalling everyone (docs/faults.md #14).
   */
  private broadcast(frame: Buffer): void {
    const limit = this.opts.slowClientLimitBytes;
    let sent = 0;
    let dropped = 0;
    for (const c of this.broadcastClients) {
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      if (c.socket.writableLength > limit) {
        dropped++;
        continue;
      }
      c.writer.write(frame);
      sent++;
    }
    this.stats.broadcast.msgs_sent += sent;
    this.stats.broadcast.msgs_dropped_slow += dropped;
  }

  /** The server-side publisher: `{"seq":n,"t":"<hrtime ns>"}` as text (../stamp.ts). */
  private publish(): void {
    this.broadcast(encodeServerFrame(stampedMessage(this.publishSeq++), false));
  }

  private track(counters: EndpointCounters): void {
    counters.connections_accepted++;
    counters.connections_open++;
  }

  private untrack(counters: EndpointCounters, code: number): void {
    counters.connections_open--;
    counters.countClose(code);
    if (this.onAllClosed && this.openCount === 0) this.onAllClosed();
  }
}

function echoLater(client: Client, data: Buffer, isBinary: boolean): void {
  client.heldBytes -= data.length;
  if (client.ws.readyState !== WebSocket.OPEN) return;
  echo(client, data, isBinary);
  client.counters.msgs_sent++;
  updateReads(client);
}

/**
 * Serial echo: answer, then start the delay of the connection's next message, from when this
 * one was due, so a busy connection is answered exactly every delay (1000/delay per second).
 */
function echoInTurn(client: Client, data: Buffer, isBinary: boolean): void {
  echoLater(client, data, isBinary);
  const turns = client.turns!;
  const next = turns.next();
  const line = client.line!;
  if (next) line.push(echoInTurn, client, next[0], next[1], turns.startUs(line.dueUs));
  else client.isTurnHeld = false;
  updateReads(client);
}

/** Time a client closed for a protocol fault or an oversized message has before its socket is destroyed. */
const FAULT_CLOSE_GRACE_MS = 1000;

/** Time a client closed for idleness gets to answer the close before its socket is destroyed. */
const IDLE_CLOSE_GRACE_MS = 1000;

/**
 * Stops or restarts reading `client`: stopped while a serial turn waits, or while its unsent
 * replies (socket queue plus delayed copies) exceed its limit. Restarted from the socket's 'drain'
 * and from each delayed echo, whichever brings it back under.
 */
function updateReads(client: Client): void {
  const isOver = client.socket.writableLength + client.heldBytes > client.queueLimit;
  if (isOver && !client.isQueueHeld) client.counters.reads_paused++;
  client.isQueueHeld = isOver;
  const hold = client.isQueueHeld || client.isTurnHeld;
  if (hold && !client.ws.isPaused) client.ws.pause();
  else if (!hold && client.ws.isPaused && client.ws.readyState === WebSocket.OPEN) client.ws.resume();
}

/** The close code ws sends for an error it closes on (ws lib/receiver.js). */
function closeCodeForError(code: string | undefined): number | undefined {
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 1009;
  if (code === 'WS_ERR_INVALID_UTF8') return 1007;
  if (code?.startsWith('WS_ERR_')) return 1002;
  return undefined;
}

/** Payloads from this size on are written after their header rather than copied behind it. */
const COPY_LIMIT_BYTES = 16 * 1024;

/** Sends `data` back to `client` in one frame. */
function echo(client: Client, data: Buffer, isBinary: boolean): void {
  if (data.length < COPY_LIMIT_BYTES) client.writer.write(encodeServerFrame(data, isBinary));
  else client.writer.writePair(encodeServerFrameHeader(data.length, isBinary), data);
}

/**
 * ws emits 'error' for a protocol violation and then closes the connection with the right
 * code, which the 'close' handler counts; without a listener the error would crash the server.
 */
function ignoreError(): void {}
