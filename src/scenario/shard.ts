/**
 * Shards: one run split over several generator hosts (docs/architecture.md §11). Shard i of N
 * holds exactly its share of every phase's connections, group by group, split with the same
 * splitters that spread a run over its worker processes (load/schedule.ts), so the N shards
 * together are the scenario: rates are per connection (a `totalRate` was already turned into
 * one by validation), so each shard's share of the load follows its share of the connections.
 * Pure functions of the scenario, so any command that runs load (run, and later find) can
 * adopt them.
 */
import { UsageError } from '../errors.js';
import { splitByWeights, splitEvenly } from '../load/schedule.js';
import type { Scenario } from './types.js';

/** This process's part of a sharded run: `index` counts from 0, as a Job completion index does. */
export interface Shard {
  index: number;
  count: number;
}

/** The shard count variable `--shard-from-env` reads beside `JOB_COMPLETION_INDEX`. */
export const SHARD_COUNT_ENV = 'RTBENCH_SHARDS';
/** Set by Kubernetes on every pod of an Indexed Job: the pod's index, 0 .. completions − 1. */
export const SHARD_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** The whole run as a shard: every connection, indices from 0. */
export const WHOLE_RUN: Shard = { index: 0, count: 1 };

/** Parses `i/N` (0 ≤ i < N), as `--shard` takes it. */
export function parseShard(text: string, source = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`${source} must look like i/N, e.g. 0/3 (got ${JSON.stringify(text)})`);
  return checkedShard(Number(m[1]), Number(m[2]), source);
}

/** The shard an Indexed Job's pod is: `JOB_COMPLETION_INDEX` of `RTBENCH_SHARDS`. */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): Shard {
  const index = env[SHARD_INDEX_ENV];
  const count = env[SHARD_COUNT_ENV];
  const missing = [index === undefined && SHARD_INDEX_ENV, count === undefined && SHARD_COUNT_ENV].filter(Boolean);
  if (missing.length > 0)
    throw new UsageError(
      `--shard-from-env: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set ` +
        `(an Indexed Job sets ${SHARD_INDEX_ENV}; set ${SHARD_COUNT_ENV} to its parallelism)`,
    );
  const whole = (name: string, v: string) => {
    if (!/^\d+$/.test(v.trim())) throw new UsageError(`--shard-from-env: ${name} must be a whole number (got ${JSON.stringify(v)})`);
    return Number(v);
  };
  return checkedShard(whole(SHARD_INDEX_ENV, index!), whole(SHARD_COUNT_ENV, count!), '--shard-from-env');
}

function checkedShard(index: number, count: number, source: string): Shard {
  if (count < 1) throw new UsageError(`${source}: the shard count must be at least 1 (got ${count})`);
  if (index >= count) throw new UsageError(`${source}: shard index ${index} is not below the count ${count} (indices start at 0)`);
  return { index, count };
}

/** What one shard holds of a scenario. */
export interface ShardShare {
  /** Connections of this shard, per phase and group ([phase][group]). */
  connectionsPerPhase: number[][];
  /** Run-wide index of this shard's first connection in each group (connection labels, send offsets). */
  firstConnectionIndex: number[];
}

/**
 * The shard's share of every phase: each phase's connections split over the groups by their
 * weights, each group's count split evenly over the shards (shares add up exactly and differ by
 * at most one). The same two splitters then spread the share over the shard's workers.
 */
export function shardShare(scenario: Scenario, shard: Shard): ShardShare {
  const weights = scenario.groups.map((g) => g.share);
  // [phase][group][shard]
  const split = scenario.phases.map((p) => splitByWeights(p.connections, weights).map((n) => splitEvenly(n, shard.count)));
  return {
    connectionsPerPhase: split.map((byGroup) => byGroup.map((byShard) => byShard[shard.index]!)),
    firstConnectionIndex: scenario.groups.map((_, g) => Math.max(0, ...split.map((byGroup) => prefixSum(byGroup[g]!, shard.index)))),
  };
}

/** Publisher ids unique over every shard's workers: each process numbers its own, interleaved. */
export function shardedPublisherId(localId: number, shard: Shard): number {
  return localId * shard.count + shard.index;
}

/** `i/N`, as the flag and the reports write a shard. */
export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

function prefixSum(values: number[], end: number): number {
  let sum = 0;
  for (let i = 0; i < end; i++) sum += values[i]!;
  return sum;
}
