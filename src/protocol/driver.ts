/**
 * The protocol-driver contract (docs/architecture.md §4): open a connection, deliver every received
 * message with its receive time, report how it ended as a typed error class. One file per
 * protocol implements it; sessions (echo, fan-out, SSE listener) consume it.
 */
import type { ErrorClass } from '../metrics/error-classes.js';
import type { ConnectionOptions } from '../scenario/types.js';

/** How a connection ended. `errorClass` is absent for a normal end. */
export interface ConnectionEnd {
  /** e.g. `connect_refused`, `handshake_status_403`, `closed_1011`, `reset`, `too_large`. */
  errorClass?: ErrorClass;
  /** Close code when a close frame (or its absence, 1006) ended a WebSocket. */
  code?: number;
  /** The end came from our own close (a server that drops TCP instead of answering is fine). */
  initiatedByUs: boolean;
  /** The connection had opened before it ended. */
  wasOpen: boolean;
  /** Bytes on the TCP socket (framing, handshake and compression included). */
  wireBytesSent: number;
  wireBytesReceived: number;
  /**
   * No connection was open or opening when the end came (an SSE stream closed while it waited
   * to reconnect): its last connection was already counted, so this end counts none.
   */
  betweenConnections?: boolean;
}

/** What a session receives from a driver; called on the hot path, so no allocation there. */
export interface ConnectionHandler {
  /** The connection is open; `connectUs` is connect + handshake time. */
  onOpen(connectUs: number): void;
  /** One complete message (fragments already reassembled) received at `atUs`. */
  onMessage(data: Buffer, isBinary: boolean, atUs: number): void;
  /** The connection ended, once, for whatever reason. */
  onEnd(end: ConnectionEnd): void;
}

/** A client connection as sessions use it. */
export interface ClientConnection {
  /** Sends one message; returns false when the connection cannot take it now. */
  send(data: Buffer, binary: boolean): boolean;
  /** Bytes queued in user space and not yet written to the socket. */
  readonly bufferedBytes: number;
  /** Closes normally (WebSocket 1000); bounded: a peer that never answers is cut after `graceMs`. */
  close(graceMs: number): void;
}

/** Options a driver needs to open one connection. */
export interface DialOptions extends Omit<ConnectionOptions, 'maxOutstanding'> {
  /** Local address to connect from (spreads connections over 127.0.0.x). */
  localAddress?: string;
  /** Local port to bind (with `localAddress`); absent: the kernel picks one. */
  localPort?: number;
}

/** Opens connections for one protocol. */
export interface ProtocolDriver {
  open(url: string, options: DialOptions, handler: ConnectionHandler): ClientConnection;
}

/**
 * What an SSE session receives (WHATWG HTML §9.2). An SSE connection is a stream that can span
 * several HTTP responses: when the server ends it or the network drops it, the client reopens
 * it after the retry delay, sending `Last-Event-ID`, as a browser's EventSource does. The
 * driver calls `onOpen` for each response that opens, `onInterrupted` for each response or
 * attempt that ends while the stream goes on, `onReconnect` as it reopens the stream, and
 * `onEnd` once, when the stream is over. `onMessage` is unused: events arrive through `onEvent`.
 */
export interface SseHandler extends ConnectionHandler {
  /** Reopen the stream after it ends or fails with a network error; false: every end is final. */
  readonly reconnectsStream: boolean;
  /** `byteCount` bytes of response body arrived (HTTP chunk framing removed). */
  onBodyBytes(byteCount: number): void;
  /** One dispatched event: its data, its own `id:` field (undefined when it had none), its receive time. */
  onEvent(data: string, id: string | undefined, atUs: number): void;
  /** A response (or an attempt) ended and the stream will be reopened after the retry delay. */
  onInterrupted(end: ConnectionEnd): void;
  /** The retry delay is over and the stream is being reopened now. */
  onReconnect(): void;
}

/** An SSE driver: opens streams that deliver events to an {@link SseHandler}. */
export interface SseDriver extends ProtocolDriver {
  open(url: string, options: DialOptions, handler: SseHandler): ClientConnection;
}
