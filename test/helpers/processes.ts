/** Process checks shared by the tests that start and stop server processes. */
import { readFileSync } from 'node:fs';

/**
 * True while `pid` runs. A zombie counts as gone: an orphan that has exited stays a zombie until
 * whatever adopted it reaps it, and in a container that can take a while.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    // No /proc entry: gone (or not Linux, where signal 0 tells).
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
