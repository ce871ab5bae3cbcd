/**
 * Every child process the suite starts, so an interrupted run (Ctrl-C, a CI timeout's
 * SIGTERM) takes its servers and tools, and their own children (rtbench's workers), down
 * with it instead of leaving them listening.
 */
import { treePids } from './proc-tree.js';

const live = new Set();

/** Tracks `child` until it exits. */
export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** SIGKILLs every tracked child still running, descendants first. */
export function killAll() {
  for (const child of live) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    for (const pid of treePids(child.pid).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
