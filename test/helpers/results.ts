/**
 * Fixed RunResults for tests of compare, gate, merge and the reporters: known values recorded
 * into real HDR histograms (the compiled code's), so every percentile is exact and stable.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { createLatencyHistogram, encodeHistogram, summarizeHistogram } from '../../dist/metrics/histogram.js';
import { zeroCounters } from '../../dist/metrics/counters.js';
import type { MetricResult, RunResult, TimeseriesPoint } from '../../dist/metrics/result.js';

/** `n` values evenly spread over [fromUs, toUs], integers. */
export function evenly(n: number, fromUs: number, toUs: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(fromUs + (n === 1 ? 0 : ((toUs - fromUs) * i) / (n - 1))));
}

/** A metric entry (summary + encoded histogram) holding exactly `values`. */
export function metricOf(values: number[]): MetricResult {
  const h = createLatencyHistogram();
  for (const v of values) h.recordValue(v);
  return { ...summarizeHistogram(h), histogram: encodeHistogram(h) };
}

export interface FixtureOptions {
  scenario?: string;
  label?: string;
  url?: string;
  latencyUs?: number[];
  uncorrectedUs?: number[];
  connectUs?: number[];
  measuredMs?: number;
  durationMs?: number;
  startedAt?: string;
  errors?: Record<string, number>;
  counters?: Partial<RunResult['counters']>;
  partial?: boolean;
  connections?: number;
  timeseries?: TimeseriesPoint[];
}

/** A complete, valid RunResult of an open-loop echo run with the given samples. */
export function makeResult(o: FixtureOptions = {}): RunResult {
  const latency = o.latencyUs ?? evenly(1000, 500, 1500);
  const connections = o.connections ?? 10;
  const counters = {
    ...zeroCounters(),
    connections_opened: connections,
    connections_closed: connections,
    msgs_sent: latency.length,
    msgs_received: latency.length,
    ...o.counters,
  };
  const metrics: RunResult['metrics'] = { latency: metricOf(latency) };
  if (o.uncorrectedUs) metrics.latency_uncorrected = metricOf(o.uncorrectedUs);
  metrics.connect_time = metricOf(o.connectUs ?? evenly(connections, 1000, 2000));
  const scenario = {
    name: o.scenario ?? 'echo',
    groups: [
      {
        name: 'echo',
        protocol: 'ws',
        role: 'echo',
        share: 1,
        path: '/websocket',
        message: { sizeBytes: 32, binary: false },
        replies: { perMessage: 1, skipFirst: 0 },
      },
    ],
    phases: [{ durationMs: 10_000, connections, load: { kind: 'open', ratePerSec: 10, arrival: 'uniform' } }],
    warmupMs: 0,
    connection: {
      handshakeTimeoutMs: 5000,
      replyTimeoutMs: 10000,
      maxMessageBytes: 1048576,
      maxEventBytes: 1048576,
      reconnect: false,
      headers: {},
      subprotocols: [],
      insecure: false,
      deflate: false,
    },
    thresholds: [],
  } as unknown as RunResult['scenario'];
  return {
    schemaVersion: 2,
    tool: { name: 'rtbench', version: '0.1.0' },
    scenario,
    target: { url: o.url ?? `ws://127.0.0.1:9001/${o.label ?? 'node'}`, label: o.label ?? 'node', embedded: false },
    environment: { node: 'v20.0.0', os: 'Linux test', cpu_model: 'Test CPU', cores: 4, hostname: 'test-host' },
    startedAt: o.startedAt ?? '2026-01-01T10:00:00.000Z',
    durationMs: o.durationMs ?? 10_500,
    measuredMs: o.measuredMs ?? 10_000,
    loadModel: 'open',
    partial: o.partial ?? false,
    ...(o.partial ? { interruption: 'interrupted by the user (Ctrl-C)' } : {}),
    metrics,
    counters,
    errors: o.errors ?? {},
    timeseries: o.timeseries ?? [],
    health: {
      workers: 1,
      loop_delay_p99_ms: 1,
      loop_delay_max_ms: 2,
      cpu_percent_max: 20,
      cpu_percent_mean: 10,
      max_send_lag_ms: 0.5,
      rss_peak_bytes: 50_000_000,
      warnings: [],
    },
    notes: [],
  };
}

/** A per-second time series with a warm-up second, for the time charts. */
export function timeseriesOf(seconds: number, msgsPerSec: number, p99Us: (t: number) => number): TimeseriesPoint[] {
  return Array.from({ length: seconds }, (_, i) => ({
    t: i + 1,
    connections_open: 10,
    msgs_sent: msgsPerSec,
    msgs_received: msgsPerSec,
    errors: 0,
    latency_p50_us: Math.round(p99Us(i + 1) / 3),
    latency_p99_us: p99Us(i + 1),
    latency_max_us: p99Us(i + 1) * 2,
    warmup: i === 0,
    loop_delay_p99_ms: 1,
    cpu_percent: 20,
  }));
}

/** A fresh temporary folder. */
export function tempDir(prefix = 'rtbench-test-'): string {
  return mkdtempSync(join(os.tmpdir(), prefix));
}

/** Writes a document as JSON into `dir/name` and returns the path. */
export function writeJson(dir: string, name: string, doc: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc, null, 2));
  return path;
}
