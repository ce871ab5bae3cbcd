/**
 * Names for the numbers a result holds, shared by thresholds, compare and gate, so
 * `latency.p99` means the same thing in a threshold, a regression check and a table row.
 *
 * A reference is one of:
 * - a histogram metric and a statistic: `latency.p99`, `connect_time.max`, `latency.count`;
 * - a counter (any name in COUNTER_NAMES): `msgs_lost`;
 * - `errors` (all classes) or one class: `errors.connect_refused`;
 * - a throughput: `msgs_per_sec` (replies measured per second) or `deliveries_per_sec`
 *   (fan-out deliveries measured per second);
 * - `error_rate`: errors per operation attempted, in percent;
 * - a figure of the target server's cost (`server.cpu_percent.mean`, `server.rss.peak`, ...:
 *   SERVER_FIGURES), present when the target was local.
 */
import { COUNTER_NAMES, type CounterName } from '../metrics/counters.js';
import { METRIC_IDS, type MetricId } from '../metrics/metric-ids.js';
import type { RunResult, ServerResources } from '../metrics/result.js';

/** Statistics of a histogram metric, as named in `metrics.<id>` of the result file. */
export const STATS = ['p50', 'p90', 'p99', 'p99_9', 'p99_99', 'min', 'mean', 'max', 'count'] as const;
/** One of {@link STATS}. */
export type Stat = (typeof STATS)[number];

/**
 * Throughput names and the histogram whose sample count they divide by the measured time.
 * Histogram counts, not counters, because only histograms exclude warm-up: counters such as
 * `msgs_received` include warm-up traffic and would overstate the rate.
 */
export const THROUGHPUTS = { msgs_per_sec: 'latency', deliveries_per_sec: 'fanout_latency' } as const satisfies Record<string, MetricId>;
/** `msgs_per_sec` or `deliveries_per_sec`. */
export type ThroughputName = keyof typeof THROUGHPUTS;

/** The `server.` figures: where each sits in the result's `server` section, its kind, which way is better. */
export const SERVER_FIGURES = {
  'cpu_percent.mean': { read: (s) => s.cpu_percent.mean, kind: 'percent', better: 'lower' },
  'cpu_percent.max': { read: (s) => s.cpu_percent.max, kind: 'percent', better: 'lower' },
  'rss.start': { read: (s) => s.rss_bytes.start, kind: 'bytes', better: 'lower' },
  'rss.peak': { read: (s) => s.rss_bytes.peak, kind: 'bytes', better: 'lower' },
  'rss.end': { read: (s) => s.rss_bytes.end, kind: 'bytes', better: 'lower' },
  threads: { read: (s) => s.threads, kind: 'count', better: 'lower' },
  open_fds: { read: (s) => s.open_fds, kind: 'count', better: 'lower' },
  msgs_per_cpu_second: { read: (s) => s.msgs_per_cpu_second, kind: 'count', better: 'higher' },
  rss_per_connection: { read: (s) => s.rss_bytes_per_connection, kind: 'bytes', better: 'lower' },
} as const satisfies Record<string, { read: (s: ServerResources) => number | null; kind: ValueKind; better: 'lower' | 'higher' }>;
/** One of {@link SERVER_FIGURES}' keys. */
export type ServerFigure = keyof typeof SERVER_FIGURES;

/** A parsed metric reference. */
export type MetricRef =
  | { kind: 'histogram'; metric: MetricId; stat: Stat }
  | { kind: 'counter'; name: CounterName }
  | { kind: 'errors'; errorClass?: string }
  | { kind: 'throughput'; name: ThroughputName }
  | { kind: 'error_rate' }
  | { kind: 'server'; figure: ServerFigure };

/** What a reference's values are: microseconds, a plain count, a rate per second, a percentage, bytes. */
export type ValueKind = 'us' | 'count' | 'per_sec' | 'percent' | 'bytes';

/** Counters where more is better; every other counter counts trouble (lost, failed, ...). */
const MORE_IS_BETTER: ReadonlySet<CounterName> = new Set<CounterName>([
  'connections_opened',
  'msgs_sent',
  'msgs_received',
  'bytes_sent',
  'bytes_received',
  'deliveries_expected',
  'deliveries_received',
  'events_received',
  'replies_matched_fifo',
]);

const ERROR_CLASS = /^[a-z0-9_]+$/;

/** Parses `latency.p99`, `msgs_lost`, `errors.reset`, ...; returns a problem sentence on failure. */
export function parseMetricRef(text: string): { ref: MetricRef } | { problem: string } {
  const dot = text.indexOf('.');
  const head = dot < 0 ? text : text.slice(0, dot);
  const tail = dot < 0 ? undefined : text.slice(dot + 1);
  if ((METRIC_IDS as readonly string[]).includes(head)) {
    const metric = head as MetricId;
    if (tail === undefined) return { problem: `${metric} needs a statistic, e.g. ${metric}.p99; one of ${STATS.join(', ')}` };
    if (!(STATS as readonly string[]).includes(tail)) {
      return { problem: `unknown statistic "${tail}" for ${metric}; use ${listOr(STATS)}` };
    }
    return { ref: { kind: 'histogram', metric, stat: tail as Stat } };
  }
  if (head === 'server') {
    if (tail === undefined || !Object.hasOwn(SERVER_FIGURES, tail)) {
      return {
        problem: `server needs a figure: ${Object.keys(SERVER_FIGURES)
          .map((f) => `server.${f}`)
          .join(', ')}`,
      };
    }
    return { ref: { kind: 'server', figure: tail as ServerFigure } };
  }
  if (head === 'errors') {
    if (tail === undefined) return { ref: { kind: 'errors' } };
    if (!ERROR_CLASS.test(tail)) return { problem: `error class "${tail}" must be snake_case, e.g. errors.connect_refused` };
    return { ref: { kind: 'errors', errorClass: tail } };
  }
  const known = (COUNTER_NAMES as readonly string[]).includes(head) || head in THROUGHPUTS || head === 'error_rate';
  if (known && tail !== undefined) return { problem: `${head} takes no statistic (got "${text}")` };
  if ((COUNTER_NAMES as readonly string[]).includes(head)) return { ref: { kind: 'counter', name: head as CounterName } };
  if (head in THROUGHPUTS) return { ref: { kind: 'throughput', name: head as ThroughputName } };
  if (head === 'error_rate') return { ref: { kind: 'error_rate' } };
  const guess = closestName(head);
  if (guess) return { problem: `unknown metric "${head}" (did you mean ${guess}?)` };
  return {
    problem:
      `unknown metric "${head}"; use a latency metric with a statistic (latency.p99), ` +
      `a counter (msgs_lost), errors, errors.<class>, error_rate, msgs_per_sec or deliveries_per_sec`,
  };
}

/** The reference written back in its canonical form (`latency.p99`, `errors.reset`). */
export function metricRefText(ref: MetricRef): string {
  switch (ref.kind) {
    case 'histogram':
      return `${ref.metric}.${ref.stat}`;
    case 'counter':
      return ref.name;
    case 'errors':
      return ref.errorClass ? `errors.${ref.errorClass}` : 'errors';
    case 'throughput':
      return ref.name;
    case 'error_rate':
      return 'error_rate';
    case 'server':
      return `server.${ref.figure}`;
  }
}

/** What the reference's values measure. */
export function valueKind(ref: MetricRef): ValueKind {
  switch (ref.kind) {
    case 'histogram':
      return ref.stat === 'count' ? 'count' : 'us';
    case 'throughput':
      return 'per_sec';
    case 'error_rate':
      return 'percent';
    case 'server':
      return SERVER_FIGURES[ref.figure].kind;
    default:
      return 'count';
  }
}

/** Which direction is an improvement: lower latency and errors, higher throughput. */
export function betterWhen(ref: MetricRef): 'lower' | 'higher' {
  switch (ref.kind) {
    case 'histogram':
      return ref.stat === 'count' ? 'higher' : 'lower';
    case 'throughput':
      return 'higher';
    case 'counter':
      return MORE_IS_BETTER.has(ref.name) ? 'higher' : 'lower';
    case 'server':
      return SERVER_FIGURES[ref.figure].better;
    default:
      return 'lower';
  }
}

/**
 * Reads the value a reference names from a result, in its base unit (µs, count, /s, %).
 * `null` means the result has no data for it: a histogram statistic with no samples, a rate
 * with no measured time, an error rate with nothing attempted. A count of an absent metric is 0.
 */
export function readMetric(r: RunResult, ref: MetricRef): number | null {
  switch (ref.kind) {
    case 'histogram': {
      const m = r.metrics[ref.metric];
      if (ref.stat === 'count') return m?.count ?? 0;
      return m && m.count > 0 ? m[ref.stat] : null;
    }
    case 'counter':
      return r.counters[ref.name] ?? 0;
    case 'errors':
      return ref.errorClass ? (r.errors[ref.errorClass] ?? 0) : errorTotal(r);
    case 'throughput': {
      const count = r.metrics[THROUGHPUTS[ref.name]]?.count ?? 0;
      return r.measuredMs > 0 ? count / (r.measuredMs / 1000) : null;
    }
    case 'error_rate':
      return errorRatePercent(r);
    case 'server':
      return r.server ? SERVER_FIGURES[ref.figure].read(r.server) : null;
  }
}

/**
 * Errors per operation attempted, in percent: every error class counted, over connection
 * attempts (opened + failed) plus messages sent. Both sides include warm-up, so they match.
 * A reply timeout counts once per message, a refused connection once per attempt, so a server
 * that fails everything is at (or near) 100%.
 */
export function errorRatePercent(r: RunResult): number | null {
  const k = r.counters;
  const attempts = (k.connections_opened ?? 0) + (k.connections_failed ?? 0) + (k.msgs_sent ?? 0);
  const errors = errorTotal(r);
  if (attempts === 0) return errors > 0 ? 100 : null;
  return Math.min(100, (errors / attempts) * 100);
}

function errorTotal(r: RunResult): number {
  return Object.values(r.errors).reduce((a, v) => a + v, 0);
}

function listOr(items: readonly string[]): string {
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The nearest known top-level name within two edits, for "did you mean". */
function closestName(input: string): string | undefined {
  const names = [...METRIC_IDS, ...COUNTER_NAMES, 'errors', 'error_rate', 'server', ...Object.keys(THROUGHPUTS)];
  let best: string | undefined;
  let bestDistance = 3;
  for (const n of names) {
    const d = editDistance(input, n);
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
