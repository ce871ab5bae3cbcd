/**
 * Worker process: a WorkerHost reached over IPC. Started by pool.ts with child_process.fork:
 * a process, not a thread, because the open-files limit is per process (a hard 20,000 here)
 * and scale-out must cross it.
 */
import type { ToWorker } from './messages.js';
import { WorkerHost } from './worker-host.js';

const host = new WorkerHost({
  send: (msg) => process.send?.(msg),
  finish: () => process.disconnect?.(),
});
process.on('message', (msg: ToWorker) => host.handle(msg));

// The runner going away (crash, kill) must not leave a generator hammering the target.
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 50).unref();
});
// Ctrl-C reaches the whole process group; the runner decides how to stop, not us.
process.on('SIGINT', () => {});
