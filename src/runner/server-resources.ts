/**
 * What a local target server costs: its process tree (the pid and every descendant) sampled
 * from /proc in the runner's process, never in a generator. CPU and memory count over the
 * measured window only (steady time past the warm-up), like the latency histograms. Linux only;
 * elsewhere there is no section.
 */
import { readdirSync } from 'node:fs';
import type { ServerResources } from '../metrics/result.js';
import { type ProcStat, treeOf } from '../proc.js';

/** Kernel clock ticks per second for /proc CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;
const SAMPLE_MS = 250;

/** Samples the tree of `rootPid` every 250 ms between `begin` and `end`. */
export class ServerResourceSampler {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private lastAt = 0;
  private lastTicks = new Map<number, number>();
  private cpuTicksInWindow = 0;
  private readonly cpuPercents: number[] = [];
  private readonly rss: number[] = [];
  private readonly series: Array<{ t: number; cpu_percent: number; rss_bytes: number }> = [];
  private maxThreads = 0;
  private maxFds = 0;
  private maxProcesses = 0;
  private windowMs = 0;

  constructor(
    readonly pid: number,
    readonly source: ServerResources['source'],
    /** The run's start (ms since epoch): sample times are seconds from it, like the time series. */
    private readonly runStartMs: number,
  ) {}

  /** The measured window begins: CPU counts from here. */
  begin(): void {
    if (this.timer || treeOf(this.pid).length === 0) return;
    const now = Date.now();
    this.startedAt = this.lastAt = now;
    this.lastTicks = ticksByPid(treeOf(this.pid));
    this.takeSample(now, true);
    this.timer = setInterval(() => this.takeSample(Date.now(), false), SAMPLE_MS).unref();
  }

  /** The measured window ends (the drain begins). */
  end(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.takeSample(Date.now(), false);
    this.windowMs = this.lastAt - this.startedAt;
  }

  /** The section for the result; undefined when the window never began or nothing was read. */
  result(operations: number, connections: number): ServerResources | undefined {
    if (this.rss.length === 0) return undefined;
    const cpuSeconds = this.cpuTicksInWindow / TICKS_PER_SECOND;
    const mean = this.windowMs > 0 ? (cpuSeconds / (this.windowMs / 1000)) * 100 : 0;
    const peak = this.rss.reduce((a, v) => Math.max(a, v), 0);
    return {
      pid: this.pid,
      source: this.source,
      processes: this.maxProcesses,
      cpu_percent: { mean: round2(mean), max: round2(this.cpuPercents.reduce((a, v) => Math.max(a, v), 0)) },
      cpu_seconds: round2(cpuSeconds),
      rss_bytes: { start: this.rss[0]!, peak, end: this.rss[this.rss.length - 1]! },
      threads: this.maxThreads,
      open_fds: this.maxFds,
      msgs_per_cpu_second: cpuSeconds > 0 && operations > 0 ? Math.round(operations / cpuSeconds) : null,
      rss_bytes_per_connection: connections > 0 ? Math.round(peak / connections) : null,
      timeseries: this.series,
    };
  }

  private takeSample(now: number, isFirst: boolean): void {
    const tree = treeOf(this.pid);
    if (tree.length === 0) return;
    const ticks = ticksByPid(tree);
    // A process new since the last sample started since then (the whole tree is read each
    // time), so all its CPU counts; one that ended since takes its last 250 ms with it.
    let delta = 0;
    for (const [pid, t] of ticks) {
      const before = this.lastTicks.get(pid);
      delta += before === undefined ? (isFirst ? 0 : t) : Math.max(0, t - before);
    }
    const elapsedMs = now - this.lastAt;
    const rss = tree.reduce((a, p) => a + p.rssBytes, 0);
    if (!isFirst) {
      this.cpuTicksInWindow += delta;
      const percent = elapsedMs > 0 ? (delta / TICKS_PER_SECOND / (elapsedMs / 1000)) * 100 : 0;
      this.cpuPercents.push(percent);
      this.series.push({ t: round2((now - this.runStartMs) / 1000), cpu_percent: round2(percent), rss_bytes: rss });
    }
    this.rss.push(rss);
    this.maxThreads = Math.max(
      this.maxThreads,
      tree.reduce((a, p) => a + p.threads, 0),
    );
    this.maxFds = Math.max(
      this.maxFds,
      tree.reduce((a, p) => a + openFds(p.pid), 0),
    );
    this.maxProcesses = Math.max(this.maxProcesses, tree.length);
    this.lastTicks = ticks;
    this.lastAt = now;
  }
}

function ticksByPid(tree: ProcStat[]): Map<number, number> {
  return new Map(tree.map((p) => [p.pid, p.cpuTicks]));
}

function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
