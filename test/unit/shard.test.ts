/**
 * Shards split a scenario exactly: every phase's connections, group by group, add up over the
 * shards to the scenario's; `i/N` and the Indexed Job's variables are read strictly.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../dist/errors.js';
import { parseShard, shardedPublisherId, shardFromEnv, shardShare } from '../../dist/scenario/shard.js';
import type { Scenario } from '../../dist/scenario/types.js';
import { validatedBuiltin } from '../helpers/scenarios.js';

/** The mixed scenario (two groups) with phases whose counts do not divide evenly. */
function unevenScenario(): Scenario {
  const s = structuredClone(validatedBuiltin('mixed'));
  s.phases = [
    { ...s.phases[0]!, connections: 101 },
    { ...s.phases[0]!, connections: 7 },
    { ...s.phases[0]!, connections: 0 },
  ];
  return s;
}

describe('shardShare', () => {
  it('adds up over the shards to every phase and group of the scenario', () => {
    const s = unevenScenario();
    const whole = shardShare(s, { index: 0, count: 1 }).connectionsPerPhase;
    for (const count of [1, 2, 3, 7, 200]) {
      const shares = Array.from({ length: count }, (_, i) => shardShare(s, { index: i, count }).connectionsPerPhase);
      const summed = whole.map((byGroup, p) => byGroup.map((_, g) => shares.reduce((a, sh) => a + sh[p]![g]!, 0)));
      expect(summed, `${count} shards`).toEqual(whole);
      // Shares of one group differ by at most one.
      for (const [p, byGroup] of whole.entries())
        for (const g of byGroup.keys()) {
          const counts = shares.map((sh) => sh[p]![g]!);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
    }
    expect(whole.map((byGroup) => byGroup.reduce((a, n) => a + n, 0))).toEqual([101, 7, 0]);
  });

  it('gives each shard its own run-wide connection indices', () => {
    const s = unevenScenario();
    const shares = [0, 1, 2].map((i) => shardShare(s, { index: i, count: 3 }));
    for (const g of s.groups.keys()) {
      const ranges = shares.map((sh) => [
        sh.firstConnectionIndex[g]!,
        sh.firstConnectionIndex[g]! + Math.max(...sh.connectionsPerPhase.map((b) => b[g]!)),
      ]);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]!);
    }
  });

  it('numbers publishers so that no two shards share an id', () => {
    const ids = new Set<number>();
    for (let shard = 0; shard < 3; shard++)
      for (let local = 0; local < 50; local++) ids.add(shardedPublisherId(local, { index: shard, count: 3 }));
    expect(ids.size).toBe(150);
  });
});

describe('parseShard and shardFromEnv', () => {
  it('reads i/N with i from 0', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
  });

  it('refuses what is not a shard, naming the problem', () => {
    expect(() => parseShard('3/3')).toThrow(/shard index 3 is not below the count 3 \(indices start at 0\)/);
    expect(() => parseShard('1/0')).toThrow(/at least 1/);
    expect(() => parseShard('1of3')).toThrow(UsageError);
  });

  it("reads an Indexed Job's index and the count variable", () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '4', RTBENCH_SHARDS: '5' })).toEqual({ index: 4, count: 5 });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '1' })).toThrow(/RTBENCH_SHARDS is not set/);
    expect(() => shardFromEnv({})).toThrow(/JOB_COMPLETION_INDEX and RTBENCH_SHARDS are not set/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: 'x', RTBENCH_SHARDS: '2' })).toThrow(/must be a whole number/);
  });
});
