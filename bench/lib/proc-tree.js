/**
 * CPU and memory of a process and all its descendants, read from /proc (Linux), so every tool
 * (rtbench with its worker processes, Artillery with its worker threads, a bare client) is
 * measured the same way from outside. Threads share their process's /proc entry, so a
 * process tree covers them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const TICKS_PER_SEC = readTicksPerSec();

function readTicksPerSec() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** `{ ppid, cpuTicks }` of one process, or undefined once it is gone. */
function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15 (proc(5)).
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** Resident set size of one process in bytes (VmRSS), or 0 once it is gone. */
export function readRssBytes(pid) {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A short label for a process: a Node process's script, another program's command (e.g. `entry.js`, `artillery`, `src/tcpkali`). */
export function processLabel(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const isNode = /(^|\/)node$/.test(argv[0] ?? '');
    const script = isNode ? argv.slice(1).find((a) => !a.startsWith('-')) : undefined;
    return (script ?? argv[0] ?? '?').split('/').slice(-2).join('/');
  } catch {
    return '?';
  }
}

/** RSS of each process of the tree now: [{ pid, label, rssBytes }]. */
export function treeBreakdown(rootPid) {
  return treePids(rootPid)
    .map((pid) => ({ pid, label: processLabel(pid), rssBytes: readRssBytes(pid) }))
    .filter((p) => p.rssBytes > 0);
}

/** The pid itself and every descendant alive now. */
export function treePids(rootPid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(name);
    if (!s) continue;
    const list = children.get(s.ppid);
    if (list) list.push(Number(name));
    else children.set(s.ppid, [Number(name)]);
  }
  const out = [];
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop();
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

/**
 * One reading of the tree: CPU ticks per pid, summed RSS and the time taken.
 * @returns {{ atMs: number, cpuTicks: Map<number, number>, rssBytes: number, processes: number }}
 */
export function sampleTree(rootPid) {
  const cpuTicks = new Map();
  let rssBytes = 0;
  for (const pid of treePids(rootPid)) {
    const s = readStat(pid);
    if (!s) continue;
    cpuTicks.set(pid, s.cpuTicks);
    rssBytes += readRssBytes(pid);
  }
  return { atMs: performance.now(), cpuTicks, rssBytes, processes: cpuTicks.size };
}

/**
 * CPU used by the tree (or by process `onlyPid` of it) between two samples, as % of one core
 * (200 = both cores of this box). Only processes present in both samples count: a window is
 * taken in steady state, when the tool's processes all exist.
 */
export function cpuPercentBetween(a, b, onlyPid) {
  let ticks = 0;
  for (const [pid, t] of b.cpuTicks) {
    const before = a.cpuTicks.get(pid);
    if (before !== undefined && (onlyPid === undefined || pid === onlyPid)) ticks += t - before;
  }
  const seconds = (b.atMs - a.atMs) / 1000;
  return seconds > 0 ? (ticks / TICKS_PER_SEC / seconds) * 100 : 0;
}

/**
 * Samples a tree's RSS every `intervalMs` until stopped; gives the peak and the median, so a
 * window reports the tool's memory as it ran, not one lucky reading.
 */
export function startRssSampler(rootPid, intervalMs = 200) {
  const readings = [];
  const take = () => readings.push(sampleTree(rootPid).rssBytes);
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const sorted = readings.filter((r) => r > 0).sort((x, y) => x - y);
      return {
        rssPeakBytes: sorted.at(-1) ?? 0,
        rssMedianBytes: sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0,
      };
    },
  };
}
