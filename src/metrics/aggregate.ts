/**
 * Main-side aggregation of worker interval reports: measured histograms add up per metric,
 * counters and errors sum, and each interval becomes a time-series point. Interval reports are
 * deltas, so whatever arrived before a crash or Ctrl-C is still a valid partial result.
 */
import type { IntervalReport } from '../worker/messages.js';
import { addCounters, addErrorCounts, type Counters, zeroCounters } from './counters.js';
import { createLatencyHistogram, decodeHistogram, type Histogram } from './histogram.js';
import type { MetricId } from './metric-ids.js';

/**
 * The latency the time series and progress line follow: the first of these a run records
 * (echo round trip, fan-out delivery, SSE push).
 */
const SERIES_METRICS: MetricId[] = ['latency', 'fanout_latency', 'push_latency'];

/** Share of sends that may be late (> 10 ms) before the health line says the generator fell behind. */
const LATE_SEND_SHARE = 0.01;
/**
 * Fewest late sends that can make that finding: one scheduling hiccup of 10–20 ms delays every
 * send due within it, which in a short, slow window (100 sends) is already over 1 %.
 */
const LATE_SEND_MIN = 10;
/** CPU percent of one core above which a generator process may be setting the pace. */
const CPU_LIMIT = 90;
import type { HealthResult, TimeseriesPoint } from './result.js';

/**
 * One interval of the time series: every report whose end rounds to it. A report at a phase
 * boundary lands in a bucket that also gets a regular one, so the bucket's point ends where its
 * latest report ended (`toMs`) rather than on the interval's mark.
 */
interface Bucket {
  toMs: number;
  counters: Counters;
  errors: number;
  latency: Map<MetricId, Histogram>;
  warmup: boolean;
  open: Map<number, number>;
  loopP99: number;
  cpu: number;
}

/** How the three findings about the generator itself begin (isGeneratorWarning tells them from a ramp warning). */
const LOOP_WARNING = 'generator event loop delay p99 reached ';
const LATE_WARNING = ' sends went out more than 10 ms behind schedule: ';
const CPU_WARNING = 'a generator process reached ';

/** True for a health warning that says the generator itself fell behind (not the ramp, which may be the server). */
export function isGeneratorWarning(warning: string): boolean {
  return warning.startsWith(LOOP_WARNING) || warning.includes(LATE_WARNING) || warning.startsWith(CPU_WARNING);
}

export class Aggregator {
  readonly histograms = new Map<MetricId, Histogram>();
  readonly counters = zeroCounters();
  readonly errors: Record<string, number> = {};
  private readonly buckets = new Map<number, Bucket>();
  private readonly openByWorker = new Map<number, number>();
  /** When each worker's latest report ended: where its next report's interval starts. */
  private readonly lastReportMs = new Map<number, number>();
  /** Messages received per second in each worker's latest report, for the progress line. */
  private readonly latestRateByWorker = new Map<number, number>();
  private readonly health = {
    loopP99: 0,
    loopMax: 0,
    cpuMax: 0,
    cpuSum: 0,
    cpuSamples: 0,
    /** Per worker, measured reports above CPU_LIMIT: one alone is start-up (JIT, connecting), not a pace. */
    cpuHot: new Map<number, number>(),
    lagUs: 0,
    rss: new Map<number, number>(),
  };

  constructor(
    private readonly startMs: number,
    private readonly intervalMs: number,
  ) {}

  /** Adds one worker's interval report. */
  add(workerIndex: number, report: IntervalReport): void {
    const snap = report.snapshot;
    for (const [id, encoded] of Object.entries(snap.measured) as Array<[MetricId, string]>) {
      let h = this.histograms.get(id);
      if (!h) this.histograms.set(id, (h = createLatencyHistogram()));
      h.add(decodeHistogram(encoded));
    }
    addCounters(this.counters, snap.counters);
    addErrorCounts(this.errors, snap.errors);
    this.openByWorker.set(workerIndex, report.connectionsOpen);

    const index = Math.max(0, Math.round((report.atMs - this.startMs) / this.intervalMs));
    let b = this.buckets.get(index);
    if (!b) {
      b = { toMs: 0, counters: zeroCounters(), errors: 0, latency: new Map(), warmup: false, open: new Map(), loopP99: 0, cpu: 0 };
      this.buckets.set(index, b);
    }
    b.toMs = Math.max(b.toMs, report.atMs);
    const sinceMs = this.lastReportMs.get(workerIndex) ?? this.startMs;
    if (report.atMs > sinceMs) this.latestRateByWorker.set(workerIndex, (snap.counters.msgs_received * 1000) / (report.atMs - sinceMs));
    this.lastReportMs.set(workerIndex, Math.max(report.atMs, sinceMs));
    addCounters(b.counters, snap.counters);
    b.errors += Object.values(snap.errors).reduce((a, v) => a + v, 0);
    b.open.set(workerIndex, report.connectionsOpen);
    for (const id of SERIES_METRICS) {
      for (const encoded of [snap.measured[id], snap.warmup[id]]) {
        if (!encoded) continue;
        let h = b.latency.get(id);
        if (!h) b.latency.set(id, (h = createLatencyHistogram()));
        h.add(decodeHistogram(encoded));
      }
      if (snap.warmup[id]) b.warmup = true;
    }

    const h = report.health;
    b.loopP99 = Math.max(b.loopP99, h.loopDelayP99Ms);
    b.cpu = Math.max(b.cpu, h.cpuPercent);
    this.health.rss.set(workerIndex, Math.max(this.health.rss.get(workerIndex) ?? 0, h.rssBytes));
    if (h.isMeasured === false) return;
    this.health.loopP99 = Math.max(this.health.loopP99, h.loopDelayP99Ms);
    this.health.loopMax = Math.max(this.health.loopMax, h.loopDelayMaxMs);
    this.health.cpuMax = Math.max(this.health.cpuMax, h.cpuPercent);
    if (h.cpuPercent > CPU_LIMIT) this.health.cpuHot.set(workerIndex, (this.health.cpuHot.get(workerIndex) ?? 0) + 1);
    this.health.cpuSum += h.cpuPercent;
    this.health.cpuSamples++;
    this.health.lagUs = Math.max(this.health.lagUs, h.maxSendLagUs);
  }

  /** Connections open now, summed over workers (last report of each). */
  get connectionsOpen(): number {
    let n = 0;
    for (const v of this.openByWorker.values()) n += v;
    return n;
  }

  /** The time series, one point per interval, in order. */
  timeseries(): TimeseriesPoint[] {
    // Workers report on their own clocks, so a bucket may lack a worker's report: its last
    // known count of open connections carries forward.
    const openNow = new Map<number, number>();
    return [...this.buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, b]) => {
        for (const [worker, open] of b.open) openNow.set(worker, open);
        return this.pointOf(
          b,
          [...openNow.values()].reduce((a, v) => a + v, 0),
        );
      });
  }

  /** The newest interval's point, for the progress line. */
  latestPoint(): TimeseriesPoint | undefined {
    // Only the newest bucket: the progress line asks on every report, and rebuilding the whole
    // series each time would grow with the run's length.
    let index = -1;
    for (const k of this.buckets.keys()) if (k > index) index = k;
    const b = this.buckets.get(index);
    return b ? this.pointOf(b, this.connectionsOpen) : undefined;
  }

  /**
   * Messages received per second now: each worker's latest report over the time it covers,
   * summed. Workers report on their own clocks, so the newest bucket may hold some of them only.
   */
  get msgsPerSecNow(): number {
    let sum = 0;
    for (const rate of this.latestRateByWorker.values()) sum += rate;
    return sum;
  }

  private pointOf(b: Bucket, connectionsOpen: number): TimeseriesPoint {
    const id = SERIES_METRICS.find((m) => b.latency.has(m));
    const h = id ? b.latency.get(id)! : undefined;
    return {
      // The end of the bucket's latest report, so `msgs / (t - previous t)` is a true rate.
      // Rounded down: a bucket's reports end within half an interval of its mark, and t must
      // stay there for merge.ts to pair points by second.
      t: Math.floor((b.toMs - this.startMs) / 10) / 100,
      connections_open: connectionsOpen,
      msgs_sent: b.counters.msgs_sent,
      msgs_received: b.counters.msgs_received,
      errors: b.errors,
      ...(id ? { latency_metric: id } : {}),
      latency_p50_us: h ? h.getValueAtPercentile(50) : 0,
      latency_p99_us: h ? h.getValueAtPercentile(99) : 0,
      latency_max_us: h ? h.maxValue : 0,
      warmup: b.warmup,
      loop_delay_p99_ms: round2(b.loopP99),
      cpu_percent: Math.round(b.cpu),
    };
  }

  /** Health over the run, with warnings in plain words when the generator fell behind. */
  healthResult(workers: number, sendsMissed: number, extraWarnings: string[] = []): HealthResult {
    const h = this.health;
    const warnings: string[] = [...extraWarnings];
    if (h.loopP99 > 10) {
      warnings.push(
        `${LOOP_WARNING}${h.loopP99.toFixed(1)} ms (> 10 ms): the client may be the bottleneck; latency includes its own delay`,
      );
    }
    // A few late sends (a GC pause, a VM hiccup) show in the counters; a share above 1% (and
    // more than one hiccup's worth) means the generator could not keep the rate.
    const sent = this.counters.msgs_sent;
    if (sendsMissed >= LATE_SEND_MIN && sendsMissed > sent * LATE_SEND_SHARE) {
      warnings.push(
        `${sendsMissed} of ${sent}${LATE_WARNING}` +
          `the generator could not keep the requested rate (latency is still measured from the intended time)`,
      );
    }
    // Two reports of one worker over the limit: a process that set the pace, not its start-up.
    if ([...h.cpuHot.values()].some((n) => n >= 2)) {
      warnings.push(`${CPU_WARNING}${h.cpuMax.toFixed(0)}% CPU: the generator, not the server, may have set the pace`);
    }
    return {
      workers,
      loop_delay_p99_ms: round2(h.loopP99),
      loop_delay_max_ms: round2(h.loopMax),
      cpu_percent_max: round2(h.cpuMax),
      cpu_percent_mean: round2(h.cpuSamples ? h.cpuSum / h.cpuSamples : 0),
      max_send_lag_ms: round2(h.lagUs / 1000),
      rss_peak_bytes: [...h.rss.values()].reduce((a, v) => a + v, 0),
      warnings,
    };
  }
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
