/**
 * Exact merge of results of one scenario (docs/architecture.md §11): histograms add, counters and errors
 * sum, summaries are recomputed from the merged histograms (percentiles are never averaged).
 * The basis of multi-machine runs: shards of one run, merged into one result.
 */
import { UsageError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';
import { addCounters, addErrorCounts, zeroCounters } from './counters.js';
import { mergeFanoutSections } from './fanout-section.js';
import { clockNotes, partRecords, worstPart } from './merge-parts.js';
import { decodeHistogram, encodeHistogram, mergeHistograms, summarizeHistogram } from './histogram.js';
import { METRIC_IDS, type MetricId } from './metric-ids.js';
import { SCHEMA_VERSION, type MetricResult, type RunResult, type TimeseriesPoint } from './result.js';

/**
 * How each field of the result is merged: one rule per field, so a field added to RunResult
 * without a rule does not compile (and test/unit/merge-results.test.ts checks that no section
 * present in the parts is missing from the whole). `verdicts` merge to nothing on purpose.
 */
type MergeRules = { [K in keyof Required<RunResult>]: (ctx: MergeContext) => RunResult[K] };

interface MergeContext {
  parts: readonly RunResult[];
  starts: number[];
  t0: number;
}

/**
 * Merges results of one scenario into one. Wall-clock fields follow what the parts were:
 * parts whose runs overlapped in time (shards started together) share one measured window, so
 * `measuredMs` is the longest of them and rates add up across shards; parts that ran one after
 * another add their measured windows. The time series is laid on one clock (each part shifted
 * by its start, to the whole second) and points at the same second are added; per-interval
 * percentiles cannot be merged exactly without histograms, so they take the worst part's.
 * Verdicts are dropped: they judged the parts, not the whole.
 */
export function mergeRunResults(parts: readonly RunResult[]): RunResult {
  const first = parts[0];
  if (!first) throw new UsageError('merge needs at least one result');
  const names = [...new Set(parts.map((p) => p.scenario.name))];
  if (names.length > 1)
    throw new UsageError(
      `cannot merge results of different scenarios (${names.map((n) => `"${n}"`).join(', ')}); merge the shards or rounds of one scenario`,
    );

  const starts = parts.map((p) => Date.parse(p.startedAt));
  const ctx: MergeContext = { parts, starts, t0: Math.min(...starts) };
  const merged: Partial<RunResult> = {};
  for (const [key, rule] of Object.entries(RULES) as Array<[keyof RunResult, (c: MergeContext) => unknown]>) {
    const value = rule(ctx);
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged as RunResult;
}

const RULES: MergeRules = {
  schemaVersion: () => SCHEMA_VERSION,
  tool: () => ({ name: 'rtbench', version: TOOL_VERSION }),
  scenario: ({ parts }) => parts[0]!.scenario,
  target: ({ parts }) => ({
    url: unique(parts.map((p) => p.target.url)).join(' + '),
    label: unique(parts.map((p) => p.target.label)).join(' + '),
    embedded: parts.every((p) => p.target.embedded),
  }),
  environment: ({ parts }) => ({ ...parts[0]!.environment, hostname: unique(parts.map((p) => p.environment.hostname)).join(', ') }),
  startedAt: ({ t0 }) => new Date(t0).toISOString(),
  durationMs: ({ parts, starts, t0 }) => Math.max(...parts.map((p, i) => starts[i]! + p.durationMs)) - t0,
  measuredMs: ({ parts, starts }) => measuredWindow(parts, starts),
  loadModel: ({ parts }) => {
    const models = unique(parts.map((p) => p.loadModel));
    return models.length === 1 ? models[0]! : 'mixed';
  },
  partial: ({ parts }) => parts.some((p) => p.partial),
  interruption: ({ parts }) => {
    const interruptions = unique(parts.flatMap((p) => (p.interruption ? [p.interruption] : [])));
    return interruptions.length ? interruptions.join('; ') : undefined;
  },
  metrics: ({ parts }) => {
    const metrics: Partial<Record<MetricId, MetricResult>> = {};
    for (const id of METRIC_IDS) {
      const encoded = parts.map((p) => p.metrics[id]?.histogram).filter((h): h is string => h !== undefined);
      if (encoded.length === 0) continue;
      const h = mergeHistograms(encoded.map(decodeHistogram));
      metrics[id] = { ...summarizeHistogram(h), histogram: encodeHistogram(h) };
    }
    return metrics;
  },
  counters: ({ parts }) => {
    const counters = zeroCounters();
    for (const p of parts) addCounters(counters, p.counters);
    return counters;
  },
  errors: ({ parts }) => {
    const errors: Record<string, number> = {};
    for (const p of parts) addErrorCounts(errors, p.errors);
    return errors;
  },
  timeseries: ({ parts, starts, t0 }) => mergeTimeseries(parts, starts, t0),
  health: ({ parts }) => {
    const workers = parts.reduce((a, p) => a + p.health.workers, 0);
    return {
      workers,
      loop_delay_p99_ms: Math.max(...parts.map((p) => p.health.loop_delay_p99_ms)),
      loop_delay_max_ms: Math.max(...parts.map((p) => p.health.loop_delay_max_ms)),
      cpu_percent_max: Math.max(...parts.map((p) => p.health.cpu_percent_max)),
      cpu_percent_mean: round2(parts.reduce((a, p) => a + p.health.cpu_percent_mean * p.health.workers, 0) / Math.max(1, workers)),
      max_send_lag_ms: Math.max(...parts.map((p) => p.health.max_send_lag_ms)),
      rss_peak_bytes: parts.reduce((a, p) => a + p.health.rss_peak_bytes, 0),
      warnings: unique(parts.flatMap((p) => p.health.warnings)),
      ...ifDefined('worst_part', worstPart(partRecords(parts))),
    };
  },
  notes: ({ parts }) => [
    ...unique(parts.flatMap((p) => p.notes)),
    `merged from ${parts.length} results (histograms added, counters summed)`,
    ...ifDefinedList(worstPart(partRecords(parts)), (w) => `generator health of each part is in parts; the worst: ${w}`),
    ...clockNotes(parts, partRecords(parts)),
  ],
  // They judged the parts, not the whole.
  verdicts: () => undefined,
  fanout: ({ parts, starts }) =>
    mergeFanoutSections(
      parts.map((p) => p.fanout),
      overlapGroups(parts, starts),
    ),
  // Shards measure one server side by side (same host, same pid): their sections describe the
  // same process tree, so the one that saw the most CPU time stands for all. Its per-message and
  // per-connection figures were one shard's share, so they are left out. Different servers'
  // costs do not add up.
  server: ({ parts }) => {
    const withServer = parts.filter((p) => p.server);
    const keys = new Set(withServer.map((p) => `${p.environment.hostname}/${p.server!.pid}`));
    if (withServer.length === 0 || keys.size > 1) return undefined;
    const best = withServer.map((p) => p.server!).reduce((a, b) => (b.cpu_seconds > a.cpu_seconds ? b : a));
    return withServer.length === 1 ? best : { ...best, msgs_per_cpu_second: null, rss_bytes_per_connection: null };
  },
  // The merged result is the whole run, no shard of it: each part's record moves to `parts`.
  shard: () => undefined,
  parts: ({ parts }) => partRecords(parts),
};

function ifDefinedList<V>(value: V | undefined, f: (v: V) => string): string[] {
  return value === undefined ? [] : [f(value)];
}

function ifDefined<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

/** Indexes of the parts, grouped by runs that overlapped in time (shards started together). */
function overlapGroups(parts: readonly RunResult[], starts: number[]): number[][] {
  const order = parts.map((p, i) => ({ i, start: starts[i]!, end: starts[i]! + p.durationMs })).sort((a, b) => a.start - b.start);
  const groups: number[][] = [];
  let groupEnd = -Infinity;
  for (const span of order) {
    if (span.start >= groupEnd) groups.push([]);
    groups[groups.length - 1]!.push(span.i);
    groupEnd = Math.max(groupEnd, span.end);
  }
  return groups;
}

/** Sum over groups of time-overlapping parts of the longest measured window in each group. */
function measuredWindow(parts: readonly RunResult[], starts: number[]): number {
  const spans = parts
    .map((p, i) => ({ start: starts[i]!, end: starts[i]! + p.durationMs, measuredMs: p.measuredMs }))
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let groupEnd = -Infinity;
  let groupMeasured = 0;
  for (const s of spans) {
    if (s.start >= groupEnd) {
      total += groupMeasured;
      groupMeasured = 0;
    }
    groupEnd = Math.max(groupEnd, s.end);
    groupMeasured = Math.max(groupMeasured, s.measuredMs);
  }
  return total + groupMeasured;
}

/**
 * Lays every part's points on the wall clock and adds the points that ended in the same
 * wall-clock second: shards started by --start-at share their seconds whatever their processes'
 * start times. Deltas (messages, errors) add exactly; a part's open connections (a gauge) count
 * once per second, its latest; per-interval percentiles take the worst part's.
 */
function mergeTimeseries(parts: readonly RunResult[], starts: number[], t0: number): TimeseriesPoint[] {
  const bySecond = new Map<number, { point: TimeseriesPoint; openByPart: Map<number, number> }>();
  parts.forEach((p, i) => {
    for (const point of p.timeseries) {
      const endMs = starts[i]! + point.t * 1000;
      // An interval ending at x.4 s mostly covers the second ending at x: the nearest boundary.
      const second = Math.round(endMs / 1000);
      const have = bySecond.get(second);
      if (!have) {
        bySecond.set(second, {
          point: { ...point, t: Math.round((second * 1000 - t0) / 10) / 100 },
          openByPart: new Map([[i, point.connections_open]]),
        });
        continue;
      }
      const m = have.point;
      have.openByPart.set(i, point.connections_open);
      m.connections_open = [...have.openByPart.values()].reduce((a, v) => a + v, 0);
      m.msgs_sent += point.msgs_sent;
      m.msgs_received += point.msgs_received;
      m.errors += point.errors;
      if (point.latency_p99_us > m.latency_p99_us && point.latency_metric) m.latency_metric = point.latency_metric;
      m.latency_p50_us = Math.max(m.latency_p50_us, point.latency_p50_us);
      m.latency_p99_us = Math.max(m.latency_p99_us, point.latency_p99_us);
      m.latency_max_us = Math.max(m.latency_max_us, point.latency_max_us);
      m.warmup ||= point.warmup;
      m.loop_delay_p99_ms = Math.max(m.loop_delay_p99_ms, point.loop_delay_p99_ms);
      m.cpu_percent = Math.max(m.cpu_percent, point.cpu_percent);
    }
  });
  return [...bySecond.values()].map((b) => b.point).sort((a, b) => a.t - b.t);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
