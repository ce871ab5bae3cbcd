/**
 * Every message exchanged between the runner and a worker process. Discriminated unions,
 * handled with exhaustive switches.
 */
import type { RecorderSnapshot } from '../metrics/recorder.js';
import type { LocalEndpoints } from '../runner/source-addresses.js';
import type { Shard } from '../scenario/shard.js';
import type { Scenario } from '../scenario/types.js';

/** What one worker is asked to do: its share of each phase's connections, per group. */
export interface WorkerPlan {
  workerIndex: number;
  /** Worker processes in the run (fan-out publisher ids are unique across them). */
  workerCount: number;
  /** The run's shard this process is (absent: the whole run); publisher ids stay unique across shards. */
  shard?: Shard;
  scenario: Scenario;
  /** Resolved URL of each group (same order as scenario.groups). */
  groupUrls: string[];
  /** Connections this worker holds: [phase][group]. */
  connectionsPerPhase: number[][];
  /** Run-wide index of this worker's first connection in each group (spreads first sends). */
  firstConnectionIndex: number[];
  /** This worker's share of the connect rate. */
  connectRateShare: number;
  intervalMs: number;
  /** Source addresses (round robin) and this worker's own block of source ports. */
  local: LocalEndpoints;
}

/** Generator-health sample for one interval (docs/architecture.md §7). */
export interface HealthSample {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  cpuPercent: number;
  /** Largest lateness of a send against its intended time in this interval. */
  maxSendLagUs: number;
  rssBytes: number;
  /**
   * Sampled in the measured window: a steady part, past its warm-up. Ramps (thousands of
   * handshakes) and the drain (thousands of closes) load the loop by design, and warm-up is
   * where things settle (after a ramp of 100k connections, a few seconds); only the intervals
   * whose latencies are kept decide whether the generator kept up.
   */
  isMeasured?: boolean;
}

/** One interval's deltas plus gauges. */
export interface IntervalReport {
  snapshot: RecorderSnapshot;
  health: HealthSample;
  connectionsOpen: number;
  /** Sessions not yet ended: open, connecting, or waiting to reconnect (0: this worker is idle). */
  connectionsLive: number;
  atMs: number;
  /** Each role coordinator's part of its result section, by coordinator; in a worker's final report only. */
  summaries?: Record<string, unknown>;
}

export type ToWorker =
  | { type: 'start'; plan: WorkerPlan }
  | { type: 'phase'; index: number }
  | { type: 'steady'; index: number; warmupMs: number }
  | { type: 'drain'; waitMs: number }
  /** The main side's combination of every worker's `drain_started` value for `coordinator`. */
  | { type: 'combined'; coordinator: string; value: unknown };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'ramped'; index: number; open: number }
  | { type: 'interval'; report: IntervalReport }
  | { type: 'done'; report: IntervalReport; notes: string[] }
  /** A role coordinator's value at the start of the drain, for the main side to combine. */
  | { type: 'drain_started'; coordinator: string; value: unknown }
  | { type: 'fatal'; message: string; stack?: string };

/** Exhaustiveness check for switches over the unions above. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
