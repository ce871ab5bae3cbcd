/**
 * Every message exchanged between the runner and a worker process. Discriminated unions,
 * handled with exhaustive switches.
 */
import type { RecorderSnapshot } from '../metrics/recorder.js';
import type { Scenario } from '../scenario/types.js';

/** What one worker is asked to do: its share of each phase's connections. */
export interface WorkerPlan {
  workerIndex: number;
  url: string;
  scenario: Scenario;
  /** Connections this worker holds in each phase (same order as scenario.phases). */
  connectionsPerPhase: number[];
  /** Global index of this worker's first connection, and the run's total (for staggering). */
  firstConnectionIndex: number[];
  totalConnectionsPerPhase: number[];
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
