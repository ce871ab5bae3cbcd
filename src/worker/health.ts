/**
 * Watches the generator itself: event-loop delay and CPU per interval, so a report can say
 * when the client, not the server, was the bottleneck (docs/architecture.md §7).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { HealthSample } from './messages.js';

/** Sampling period of the loop-delay timer. */
const RESOLUTION_MS = 10;

export class HealthMonitor {
  // Node records each whole timer period (an idle loop reads ~10 ms at resolution 10), so the
  // delay is what exceeds the period.
  private readonly loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private lastCpu = process.cpuUsage();
  private lastWall = performance.now();
  /** Updated by the pacer; reset each sample. */
  maxSendLagUs = 0;

  constructor() {
    this.loop.enable();
  }

  /** The interval's figures; starts the next interval. */
  sample(): HealthSample {
    const cpu = process.cpuUsage(this.lastCpu);
    const wall = performance.now();
    const elapsedMs = Math.max(1, wall - this.lastWall);
    const s: HealthSample = {
      loopDelayP99Ms: this.loop.count > 0 ? excess(this.loop.percentile(99)) : 0,
      loopDelayMaxMs: this.loop.count > 0 ? excess(this.loop.max) : 0,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
      maxSendLagUs: this.maxSendLagUs,
      rssBytes: process.memoryUsage.rss(),
    };
    this.loop.reset();
    this.lastCpu = process.cpuUsage();
    this.lastWall = wall;
    this.maxSendLagUs = 0;
    return s;
  }

  stop(): void {
    this.loop.disable();
  }
}

/** Nanoseconds of a timer period beyond the resolution, in milliseconds. */
function excess(periodNs: number): number {
  return Math.max(0, periodNs / 1e6 - RESOLUTION_MS);
}
