/**
 * Every message exchanged between the runner and a worker process. Discriminated unions,
 * handled with exhaustive switches.
 */
import type { RecorderSnapshot } from '../metrics/recorder.js';
import type { Scenario } from '../scenario/types.js';

/** What one worker is asked to do: its share of each phase's connections, per group. */
export interface WorkerPlan {
  workerIndex: number;
  scenario: Scenario;
  /** Resolved URL of each group (same order as scenario.groups). */
  groupUrls: string[];
  /** Connections this worker holds: [phase][group]. */
  connectionsPerPhase: number[][];
  /** Run-wide index of this worker's first connection in each group (spreads first sends). */
  firstConnectionIndex: number[];
  /** Connections of the whole run in each phase, and this worker's share of the connect rate. */
  totalConnectionsPerPhase: number[];
  connectRateShare: number;
  intervalMs: number;
  /** Local addresses to spread connections over (round robin); empty: the OS picks. */
  localAddresses: string[];
}

/** Generator-health sample for one interval (DESIGN.md §5). */
export interface HealthSample {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  cpuPercent: number;
  /** Largest lateness of a send against its intended time in this interval. */
  maxSendLagUs: number;
  rssBytes: number;
}

/** One interval's deltas plus gauges. */
export interface IntervalReport {
  snapshot: RecorderSnapshot;
  health: HealthSample;
  connectionsOpen: number;
  atMs: number;
}

export type ToWorker =
  | { type: 'start'; plan: WorkerPlan }
  | { type: 'phase'; index: number }
  | { type: 'steady'; index: number; warmupMs: number }
  | { type: 'drain'; waitMs: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'ramped'; index: number; open: number }
  | { type: 'interval'; report: IntervalReport }
  | { type: 'done'; report: IntervalReport; notes: string[] }
  | { type: 'fatal'; message: string; stack?: string };

/** Exhaustiveness check for switches over the unions above. */
export function assertNever(x: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(x)}`);
}
