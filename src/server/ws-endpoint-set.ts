/**
 * What the reference server (reference-server.ts) needs from the WebSocket endpoints of a
 * profile, implemented by strict/ws-endpoints.ts (`strict`) and hyperlane/ws-endpoints.ts (the
 * Hyperlane profiles), and the relay through which a cluster worker shares `/broadcast`
 * messages.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** The WebSocket paths, as the names their counters use. */
export type WsEndpointName = 'websocket' | 'broadcast';

/**
 * Where a multi-process server sends each message a local `/broadcast` client published, so the
 * other processes can deliver it to their clients (cluster/worker.ts).
 */
export interface BroadcastRelay {
  /** Called once per message, after the local delivery; `payload` must be copied to be kept. */
  forward(payload: Buffer, isBinary: boolean): void;
}

/** What the reference server needs from its WebSocket endpoints, whatever the profile. */
export interface WsEndpointSet {
  /** Completes the handshake of an upgrade request for `endpoint` and starts serving it. */
  handleUpgrade(endpoint: WsEndpointName, req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Starts the server-side `/broadcast` publisher when `publishIntervalMs` > 0. */
  startPublisher(): void;
  /**
   * Sends a message that did not come from a local client (another process's client, or the
   * cluster's one publisher) to every local `/broadcast` client. Not counted as received.
   */
  deliverBroadcast(payload: Buffer, isBinary: boolean): void;
  /** Stops the publisher and ends every client; resolves once all are closed. */
  closeAll(): Promise<void>;
  /** Destroys the socket of every client still open. */
  terminateAll(): void;
}
