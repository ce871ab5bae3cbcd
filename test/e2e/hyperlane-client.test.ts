/**
 * Every built-in scenario against a server with Hyperlane's wire habits (the reference
 * server's `hyperlane` profile: no close-frame answer, no pongs, opcode by UTF-8, SSE stream
 * closed by the server) finishes with no false errors and nothing lost; and the `strict`
 * profile gives the same counts where the behaviour should match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { builtinScenarioNames, loadScenario } from '../../dist/scenario/load.js';
import { resolvePlan } from '../../dist/scenario/resolve.js';
import { validateScenario } from '../../dist/scenario/validate.js';
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';

const servers: Record<string, RunningServer> = {};
beforeAll(async () => {
  for (const profile of ['hyperlane', 'strict'] as const) {
    // Fast streams so each scenario fits in a second or two.
    servers[profile] = await startReferenceServer({ port: 0, profile, sseIntervalMs: 20, ticksIntervalMs: 20, publishIntervalMs: 50 });
  }
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

/** A built-in scenario aimed at `server`, every group at its own path, small and short. */
function planAt(name: string, server: RunningServer) {
  const { source, raw } = loadScenario(name);
  const scenario = validateScenario(raw, source);
  for (const g of scenario.groups) g.targetUrl = `${g.protocol === 'ws' ? 'ws' : 'http'}://127.0.0.1:${server.port}${g.path}`;
  return resolvePlan(scenario, { connections: 6, durationMs: 1200, warmupMs: 0, workers: 1 }, 2);
}

describe.each(['hyperlane', 'strict'])('built-in scenarios against the %s profile', (profile) => {
  it.each(builtinScenarioNames())('%s: no errors, nothing lost', async (name) => {
    const { result, outcome } = await runScenario(planAt(name, servers[profile]!));
    expect(outcome).toBe('completed');
    expect(result.errors).toEqual({});
    expect(result.counters.msgs_lost).toBe(0);
    expect(result.counters.connections_opened).toBeGreaterThanOrEqual(6);
    if (result.counters.msgs_sent > 0 && result.scenario.groups.every((g) => g.role === 'echo')) {
      expect(result.counters.msgs_received).toBe(result.counters.msgs_sent);
    }
    if (result.counters.deliveries_expected > 0) {
      expect(result.counters.deliveries_received).toBe(result.counters.deliveries_expected);
    }
    if (name === 'sse') expect(result.counters.events_received).toBe(60); // 6 streams × data:0..9
  });
});
