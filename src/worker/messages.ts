/**
 * Every message exchanged between the runner and a worker process. Discriminated unions,
 * handled with exhaustive switches.
 */
import type { RecorderSnapshot } from '../metrics/recorder.js';
import type { FanoutSubscriberStat } from '../metrics/result.js';
import type { LocalEndpoints } from '../runner/source-addresses.js';
import type { Scenario } from '../scenario/types.js';

/** What one worker is asked to do: its share of each phase's connections, per group. */
export interface WorkerPlan {
  workerIndex: number;
  /** Worker processes in the run (fan-out publisher ids are unique across them). */
  workerCount: number;
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
  /** Local addresses to spread connections over (round robin); empty: the OS picks. */
  /** Source addresses (round robin) and this worker's own block of source ports. */
  local: LocalEndpoints;
}

/** Generator-health sample for one interval (DESIGN.md §5). */
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
  /** Fan-out figures; in a worker's final report only. */
  fanout?: FanoutWorkerSummary;
}

/** A worker's fan-out publishing, sent as the drain begins (fanout-book.ts explains why). */
export interface FanoutPublished {
  /** Messages this worker's publishers sent in each phase's steady part. */
  publishedByPart: number[];
  /** Highest seq any of its subscribers had seen from a server's own (id-less) stream; -1: none. */
  serverMaxSeq: number;
}

/** The run-wide sums of every worker's {@link FanoutPublished}, sent back to each worker. */
export interface FanoutTotals extends FanoutPublished {
  /** Every worker reported; false when one died first (its publishes are then unknown). */
  isComplete: boolean;
}

/** A worker's fan-out figures, in its final report. */
export interface FanoutWorkerSummary {
  publishers: number;
  subscribers: number;
  published: number;
  /** Lowest and highest seq seen from a server's own stream (-1: none), to size its publishing. */
  serverSeqMin: number;
  serverSeqMax: number;
  /** This worker's worst subscribers, worst first. */
  worst: FanoutSubscriberStat[];
}

export type ToWorker =
  | { type: 'start'; plan: WorkerPlan }
  | { type: 'phase'; index: number }
  | { type: 'steady'; index: number; warmupMs: number }
  | { type: 'drain'; waitMs: number }
  | { type: 'fanout_totals'; totals: FanoutTotals };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'ramped'; index: number; open: number }
  | { type: 'interval'; report: IntervalReport }
  | { type: 'done'; report: IntervalReport; notes: string[] }
  | { type: 'fanout_published'; published: FanoutPublished }
  | { type: 'fatal'; message: string; stack?: string };

/** Exhaustiveness check for switches over the unions above. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
