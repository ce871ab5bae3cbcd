/**
 * Builds plans the way the CLI does (validate → resolve) so e2e tests can call runScenario()
 * in process, and keeps track of servers to close.
 */
import { resolvePlan, type RunOverrides } from '../../dist/scenario/resolve.js';
import { validateScenario } from '../../dist/scenario/validate.js';
import { loadScenario } from '../../dist/scenario/load.js';
import type { RunPlan } from '../../dist/scenario/plan.js';

/** A one-group echo scenario file, as a user would write it. */
export function echoScenario(phase: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'test-echo', phases: [{ duration: '1s', connections: 2, ...phase }], ...extra };
}

/** Validates `raw` and resolves it with `overrides`, one worker unless told otherwise. */
export function planFrom(raw: unknown, overrides: RunOverrides = {}): RunPlan {
  return resolvePlan(validateScenario(raw, 'test'), { workers: 1, ...overrides }, 2);
}

/** A built-in scenario resolved with `overrides`. */
export function builtinPlan(name: string, overrides: RunOverrides = {}): RunPlan {
  const { source, raw } = loadScenario(name);
  return resolvePlan(validateScenario(raw, source), { workers: 1, ...overrides }, 2);
}
