/**
 * WebSocket driver over `ws`. Handlers are module-level functions reading the session from
 * the socket (as `ws` itself does), so an open connection costs no closures.
 *
 * Error classes (docs/result-format.md §5): connect_refused, connect_timeout, handshake_timeout,
 * handshake_status_<code>, handshake_protocol (a 101 without the Upgrade headers included), reset,
 * too_large, invalid_utf8 (a text frame or close reason that is not UTF-8; closed with 1007), protocol_error,
 * closed_<code>, closed_1006 (server dropped TCP without a close frame), client_emfile and
 * client_eaddrnotavail (client-side resource limits, docs/faults.md #20).
 */
import type { ErrorClass } from '../metrics/error-classes.js';
import { Agent as HttpsAgent } from 'node:https';
import WebSocket from 'ws';
import { nowUs } from '../load/clock.js';
import type { ClientConnection, ConnectionHandler, DialOptions, ProtocolDriver } from './driver.js';
import { classifySocketError } from './socket-errors.js';
import { TickBatchedWriter, type CorkableWritable } from '../wire/tick-writer.js';
import { encodeClientFrame } from '../wire/ws-frame.js';

const SESSION = Symbol('rtbench.session');

interface WsState {
  handler: ConnectionHandler;
  startedUs: number;
  opened: boolean;
  closingByUs: boolean;
  ended: boolean;
  /**
   * Frames may be written straight to the socket (../wire/ws-frame.ts): true once open without
   * permessage-deflate, whose compressor makes `ws`'s sender queue frames.
   */
  writesFrames: boolean;
  errorClass?: ErrorClass;
  killTimer?: NodeJS.Timeout;
}

type TaggedSocket = WebSocket & { [SESSION]: WsState };

class WsConnection implements ClientConnection {
  private writer: TickBatchedWriter | undefined;

  constructor(private readonly ws: TaggedSocket) {}

  send(data: Buffer, binary: boolean): boolean {
    const ws = this.ws;
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (!ws[SESSION].writesFrames) {
      // permessage-deflate: `ws` compresses later (queued, on the thread pool) and keeps a
      // reference to `data`, which callers reuse for the next message: hand it a copy.
      ws.send(Buffer.from(data), { binary, mask: true });
      return true;
    }
    this.writer ??= new TickBatchedWriter((ws as unknown as { _socket: CorkableWritable })._socket);
    this.writer.write(encodeClientFrame(data, binary));
    return true;
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  close(graceMs: number): void {
    const state = this.ws[SESSION];
    if (state.ended) return;
    state.closingByUs = true;
    if (this.ws.readyState === WebSocket.CONNECTING || graceMs <= 0) {
      this.ws.terminate();
      return;
    }
    this.ws.close(1000);
    // `ws` waits 30 s for a close frame; Hyperlane never sends one (docs/hyperlane-wire.md §1).
    state.killTimer = setTimeout(terminate, graceMs, this.ws);
    state.killTimer.unref();
  }
}

function stateOf(ws: WebSocket): WsState {
  return (ws as TaggedSocket)[SESSION];
}

function terminate(ws: WebSocket): void {
  ws.terminate();
}

function onOpen(this: WebSocket): void {
  const state = stateOf(this);
  state.opened = true;
  state.writesFrames = this.extensions === '';
  state.handler.onOpen(nowUs() - state.startedUs);
}

function onMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
  stateOf(this).handler.onMessage(data as Buffer, isBinary, nowUs());
}

function onError(this: WebSocket, err: Error & { code?: string }): void {
  const state = stateOf(this);
  // Aborting our own connection attempt raises an error that is not the server's fault.
  if (state.closingByUs) return;
  state.errorClass ??= classifyError(err, state.opened);
}

function onUnexpectedResponse(this: WebSocket, _req: unknown, res: { statusCode?: number; resume(): void }): void {
  const state = stateOf(this);
  // Node hands ws a 101 as an ordinary response when it lacks the Upgrade headers: the status
  // was right, the handshake was not.
  state.errorClass ??= res.statusCode === 101 ? 'handshake_protocol' : `handshake_status_${res.statusCode ?? 0}`;
  res.resume();
  this.terminate();
}

function onClose(this: WebSocket, code: number): void {
  const state = stateOf(this);
  if (state.ended) return;
  state.ended = true;
  if (state.killTimer) clearTimeout(state.killTimer);
  let errorClass = state.errorClass;
  if (errorClass === undefined && !state.closingByUs && state.opened) {
    // 1000 and 1001 are normal ends (docs/faults.md #5); 1006 means TCP dropped without a close frame.
    if (code !== 1000 && code !== 1001) errorClass = `closed_${code}`;
  }
  if (errorClass === undefined && !state.opened && !state.closingByUs) errorClass = 'connect_failed';
  const socket = (this as unknown as { _socket?: { bytesWritten: number; bytesRead: number } | null })._socket;
  state.handler.onEnd({
    errorClass,
    code,
    initiatedByUs: state.closingByUs,
    wasOpen: state.opened,
    wireBytesSent: socket?.bytesWritten ?? 0,
    wireBytesReceived: socket?.bytesRead ?? 0,
  });
}

/** Maps a `ws` or socket error to an error class. */
export function classifyError(err: Error & { code?: string }, opened: boolean): ErrorClass {
  const socketClass = classifySocketError(err.code);
  if (socketClass) return socketClass;
  if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return 'too_large';
  if (err.code === 'WS_ERR_INVALID_UTF8') return 'invalid_utf8';
  if (err.code?.startsWith('WS_ERR_')) return 'protocol_error';
  const status = /Unexpected server response: (\d+)/.exec(err.message);
  if (status) return `handshake_status_${Number(status[1])}`;
  if (err.message.includes('handshake has timed out')) return 'handshake_timeout';
  if (!opened && /Upgrade header|Sec-WebSocket|subprotocol|extension/i.test(err.message)) return 'handshake_protocol';
  return opened ? 'protocol_error' : 'connect_failed';
}

let insecureAgent: HttpsAgent | undefined;

/** The `ws` driver. */
export const wsDriver: ProtocolDriver = {
  open(url: string, options: DialOptions, handler: ConnectionHandler): ClientConnection {
    const state: WsState = { handler, startedUs: nowUs(), opened: false, closingByUs: false, ended: false, writesFrames: false };
    const ws = new WebSocket(url, options.subprotocols, {
      handshakeTimeout: options.handshakeTimeoutMs,
      maxPayload: options.maxMessageBytes,
      perMessageDeflate: options.deflate,
      headers: options.headers,
      origin: options.origin,
      localAddress: options.localAddress,
      localPort: options.localPort,
      followRedirects: false,
      // Text frames and close reasons are checked (ws uses Node's native buffer.isUtf8): a server
      // sending invalid UTF-8 is failed with 1007 and counted as invalid_utf8, not passed on.
      skipUTF8Validation: false,
      ...(options.insecure && url.startsWith('wss:') ? { agent: (insecureAgent ??= new HttpsAgent({ rejectUnauthorized: false })) } : {}),
    }) as TaggedSocket;
    ws[SESSION] = state;
    ws.on('open', onOpen);
    ws.on('message', onMessage);
    ws.on('error', onError);
    ws.on('unexpected-response', onUnexpectedResponse as never);
    ws.on('close', onClose);
    return new WsConnection(ws);
  },
};
