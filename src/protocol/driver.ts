/**
 * The protocol-driver contract (DESIGN.md §2): open a connection, deliver every received
 * message with its receive time, report how it ended as a typed error class. One file per
 * protocol implements it; sessions (echo, fan-out, SSE listener) consume it.
 */
import type { ConnectionOptions } from '../scenario/types.js';

/** How a connection ended. `errorClass` is absent for a normal end. */
export interface ConnectionEnd {
  /** e.g. `connect_refused`, `handshake_status_403`, `closed_1011`, `reset`, `too_large`. */
  errorClass?: string;
  /** Close code when a close frame (or its absence, 1006) ended a WebSocket. */
  code?: number;
  /** The end came from our own close (a server that drops TCP instead of answering is fine). */
  initiatedByUs: boolean;
  /** The connection had opened before it ended. */
  wasOpen: boolean;
  /** Bytes on the TCP socket (framing, handshake and compression included). */
  wireBytesSent: number;
  wireBytesReceived: number;
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
export interface DialOptions extends ConnectionOptions {
  /** Local address to connect from (spreads connections over 127.0.0.x). */
  localAddress?: string;
}

/** Opens connections for one protocol. */
export interface ProtocolDriver {
  open(url: string, options: DialOptions, handler: ConnectionHandler): ClientConnection;
}
