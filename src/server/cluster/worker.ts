/**
 * Entry of one cluster worker (forked by primary.ts): the reference server's endpoints behind an
 * accept gate on the port all workers share. What the worker cannot do alone goes through the
 * primary: `/broadcast` messages of its clients go out on the relay socket (fd 4) and arrive
 * from it, together with the cluster's one publisher; `/stats` asks the primary for every
 * process's counters over IPC.
 *
 * A worker stops when the primary says so, or by itself when the primary goes away (its IPC
 * channel closes). It ignores SIGINT and SIGTERM: Ctrl-C reaches the whole process group, and
 * only the primary decides the order of the shutdown.
 */
import { Socket } from 'node:net';
import { ExitCode, RtbenchError } from '../../errors.js';
import { TickBatchedWriter } from '../../wire/tick-writer.js';
import type { ReferenceServerOptions } from '../options.js';
import { ReferenceApp } from '../reference-server.js';
import { serializeError } from '../serialized-error.js';
import type { ServerStats } from '../stats.js';
import { AcceptGate } from './accept-gate.js';
import { openFilesLimit } from '../../open-files.js';
import { WORKER_SETTINGS_ENV, type ClusterWorkerSettings, type FromClusterWorker, type ToClusterWorker } from './messages.js';
import { encodeRelayFrame, forEachRelayFrame, RelayFrameSplitter } from './relay-frames.js';

/** The relay socket pair: the fifth stdio entry that primary.ts sets up. */
const RELAY_FD = 4;
/**
 * Descriptors kept out of the connection budget: stdio, IPC, the relay, the listening socket,
 * epoll, libuv's internal ones, and room for the connections accepted while the primary answers
 * a pause request.
 */
const FD_RESERVE = 200;
/**
 * Hard limit on shutdown after the primary has gone: closing waits 1.5 s for clients, and an
 * orphan that is still busy after that is ended (the kernel closes what is left).
 */
const ORPHAN_EXIT_MS = 2500;
/** A worker that has said `stopped` but still has something on its loop exits after this. */
const EXIT_BACKSTOP_MS = 500;

let app: ReferenceApp | undefined;
let gate: AcceptGate | undefined;
let relay: Socket | undefined;
let relayWriter: TickBatchedWriter | undefined;
let isStopping = false;
let nextCollectId = 0;
const collecting = new Map<number, { resolve: (s: ServerStats) => void; reject: (e: Error) => void }>();

function send(msg: FromClusterWorker): void {
  if (process.connected) process.send?.(msg);
}

async function start(options: ReferenceServerOptions): Promise<void> {
  try {
    relay = openRelay();
    relayWriter = new TickBatchedWriter(relay);
    app = new ReferenceApp(options, {
      relay: { forward: (payload, isBinary) => writeRelay(encodeRelayFrame(payload, isBinary)) },
      collectStats,
    });
    // The http.Server never listens here (the gate does and hands it sockets), but 'listening'
    // is what sets up its connection tracking, which closeIdleConnections() and
    // closeAllConnections() need at shutdown.
    app.http.emit('listening');
    const limit = options.maxConnectionsPerProcess || (openFilesLimit() ?? Infinity) - FD_RESERVE;
    gate = new AcceptGate(
      app.http,
      limit,
      { requestPause: () => send({ type: 'pause' }), notifyResumed: () => send({ type: 'resumed' }) },
      () => {
        // Without its listening socket the worker cannot serve new clients: end it, so the
        // primary sees a worker gone and stops the whole server rather than run short.
        process.exitCode = ExitCode.Internal;
        void stop();
      },
    );
    const port = await gate.listen(options.host, options.port);
    if (isStopping) return;
    send({ type: 'ready', port });
  } catch (err) {
    send({ type: 'failed', error: serializeError(err) });
    process.disconnect?.();
    relay?.destroy();
  }
}

/** The relay socket: frames from the primary are delivered to this worker's broadcast clients. */
function openRelay(): Socket {
  const socket = new Socket({ fd: RELAY_FD, readable: true, writable: true });
  const splitter = new RelayFrameSplitter();
  const deliver = (payload: Buffer, isBinary: boolean): void => app?.ws.deliverBroadcast(payload, isBinary);
  socket.on('data', (chunk: Buffer) => {
    const frames = splitter.push(chunk);
    if (frames) forEachRelayFrame(frames, deliver);
  });
  // The primary has gone; the IPC 'disconnect' handler does the shutdown.
  socket.on('error', () => {});
  return socket;
}

/** Writes one frame to the primary; the rest of a tick's frames (one TCP read) share a writev. */
function writeRelay(frame: Buffer): void {
  if (!relay || relay.destroyed) return;
  relayWriter!.write(frame);
}

function collectStats(reset: boolean): Promise<ServerStats> {
  if (!process.connected) return Promise.reject(new RtbenchError('the primary process has gone', ExitCode.Internal));
  const id = nextCollectId++;
  return new Promise((resolve, reject) => {
    collecting.set(id, { resolve, reject });
    send({ type: 'collect', id, reset });
  });
}

async function stop(): Promise<void> {
  if (isStopping) return;
  isStopping = true;
  gate?.close();
  if (app) send({ type: 'stopping', stats: app.stats.snapshot() });
  for (const c of collecting.values()) c.reject(new RtbenchError('server shutting down', ExitCode.Internal));
  collecting.clear();
  const stats = app ? await app.close() : undefined;
  if (stats) send({ type: 'stopped', stats });
  relay?.destroy();
  if (process.connected) process.disconnect();
  setTimeout(() => process.exit(), EXIT_BACKSTOP_MS).unref();
}

process.on('message', (msg: ToClusterWorker) => {
  switch (msg.type) {
    case 'stats':
      if (!app) return;
      if (msg.reset) app.stats.reset();
      send({ type: 'stats', id: msg.id, stats: app.stats.snapshot(), isAccepting: gate?.accepting ?? false });
      return;
    case 'collected': {
      const pending = collecting.get(msg.id);
      collecting.delete(msg.id);
      if (msg.stats) pending?.resolve(msg.stats);
      else pending?.reject(new RtbenchError(msg.error ?? 'stats unavailable', ExitCode.Internal));
      return;
    }
    case 'pause-answer':
      gate?.onPauseAnswer(msg.isGranted);
      return;
    case 'stop':
      void stop();
      return;
    default: {
      const unknown: never = msg;
      throw new Error(`unknown message from the primary: ${JSON.stringify(unknown)}`);
    }
  }
});

process.on('disconnect', () => {
  if (isStopping) return;
  setTimeout(() => process.exit(0), ORPHAN_EXIT_MS).unref();
  void stop().then(() => process.exit());
});

process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});

const settings = JSON.parse(process.env[WORKER_SETTINGS_ENV] ?? 'null') as ClusterWorkerSettings | null;
if (settings) void start(settings.options);
else send({ type: 'failed', error: { message: `cluster worker started without ${WORKER_SETTINGS_ENV}`, exitCode: ExitCode.Internal } });
