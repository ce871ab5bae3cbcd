/**
 * How a `find` dimension turns one value into a run: the per-connection rate behind a total,
 * the subscriber or stream count with every other group held, and the scenarios it refuses.
 */
import { describe, expect, it } from 'vitest';
import { dimensionFor } from '../../dist/find/dimensions.js';
import { splitByWeights } from '../../dist/load/schedule.js';
import { loadScenario } from '../../dist/scenario/load.js';
import { resolvePlan } from '../../dist/scenario/resolve.js';
import { validateScenario } from '../../dist/scenario/validate.js';

const builtin = (name: string) => {
  const { source, raw } = loadScenario(name);
  return validateScenario(raw, source);
};

/** Connections per group of the plan at `value`, as the workers split them. */
function groupCounts(name: Parameters<typeof dimensionFor>[0], scenario: string, value: number, overrides = {}): number[] {
  const dim = dimensionFor(name, builtin(scenario), overrides);
  const step = dim.stepInputs(value);
  const plan = resolvePlan(step.scenario, { workers: 1, ...step.overrides }, 2);
  return splitByWeights(
    plan.scenario.phases[0]!.connections,
    plan.scenario.groups.map((g) => g.share),
  );
}

describe('find dimensions', () => {
  it('total-rate divides by the sending connections; its default start is the scenario’s own total', () => {
    const dim = dimensionFor('total-rate', builtin('echo'), { connections: 40 });
    expect(dim.current).toBe(40 * 100);
    expect(dim.stepInputs(10_000).overrides.ratePerSec).toBe(250);
    // In a subscribe-only scenario the one rate is the server's publish rate: the total itself.
    const broadcast = dimensionFor('total-rate', builtin('broadcast'), {});
    expect([broadcast.unit, broadcast.current, broadcast.stepInputs(50).overrides.ratePerSec]).toEqual(['msgs/s published', 10, 50]);
  });

  it('streams grows only the SSE group: mixed keeps its 25 echo connections', () => {
    expect(groupCounts('streams', 'mixed', 10)).toEqual([25, 10]);
    expect(groupCounts('streams', 'mixed', 333)).toEqual([25, 333]);
    expect(dimensionFor('streams', builtin('mixed'), {}).current).toBe(25);
  });

  it('subscribers of a subscribe-only scenario are all its connections; connections override -c exactly', () => {
    expect(groupCounts('subscribers', 'broadcast', 777)).toEqual([777]);
    expect(groupCounts('connections', 'mixed', 101)).toEqual([51, 50]);
  });

  it('refuses what the scenario cannot vary, naming the scenario', () => {
    expect(() => dimensionFor('subscribers', builtin('echo'), {})).toThrow("--vary subscribers: scenario 'echo' has no subscriber group");
    expect(() => dimensionFor('streams', builtin('echo'), {})).toThrow("--vary streams: scenario 'echo' has no SSE group");
    expect(() => dimensionFor('rate', builtin('echo'), { inFlight: 4 })).toThrow('--vary rate makes every step open loop');
    expect(() => dimensionFor('total-rate', builtin('broadcast'), {}).stepInputs(1)).not.toThrow();
  });
});
