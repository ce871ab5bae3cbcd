/**
 * The one way rtbench commands answer Ctrl-C (and SIGTERM): the first signal asks the command
 * to stop gracefully (finish what is in flight, write what it has); a second one quits at once
 * with exit code 130. `run`, `compare` and `serve` all use it.
 */
import { ExitCode } from '../errors.js';

/**
 * Calls `onFirst` on the first SIGINT or SIGTERM; a second exits with 130. Returns the function
 * that removes the handlers (call it when the command is done).
 */
export function onInterrupt(onFirst: (signal: NodeJS.Signals) => void): () => void {
  let count = 0;
  const handler = (signal: NodeJS.Signals): void => {
    // The user insists: leave now. The only process.exit outside bin, on purpose.
    if (++count > 1) process.exit(ExitCode.Interrupted);
    onFirst(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Sleeps `ms` (a cool-down between runs), returning early when the signal aborts. */
export function pauseUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
