/**
 * The result document (docs/result-format.md): one JSON file per run, `schemaVersion: 2`. It is plain
 * data, so it can be saved, merged, compared and re-rendered later. Histograms are kept
 * encoded next to their summaries, so merges and comparisons stay exact.
 */
import type { Counters } from './counters.js';
import type { HistogramSummary } from './histogram.js';
import type { MetricId } from './metric-ids.js';
import type { Scenario } from '../scenario/types.js';

/** 2 added `server` (the target's CPU and memory); a version 1 document reads as 2 without it. */
export const SCHEMA_VERSION = 2;
/** Versions this rtbench reads. */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2];

/** One metric: its summary plus the compressed base64 HDR histogram. */
export interface MetricResult extends HistogramSummary {
  histogram: string;
}

/** One point of the per-interval time series (warm-up included). */
export interface TimeseriesPoint {
  /** Seconds since the run started (end of the interval). */
  t: number;
  connections_open: number;
  msgs_sent: number;
  msgs_received: number;
  errors: number;
  /** Which histogram the latency figures come from (`latency`, `fanout_latency`, `push_latency`). */
  latency_metric?: MetricId;
  latency_p50_us: number;
  latency_p99_us: number;
  latency_max_us: number;
  /** True while the interval was (at least partly) warm-up. */
  warmup: boolean;
  /** Worst generator event-loop delay p99 and CPU over the workers in this interval. */
  loop_delay_p99_ms: number;
  cpu_percent: number;
}

/** The generator watching itself (docs/architecture.md §7). */
export interface HealthResult {
  workers: number;
  loop_delay_p99_ms: number;
  loop_delay_max_ms: number;
  cpu_percent_max: number;
  cpu_percent_mean: number;
  max_send_lag_ms: number;
  rss_peak_bytes: number;
  /** Plain-words warnings; empty when the generator kept up. */
  warnings: string[];
  /** A merged result: the part whose generator fared worst, and why (`parts` has each one's health). */
  worst_part?: string;
}

/** Health of a run that had no generator (nothing ran) or a file that lacks the section. */
export function emptyHealth(): HealthResult {
  return {
    workers: 0,
    loop_delay_p99_ms: 0,
    loop_delay_max_ms: 0,
    cpu_percent_max: 0,
    cpu_percent_mean: 0,
    max_send_lag_ms: 0,
    rss_peak_bytes: 0,
    warnings: [],
  };
}

/** A threshold or gate check and its outcome. */
export interface Verdict {
  check: string;
  actual: number | null;
  unit: string;
  pass: boolean;
  detail?: string;
}

/**
 * The sections a role adds to the result (filled by the role's main coordinator,
 * src/worker/coordinator.ts); every one of them is merged by metrics/merge.ts.
 */
export interface RoleSections {
  /** Fan-out runs only (roles publisher, subscriber, pubsub): who published to whom. */
  fanout?: FanoutResult;
}

export interface RunResult extends RoleSections {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'rtbench'; version: string };
  scenario: Scenario;
  target: { url: string; label: string; embedded: boolean };
  environment: { node: string; os: string; cpu_model: string; cores: number; hostname: string };
  startedAt: string;
  /** Wall time of the whole run: ramp, steady phases and drain. */
  durationMs: number;
  /** Wall time samples were measured in (steady phases after warm-up): the rates' denominator. */
  measuredMs: number;
  /** `open`, `closed`, `mixed` (phases differ) or `idle` (connections only). */
  loadModel: 'open' | 'closed' | 'mixed' | 'idle';
  partial: boolean;
  /** Why the run ended early, when it did (`interrupted`, `worker crashed`, ...). */
  interruption?: string;
  metrics: Partial<Record<MetricId, MetricResult>>;
  counters: Counters;
  errors: Record<string, number>;
  timeseries: TimeseriesPoint[];
  health: HealthResult;
  /** Things a reader must know to trust the numbers (FIFO matching, TLS unverified, ...). */
  notes: string[];
  verdicts?: Verdict[];
  /** A local target's own cost (a launched command, the embedded server, or --server-pid). */
  server?: ServerResources;
  /** A run with `--shard` or `--start-at`: its share, its start against the common instant, its clock. */
  shard?: ShardRecord;
  /** A merged result: every part's shard record and generator health (the worst named in `health.worst_part`). */
  parts?: PartRecord[];
}

/** One shard's own account of itself (docs/result-format.md §15). */
export interface ShardRecord {
  /** Shard index (from 0) and count: `--shard index/count`. */
  index: number;
  count: number;
  /** Connections this shard held, per phase and group ([phase][group]). */
  connectionsPerPhase: number[][];
  /** `--start-at` as ISO 8601, when given. */
  startAt?: string;
  /** When the first phase's load started, ms after `startAt` (0 on time; absent when it never started). */
  startOffsetMs?: number;
  clock: ShardClock;
}

/** The shard's clock: its host, and how far the target's clock was from it. */
export interface ShardClock {
  hostname: string;
  /** This host's wall clock when the run started (ISO 8601, ms). */
  wallAtStart: string;
  /** Target's clock minus this host's, ms (NTP-style, from `GET /time`); null when the target tells no time. */
  targetOffsetMs: number | null;
  /** Round trip of that measurement, ms: the offset is within ± half of it. */
  targetRttMs: number | null;
  /** Where the target's time came from, or why there is none. */
  source: string;
}

/** One part of a merged result, in the order the parts were given. */
export interface PartRecord {
  /** `shard i/N` for a shard, else `part n`. */
  label: string;
  hostname: string;
  startedAt: string;
  shard?: ShardRecord;
  health: HealthResult;
}

/**
 * The target server's process tree over the measured window, sampled from /proc every 250 ms:
 * CPU in percent of one core, memory, and what the work cost per message and per connection.
 */
export interface ServerResources {
  pid: number;
  /** How rtbench knows the server: it launched it, it is the embedded server, or the user named the pid. */
  source: 'launched' | 'embedded' | 'pid';
  /** Most processes in the tree at once (a cluster's workers, a command's children). */
  processes: number;
  cpu_percent: { mean: number; max: number };
  cpu_seconds: number;
  rss_bytes: { start: number; peak: number; end: number };
  /** Most threads and open file descriptors over the tree at once. */
  threads: number;
  open_fds: number;
  /** Measured replies, deliveries or events per CPU-second of the server; null without CPU or messages. */
  msgs_per_cpu_second: number | null;
  /** Peak RSS over the connections of the run's peak; null without connections. */
  rss_bytes_per_connection: number | null;
  /** One point per sample: seconds since the run started, CPU % and RSS. */
  timeseries: Array<{ t: number; cpu_percent: number; rss_bytes: number }>;
}

/** One subscriber's deliveries, for the list of the worst (a lagging receiver is a finding). */
export interface FanoutSubscriberStat {
  /** `<group>#<connection index>` (`#r…` for a reconnect). */
  subscriber: string;
  expected: number;
  received: number;
  lost: number;
  duplicated: number;
  reordered: number;
  /** Deliveries slower than `FanoutResult.lateAfterMs`, one way. */
  late: number;
  maxLatencyUs: number;
}

/**
 * The fan-out view of a run. The totals are the counters `deliveries_expected`,
 * `deliveries_received`, `msgs_lost`, `msgs_duplicated` and `msgs_reordered`; this says who
 * published and lists the subscribers that fared worst.
 */
export interface FanoutResult {
  /** How `deliveries_expected` was counted, in one sentence, for readers of the file. */
  method: string;
  /** Publishers expected their own messages back (the server relays to the sender). */
  includeSender: boolean;
  /** rtbench connections that published at least once. */
  publishers: number;
  /** rtbench connections that subscribed (opened with a subscribing role). */
  subscribers: number;
  /** Messages rtbench's publishers sent; each is expected once per subscriber. */
  published: number;
  /** Sequence numbers the server's own publisher (stamps without a publisher id) covered; 0: none seen. */
  serverPublished: number;
  /** The embedded server's publish rate, when rtbench set one (msg/s). */
  serverPublishRatePerSec?: number;
  /** A delivery slower than this counted as late. */
  lateAfterMs: number;
  /** At most five subscribers: most lost first, then most late, then slowest. */
  worstSubscribers: FanoutSubscriberStat[];
}
