/**
 * The reference server in a child process: what `rtbench run` starts when a scenario names no
 * target (docs/architecture.md §9). The parent talks to the child over IPC (child-messages.ts);
 * the child exits when told to stop, or by itself when the parent goes away. With
 * `processes` > 1 the child is the primary of a cluster and forks the workers itself
 * (cluster/primary.ts); the parent holds the same `RunningServer` handle either way, its stats
 * summed over every process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ExitCode, RtbenchError } from '../errors.js';
import type { FromServerChild, ToServerChild } from './child-messages.js';
import type { ReferenceServerOptions } from './options.js';
import { serverUrl, type RunningServer } from './running-server.js';
import { rebuildError } from './serialized-error.js';
import { emptyServerStats, type ServerStats } from './stats.js';

/** How long the child may take to start listening. */
const START_TIMEOUT_MS = 10_000;
/**
 * How long `close` waits for the child to exit before killing it: longer than a cluster primary
 * waits for its workers (10 s), so a multi-process server gets to stop them itself.
 */
const STOP_KILL_MS = 12_000;

/**
 * Forks `dist/server/child.js`, starts the reference server in it (host 127.0.0.1 and port 0
 * unless given) and resolves once it listens. Rejects with the child's error (a `UsageError`
 * for a bad option or a taken port) or when the child dies or does not start in 10 s.
 *
 * The handle's `pid` is the child's (the cluster primary when `processes` > 1) and its `stats`
 * come over IPC. `close` asks the child to close (clients get 1001) and resolves with its final
 * counters once it has exited (within 2 s for one process; a few seconds for 100,000 clients
 * over several); a child still alive after 12 s is killed and the last counters seen are
 * returned. `failure` resolves when the child exits without being asked to.
 */
export function startEmbeddedServer(opts: Partial<ReferenceServerOptions> = {}): Promise<RunningServer> {
  const child = fork(fileURLToPath(new URL('./child.js', import.meta.url)), [], {
    // The child writes nothing on stdout (the parent may be printing a JSON report there);
    // stderr is shared so a crash in the child is visible.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // The parent's flags (a test runner's loaders, --inspect) are not meant for the server.
    execArgv: [],
    serialization: 'json',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return new Promise<RunningServer>((resolve, reject) => {
    const fail = (err: Error): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', fail);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new RtbenchError(`embedded server did not start within ${START_TIMEOUT_MS / 1000} s`, ExitCode.Internal)),
      START_TIMEOUT_MS,
    );
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      fail(new RtbenchError(`embedded server exited (${signal ?? `code ${code}`}) before it was ready`, ExitCode.Internal));
    };
    const onMessage = (msg: FromServerChild): void => {
      if (msg.type === 'failed') return fail(rebuildError(msg.error));
      if (msg.type !== 'ready') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', fail);
      resolve(connectHandle(child, exited, msg));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', fail);
    send(child, { type: 'start', options: opts });
  });
}

/** Wraps a ready child in the `RunningServer` API. */
function connectHandle(child: ChildProcess, exited: Promise<void>, ready: Extract<FromServerChild, { type: 'ready' }>): RunningServer {
  const pending = new Map<number, { resolve: (s: ServerStats) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let lastStats = emptyServerStats();
  let closing: Promise<ServerStats> | undefined;
  let hasExited = false;

  // Failed kill() or send() calls surface as 'error' events; the exit (or the kill timer)
  // already covers them, and an unhandled 'error' would crash the parent.
  child.on('error', () => {});
  child.on('message', (msg: FromServerChild) => {
    if (msg.type === 'stats') {
      lastStats = msg.stats;
      pending.get(msg.id)?.resolve(msg.stats);
      pending.delete(msg.id);
    } else if (msg.type === 'stopped') {
      lastStats = msg.stats;
    }
  });
  void exited.then(() => {
    hasExited = true;
    for (const p of pending.values()) p.reject(new RtbenchError('embedded server has exited', ExitCode.Internal));
    pending.clear();
  });

  const stats = (): Promise<ServerStats> => {
    if (hasExited || !child.connected) {
      return Promise.reject(new RtbenchError('embedded server has exited', ExitCode.Internal));
    }
    const id = nextId++;
    return new Promise<ServerStats>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      send(child, { type: 'stats', id });
    });
  };

  const close = async (): Promise<ServerStats> => {
    if (!hasExited) {
      send(child, { type: 'stop' });
      let killTimer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        killTimer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, STOP_KILL_MS);
      });
      await Promise.race([exited, killed]);
      clearTimeout(killTimer);
      await exited;
    }
    return lastStats;
  };

  const failure = new Promise<Error>((resolve) => {
    void exited.then(() => {
      if (closing) return;
      const reason = child.signalCode ?? `code ${child.exitCode}`;
      resolve(new RtbenchError(`embedded server exited on its own (${reason})`, ExitCode.Internal));
    });
  });

  return {
    host: ready.host,
    port: ready.port,
    url: serverUrl(ready.host, ready.port),
    profile: ready.profile,
    processes: ready.processes,
    pid: child.pid ?? -1,
    stats,
    close: () => (closing ??= close()),
    failure,
  };
}

function send(child: ChildProcess, msg: ToServerChild): void {
  // A child that has already gone cannot be told anything; its 'exit' handler reports it.
  if (child.connected) child.send(msg, (err) => void err);
}
