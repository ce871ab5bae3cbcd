/**
 * `rtbench serve` in a child process, for tests that measure what hostile clients cost the
 * server: its port, its `/stats`, and its resident memory read from /proc (VmRSS).
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ServerStats } from '../../dist/server/stats.js';
import { startBin, waitForOutput } from './bin.js';

export interface ServeChild {
  pid: number;
  port: number;
  url: string;
  stats(): Promise<ServerStats>;
  /** Resident memory now, in bytes. */
  rssBytes(): number;
  stop(): Promise<void>;
}

/** Starts `rtbench serve --port 0 ...args` and resolves once its ready line names the port. */
export async function startServeChild(args: string[], children: Set<ChildProcess>): Promise<ServeChild> {
  const run = startBin(['serve', '--port', '0', ...args], children);
  const port = Number((await waitForOutput(run, /ready on 127\.0\.0\.1:(\d+)$/m))[1]);
  const pid = run.child.pid!;
  const url = `http://127.0.0.1:${port}`;
  return {
    pid,
    port,
    url,
    stats: async () => (await (await fetch(`${url}/stats`)).json()) as ServerStats,
    rssBytes: () => rssOf(pid),
    stop: async () => {
      run.child.kill('SIGTERM');
      await run.exited;
      children.delete(run.child);
    },
  };
}

/** VmRSS of `pid` in bytes (Linux). */
export function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}
