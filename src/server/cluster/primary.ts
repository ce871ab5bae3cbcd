/**
 * The reference server as several processes on one port (`processes` > 1): this process becomes
 * the primary of a Node cluster and forks the workers (worker.ts), which each accept on
 * the shared socket and serve their own clients. The point is the open-files limit, which is
 * per process (a hard 20,000 here): six workers hold 100,000 connections where one cannot.
 *
 * The primary only coordinates, so its own descriptors stay free:
 * - it never accepts. The scheduling policy is `SCHED_NONE`: the primary binds the socket and
 *   the workers accept from it directly, where the default round-robin would accept every
 *   connection in the primary and pass it on over IPC. The kernel spreads the accepts unevenly;
 *   the accept gate (accept-gate.ts) keeps any worker from filling up, and asks the primary
 *   before it stops accepting so that at least one worker always listens;
 * - it relays `/broadcast`: each worker writes the messages of its own clients to its relay
 *   socket pair (relay-frames.ts) after delivering them locally, and the primary writes each run
 *   of whole frames to every other worker. One path per publisher and in-order sockets keep
 *   every publisher's order at every client; each message reaches each client once;
 * - it runs the one server-side publisher (`publishIntervalMs`), so `seq` is one sequence for
 *   all clients, stamped in the primary (the relay hop is part of the one-way latency);
 * - it gathers `/stats`: the worker that gets the request asks the primary, which asks every
 *   worker and adds their counters up (`by_process` lists each);
 * - it stops everyone: workers close their clients as one server does (1001 within 2 s) and
 *   exit; a worker that dies on its own stops the others too, and workers exit by themselves
 *   when the primary dies.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ExitCode, RtbenchError } from '../../errors.js';
import { resolveServerOptions, type ReferenceServerOptions } from '../options.js';
import { serverUrl, type RunningServer } from '../running-server.js';
import { rebuildError } from '../serialized-error.js';
import { stampedMessage } from '../stamp.js';
import { emptyServerStats, type ServerStats } from '../stats.js';
import { WORKER_SETTINGS_ENV, type ClusterWorkerSettings, type FromClusterWorker, type ToClusterWorker } from './messages.js';
import { encodeRelayFrame, RelayFrameSplitter } from './relay-frames.js';
import { StatsGatherer, sumOverWorkers } from './stats-gatherer.js';

/** How long the workers may take to start listening. */
const START_TIMEOUT_MS = 10_000;
/**
 * How long the workers may take to close and exit before they are killed: a safety net, not a
 * budget. Closing waits 1.5 s at most for clients, but the CPU work does not shrink: each close
 * frame written on loopback runs the receiver's TCP path too (docs/architecture.md §9), so
 * 100,000 clients on two cores shared with their generator take several seconds to close.
 */
const STOP_KILL_MS = 10_000;

/**
 * Node's cluster keeps the listening sockets it shares in one table per process, keyed by
 * address, port and a per-worker index. Two clusters in one process asking for port 0 would be
 * handed the same socket, so only one may run at a time.
 */
let isClusterRunning = false;

/** One worker as the primary sees it. */
interface WorkerLink {
  readonly index: number;
  readonly worker: Worker;
  readonly pid: number;
  /** The primary's end of the worker's relay socket pair. */
  readonly relay: Socket;
  isAccepting: boolean;
  hasExited: boolean;
  /** The counters it sent with `stopped`, or before that with `stopping`. */
  finalStats: ServerStats | undefined;
  readonly exited: Promise<void>;
}

/**
 * Forks `options.processes` workers serving the reference server on one port and resolves once
 * all listen. Rejects with the first worker's error (a `UsageError` for a bad option or a taken
 * port), or when a worker dies or does not start within 10 s; no worker is left running then.
 * Its `close` kills workers that have not exited after 10 s (their counters as of the stop
 * request are used); its `failure` resolves when a worker exits on its own.
 */
export async function startServerCluster(opts: Partial<ReferenceServerOptions> = {}): Promise<RunningServer> {
  const options = resolveServerOptions(opts);
  if (isClusterRunning) {
    throw new RtbenchError('a multi-process reference server is already running in this process; stop it first', ExitCode.Internal);
  }
  isClusterRunning = true;
  // The policy is frozen by the first setupPrimary, so it is set before it.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({
    exec: fileURLToPath(new URL('./worker.js', import.meta.url)),
    args: [],
    // The caller's flags (a test runner's loaders, --inspect) are not meant for the workers.
    execArgv: [],
    serialization: 'json',
    // fd 4 is the relay socket pair. Workers print nothing on stdout; stderr shows a crash.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
  });
  const links = Array.from({ length: options.processes }, (_, index) => forkWorker({ worker: index, options }));
  for (const link of links) relayFrom(link, links);
  try {
    const port = await waitUntilListening(links);
    return runCluster(links, options, port);
  } catch (err) {
    for (const link of links) if (!link.hasExited) link.worker.process.kill('SIGKILL');
    await Promise.all(links.map((l) => l.exited));
    isClusterRunning = false;
    throw err;
  }
}

function forkWorker(settings: ClusterWorkerSettings): WorkerLink {
  const index = settings.worker;
  const worker = cluster.fork({ [WORKER_SETTINGS_ENV]: JSON.stringify(settings) });
  const relay = worker.process.stdio?.[4] as Socket;
  // A worker that dies breaks its pipe; its 'exit' does the bookkeeping.
  relay.on('error', () => {});
  // Failed send() calls surface as 'error' events; the exit covers them.
  worker.on('error', () => {});
  const link: WorkerLink = {
    index,
    worker,
    pid: worker.process.pid ?? -1,
    relay,
    isAccepting: false,
    hasExited: false,
    finalStats: undefined,
    exited: new Promise<void>((resolve) => worker.once('exit', () => resolve())),
  };
  void link.exited.then(() => {
    link.hasExited = true;
    link.isAccepting = false;
  });
  return link;
}

/**
 * Forwards each run of whole frames from `from` to every other worker, bytes as they are. No
 * backpressure: a worker that falls behind has its frames queued here rather than lost, since
 * dropping is decided per client, by the slow-client limit in the worker that serves it.
 */
function relayFrom(from: WorkerLink, links: readonly WorkerLink[]): void {
  const splitter = new RelayFrameSplitter();
  from.relay.on('data', (chunk: Buffer) => {
    const frames = splitter.push(chunk);
    if (!frames) return;
    for (const to of links) if (to !== from && !to.hasExited) to.relay.write(frames);
  });
}

function send(link: WorkerLink, msg: ToClusterWorker): void {
  if (link.worker.isConnected()) link.worker.send(msg, (err: Error | null) => void err);
}

/** Resolves with the port once every worker listens. */
function waitUntilListening(links: readonly WorkerLink[]): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let ready = 0;
    const cleanups: Array<() => void> = [];
    const finish = (err: Error | undefined, port?: number): void => {
      clearTimeout(timer);
      for (const c of cleanups) c();
      if (err) reject(err);
      else resolve(port!);
    };
    const timer = setTimeout(
      () => finish(new RtbenchError(`reference server workers did not start within ${START_TIMEOUT_MS / 1000} s`, ExitCode.Internal)),
      START_TIMEOUT_MS,
    );
    for (const link of links) {
      const onMessage = (msg: FromClusterWorker): void => {
        if (msg.type === 'failed') return finish(rebuildError(msg.error));
        if (msg.type !== 'ready') return;
        link.isAccepting = true;
        if (++ready === links.length) finish(undefined, msg.port);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        finish(
          new RtbenchError(
            `reference server worker ${link.index} exited (${signal ?? `code ${code}`}) before it was ready`,
            ExitCode.Internal,
          ),
        );
      };
      link.worker.on('message', onMessage);
      link.worker.once('exit', onExit);
      cleanups.push(() => {
        link.worker.off('message', onMessage);
        link.worker.off('exit', onExit);
      });
    }
  });
}

/** The running cluster: publisher, stats, pause answers, failure watch and shutdown. */
function runCluster(links: readonly WorkerLink[], options: ReferenceServerOptions, port: number): RunningServer {
  const gatherer = new StatsGatherer(links, (link, id, reset) => send(link, { type: 'stats', id, reset }));
  let closing: Promise<ServerStats> | undefined;
  let reportFailure: (err: Error) => void = () => {};
  const failure = new Promise<Error>((resolve) => (reportFailure = resolve));

  let publishSeq = 0;
  const publisher =
    options.publishIntervalMs > 0
      ? setInterval(() => {
          // One frame for every worker: the same seq reaches every client, wherever it is.
          const frame = encodeRelayFrame(stampedMessage(publishSeq++), false);
          for (const link of links) if (!link.hasExited) link.relay.write(frame);
        }, options.publishIntervalMs)
      : undefined;

  for (const link of links) {
    link.worker.on('message', (msg: FromClusterWorker) => {
      switch (msg.type) {
        case 'stats':
          return gatherer.onAnswer(link, msg.id, { stats: msg.stats, isAccepting: msg.isAccepting });
        case 'collect':
          gatherer.gather(msg.reset).then(
            (stats) => send(link, { type: 'collected', id: msg.id, stats }),
            (err: Error) => send(link, { type: 'collected', id: msg.id, error: err.message }),
          );
          return;
        case 'pause': {
          // Never leave the port without a listener: Node's cluster would close the socket.
          const isGranted = !closing && links.some((l) => l !== link && l.isAccepting && !l.hasExited);
          if (isGranted) link.isAccepting = false;
          return send(link, { type: 'pause-answer', isGranted });
        }
        case 'resumed':
          link.isAccepting = true;
          return;
        case 'stopping':
        case 'stopped':
          link.finalStats = msg.stats;
          return;
        case 'ready':
        case 'failed':
          return;
        default: {
          const unknown: never = msg;
          throw new Error(`unknown message from a worker: ${JSON.stringify(unknown)}`);
        }
      }
    });
    void link.exited.then(() => {
      gatherer.onExit();
      if (closing) return;
      const { exitCode, signalCode } = link.worker.process;
      reportFailure(
        new RtbenchError(
          `reference server worker ${link.index} (pid ${link.pid}) ` +
            `exited on its own (${signalCode ?? `code ${exitCode}`}); the server has been stopped`,
          ExitCode.Internal,
        ),
      );
      void close();
    });
  }

  const close = (): Promise<ServerStats> =>
    (closing ??= (async () => {
      if (publisher) clearInterval(publisher);
      for (const link of links) if (!link.hasExited) send(link, { type: 'stop' });
      let killTimer: NodeJS.Timeout | undefined;
      const allExited = Promise.all(links.map((l) => l.exited));
      const killed = new Promise<void>((resolve) => {
        killTimer = setTimeout(() => {
          for (const link of links) if (!link.hasExited) link.worker.process.kill('SIGKILL');
          resolve();
        }, STOP_KILL_MS);
      });
      await Promise.race([allExited, killed]);
      clearTimeout(killTimer);
      await allExited;
      gatherer.rejectAll(new RtbenchError('reference server has exited', ExitCode.Internal));
      isClusterRunning = false;
      return sumOverWorkers(links, (l) => ({ stats: l.finalStats ?? emptyServerStats(), isAccepting: false }));
    })());

  return {
    host: options.host,
    port,
    url: serverUrl(options.host, port),
    profile: options.profile,
    processes: links.length,
    pid: process.pid,
    stats: () => gatherer.gather(false),
    close,
    failure,
  };
}
