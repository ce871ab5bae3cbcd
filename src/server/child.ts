/**
 * Entry of the embedded server's child process (forked by embedded.ts). Running the server in
 * its own process keeps it off the load generator's event loop (docs/architecture.md §9): a busy server
 * must not delay the generator's timers, nor the other way round.
 *
 * The child lives only as long as its IPC channel: when the parent exits or crashes the
 * channel closes, 'disconnect' fires, and the child closes its server and exits. With
 * `processes` > 1 the child is the cluster primary: stopping it stops every worker, and its
 * workers exit by themselves if it dies.
 */
import type { FromServerChild, ToServerChild } from './child-messages.js';
import { serializeError } from './serialized-error.js';
import type { RunningServer } from './running-server.js';
import { startServer } from './start-server.js';

/**
 * Hard limit on shutdown after the parent has gone (one process closes within 2 s). A cluster's
 * workers cut off here see their primary go and finish on their own.
 */
const ORPHAN_EXIT_MS = 2500;

let server: RunningServer | undefined;
let isStopping = false;

function send(msg: FromServerChild): void {
  if (process.connected) process.send?.(msg);
}

async function start(options: Extract<ToServerChild, { type: 'start' }>['options']): Promise<void> {
  try {
    server = await startServer({ host: '127.0.0.1', port: 0, ...options });
    // Told to stop (or orphaned) while still binding: close at once instead of serving.
    if (isStopping) {
      await server.close();
      return;
    }
    // A multi-process server whose worker died has stopped itself: exit, so the parent's
    // handle sees a server that has gone (stats() rejects, failure resolves).
    void server.failure.then((err) => {
      process.stderr.write(`rtbench: embedded ${err.message}\n`);
      process.exitCode = 1;
      void stop();
    });
    send({ type: 'ready', host: server.host, port: server.port, profile: server.profile, processes: server.processes });
  } catch (err) {
    send({ type: 'failed', error: serializeError(err) });
    process.disconnect?.();
  }
}

async function stop(): Promise<void> {
  if (isStopping) return;
  isStopping = true;
  const stats = server ? await server.close() : undefined;
  if (stats) send({ type: 'stopped', stats });
  // With the server closed and the channel gone nothing is left on the event loop: the
  // process exits by itself, with exit code 0.
  if (process.connected) process.disconnect();
}

process.on('message', (msg: ToServerChild) => {
  switch (msg.type) {
    case 'start':
      void start(msg.options);
      return;
    case 'stats':
      // A failed gather (a worker gone mid-request) leaves the parent's call to its exit handler.
      server?.stats().then(
        (stats) => send({ type: 'stats', id: msg.id, stats }),
        () => {},
      );
      return;
    case 'stop':
      void stop();
      return;
    default: {
      const unknown: never = msg;
      throw new Error(`unknown message from parent: ${JSON.stringify(unknown)}`);
    }
  }
});

process.on('disconnect', () => {
  if (isStopping) return;
  setTimeout(() => process.exit(0), ORPHAN_EXIT_MS).unref();
  void stop().then(() => process.exit(0));
});
