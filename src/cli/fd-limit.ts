/**
 * The open-files limit is per process: each connection is a file descriptor in a worker (and,
 * for the embedded server, one more in a server process). Node raises its soft limit to the
 * hard one at start; resolvePlan spreads a run over enough processes for it.
 */
import { readFileSync } from 'node:fs';

/** The soft open-files limit of this process, from /proc (Linux); undefined elsewhere. */
export function openFilesLimit(): number | undefined {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(limits);
    if (!m) return undefined;
    return m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
  } catch {
    return undefined;
  }
}
