/**
 * Entry of the embedded server's child process (forked by embedded.ts). Running the server in
 * its own process keeps it off the load generator's event loop (DESIGN.md §7): a busy server
 * must not delay the generator's timers, nor the other way round.
 *
 * The child lives only as long as its IPC channel: when the parent exits or crashes the
 * channel closes, 'disconnect' fires, and the child closes its server and exits.
 */
import { ExitCode, RtbenchError } from '../errors.js';
import type { FromServerChild, ToServerChild } from './child-messages.js';
import { startReferenceServer, type ReferenceServer } from './reference-server.js';

/** Hard limit on shutdown after the parent has gone; close() itself takes at most 2 s. */
const ORPHAN_EXIT_MS = 2500;

let server: ReferenceServer | undefined;
let isStopping = false;

function send(msg: FromServerChild): void {
  if (process.connected) process.send?.(msg);
}

async function start(options: Extract<ToServerChild, { type: 'start' }>['options']): Promise<void> {
  try {
    server = await startReferenceServer({ host: '127.0.0.1', port: 0, ...options });
    // Told to stop (or orphaned) while still binding: close at once instead of serving.
    if (isStopping) {
      await server.close();
      return;
    }
    send({ type: 'ready', host: server.host, port: server.port });
  } catch (err) {
    const error =
      err instanceof RtbenchError
        ? { message: err.message, exitCode: err.exitCode, ...(err.hint ? { hint: err.hint } : {}) }
        : { message: err instanceof Error ? err.message : String(err), exitCode: ExitCode.Internal };
    send({ type: 'failed', error });
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
      if (server) send({ type: 'stats', id: msg.id, stats: server.stats() });
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
