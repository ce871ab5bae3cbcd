/**
 * The open-files limit is per process: each connection is a file descriptor in a worker (and,
 * for the embedded server, one more in the server process). Node raises its soft limit to the
 * hard one at start; this checks the plan against that limit before any socket opens.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { RunPlan } from '../scenario/plan.js';

/** File descriptors a process keeps for itself (stdio, IPC, event loop, libraries). */
const RESERVED_FDS = 64;

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

/** Throws a UsageError, with what to run instead, when a worker would need more descriptors than allowed. */
export function checkOpenFilesLimit(plan: RunPlan): void {
  const limit = openFilesLimit();
  if (limit === undefined) return;
  const perWorker = Math.max(...plan.scenario.phases.map((p) => Math.ceil(p.connections / plan.workers)));
  const usable = limit - RESERVED_FDS;
  if (perWorker > usable) {
    const needed = Math.ceil(Math.max(...plan.scenario.phases.map((p) => p.connections)) / usable);
    throw new UsageError(
      `${perWorker} connections per worker exceed the open-files limit of ${limit} per process`,
      `run with --workers ${needed} (each worker is a process with its own limit), or raise 'ulimit -n'`,
    );
  }
  if (plan.target.embedded) {
    const total = Math.max(...plan.scenario.phases.map((p) => p.connections));
    if (total > usable) {
      throw new UsageError(
        `${total} connections exceed the embedded server's open-files limit of ${limit}`,
        "start the server yourself with 'rtbench serve' in several processes, or raise 'ulimit -n'",
      );
    }
  }
}
