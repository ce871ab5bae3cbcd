/**
 * Role coordinators: what a role needs beyond its sessions, registered beside the role
 * (roles/registry.ts). The worker side lives once per worker and follows the phases; the main
 * side combines the workers' figures and builds the role's own result section. Messages, the
 * pool, the runner and merge carry their values without knowing what is inside.
 */
import type { Counters } from '../metrics/counters.js';
import type { RoleSections } from '../metrics/result.js';
import type { Shard } from '../scenario/shard.js';
import type { Scenario } from '../scenario/types.js';

/** What a worker-side coordinator is built from. */
export interface WorkerCoordinatorContext {
  scenario: Scenario;
  workerIndex: number;
  workerCount: number;
  /** The run's shard this worker's process is part of (the whole run when not sharded). */
  shard: Shard;
  /** The worker's notes (said once in the report however often they are added). */
  notes: Set<string>;
}

/** A role's per-worker state, shared by the role's sessions in that worker. */
export interface WorkerCoordinator {
  /** Phase `index`'s ramp begins. */
  rampStarted?(index: number): void;
  /** Phase `index`'s steady part begins (before the engine applies its load). */
  steadyStarted?(index: number): void;
  /**
   * The drain begins. A value returned here goes to the main side, which combines every
   * worker's and sends the result back (`combined`) while the drain waits.
   */
  drainStarted?(): unknown;
  /** The main side's combination of every worker's `drainStarted` value. */
  combined?(value: unknown): void;
  /** After the drain, every session ended or given up: this worker's part of the result section. */
  finalise?(counters: Counters): unknown;
}

/** What a main-side coordinator knows about the run when it builds its section. */
export interface SectionContext {
  scenario: Scenario;
  isEmbedded: boolean;
  targetUrl: string;
}

/** A role's main side: combines what the workers sent and fills its result section. */
export interface MainCoordinator {
  /** The result section this coordinator fills. */
  readonly section: keyof RoleSections;
  /** Combines every worker's `drainStarted` value; `isComplete` is false when a worker died first. */
  combine?(values: unknown[], isComplete: boolean): unknown;
  /** The section from every worker's `finalise` value, and the notes a reader needs beside it. */
  buildSection(summaries: unknown[], ctx: SectionContext): { value: NonNullable<RoleSections[keyof RoleSections]>; notes: string[] };
}
