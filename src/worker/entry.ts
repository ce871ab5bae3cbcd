/**
 * Worker process: a WorkerHost reached over IPC. Started by pool.ts with child_process.fork:
 * a process, not a thread, because the open-files limit is per process (a hard 20,000 here)
 * and scale-out must cross it.
 */
import type { FromWorker, ToWorker } from './messages.js';
import { WorkerHost } from './worker-host.js';

/**
 * Sends to the runner. Once the runner has gone (killed), the channel is closed: the message is
 * dropped, and the 'disconnect' handler below ends the process. Without the check and the
 * callback, Node throws ERR_IPC_CHANNEL_CLOSED as an unhandled 'error' with a stack trace, from
 * whatever connection happened to end first.
 */
function sendToRunner(msg: FromWorker): void {
  if (process.connected) process.send?.(msg, undefined, {}, ignoreSendError);
}

function ignoreSendError(): void {}

const host = new WorkerHost({
  send: sendToRunner,
  finish: () => {
    if (process.connected) process.disconnect();
  },
});
process.on('message', (msg: ToWorker) => host.handle(msg));

// The runner going away (crash, kill) must not leave a generator hammering the target.
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 50).unref();
});
// Ctrl-C reaches the whole process group; the runner decides how to stop, not us.
process.on('SIGINT', () => {});
