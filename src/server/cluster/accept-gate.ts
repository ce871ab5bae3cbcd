/**
 * A cluster worker's listener (worker.ts). It accepts on the port every worker shares
 * and hands each socket to the worker's http.Server, and it stops accepting while the worker
 * holds its connection limit.
 *
 * Why a gate: the workers accept from one listening socket (cluster `SCHED_NONE`: the primary
 * never accepts), and the kernel wakes whichever process it likes, so the split is uneven
 * (docs/architecture.md §9). Under a 20,000 open-files limit a worker that wins too often
 * would hit EMFILE while the others idle. So at its limit a worker closes its copy of the
 * listening socket (the others keep accepting) and listens again once it is below 95% of the
 * limit.
 *
 * The primary must agree first: when the last worker still accepting closed its copy, Node's
 * cluster would close the shared socket and give up the port. So the gate asks
 * (`requestPause`) and the primary refuses when no other worker accepts; the refused worker
 * keeps accepting (asking again every 256 connections) until the open-files limit itself stops
 * it, which is what a full server should do.
 */
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { listen } from '../listen.js';

/** What the gate needs from the worker's link to the primary. */
export interface GateCoordinator {
  /** Asks the primary to let this worker stop accepting; the answer goes to `onPauseAnswer`. */
  requestPause(): void;
  /** Tells the primary that this worker accepts again. */
  notifyResumed(): void;
}

/**
 * The accept queue length. Several client processes opening connections at once overflow
 * Node's default of 511, and a dropped SYN is retried only after a second; the kernel caps the
 * value at `net.core.somaxconn` (4096 here).
 */
const ACCEPT_BACKLOG = 4096;
/** A refused worker asks again after this many more connections. */
const RETRY_PAUSE_EVERY = 256;

/** The listener of one worker, with its open-socket count and pause state. */
export class AcceptGate {
  /** Sockets accepted and not yet closed (WebSocket, SSE and plain HTTP alike). */
  openSockets = 0;
  private readonly listener: Server;
  private readonly resumeBelow: number;
  private isAccepting = false;
  private isPauseRequested = false;
  private isResuming = false;
  private isClosed = false;
  /** Open sockets when the primary last refused a pause; -1 when it has not. */
  private refusedAt = -1;
  private host = '';
  private port = 0;

  /**
   * `limit` is the most sockets this worker holds before it asks to stop accepting.
   * `onError` gets a failure to listen again after a pause (the worker cannot go on then).
   */
  constructor(
    private readonly http: HttpServer,
    private readonly limit: number,
    private readonly coordinator: GateCoordinator,
    private readonly onError: (err: Error) => void,
  ) {
    this.resumeBelow = Math.max(1, Math.floor(limit * 0.95));
    // noDelay as http.Server sets it: replies and broadcast frames go out at once.
    this.listener = createServer({ noDelay: true }, this.onConnection);
  }

  /** True while this worker's copy of the listening socket is open. */
  get accepting(): boolean {
    return this.isAccepting;
  }

  /**
   * Listens on `host:port` (through the cluster primary, which shares one socket among the
   * workers) and resolves with the port. Rejects with a `UsageError` for a taken port.
   */
  async listen(host: string, port: number): Promise<number> {
    this.host = host;
    this.port = port;
    const bound = await listen(this.listener, host, port, ACCEPT_BACKLOG);
    // Accept errors (EMFILE at the limit) must not crash the worker; the client sees a reset.
    this.listener.on('error', () => {});
    this.isAccepting = true;
    return bound;
  }

  /** The primary's answer to `requestPause`. */
  onPauseAnswer(isGranted: boolean): void {
    this.isPauseRequested = false;
    if (this.isClosed) return;
    if (!isGranted) {
      this.refusedAt = this.openSockets;
      return;
    }
    // Connections closed while the question was on its way: no need to pause after all, but
    // the primary has counted this worker out and must hear that it accepts.
    if (this.openSockets < this.resumeBelow) return this.coordinator.notifyResumed();
    this.isAccepting = false;
    this.listener.close();
  }

  /** Stops accepting for good (shutdown). Sockets already accepted are left to their owners. */
  close(): void {
    this.isClosed = true;
    if (this.isAccepting) this.listener.close();
    this.isAccepting = false;
  }

  private readonly onConnection = (socket: Socket): void => {
    this.openSockets++;
    socket.on('close', this.onSocketClose);
    this.http.emit('connection', socket);
    if (this.openSockets >= this.limit && this.isAccepting && !this.isPauseRequested) {
      if (this.refusedAt < 0 || this.openSockets - this.refusedAt >= RETRY_PAUSE_EVERY) {
        this.isPauseRequested = true;
        this.coordinator.requestPause();
      }
    }
  };

  private readonly onSocketClose = (): void => {
    this.openSockets--;
    if (this.openSockets >= this.resumeBelow) return;
    this.refusedAt = -1;
    if (!this.isAccepting && !this.isResuming && !this.isClosed && !this.isPauseRequested) this.resume();
  };

  private resume(): void {
    this.isResuming = true;
    // The same host and port as the first listen, so the cluster hands back the same socket.
    listen(this.listener, this.host, this.port, ACCEPT_BACKLOG).then(
      () => {
        this.isResuming = false;
        // Shut down while listening again: close the copy just obtained.
        if (this.isClosed) return void this.listener.close();
        this.isAccepting = true;
        this.coordinator.notifyResumed();
      },
      (err: Error) => {
        this.isResuming = false;
        this.onError(err);
      },
    );
  }
}
