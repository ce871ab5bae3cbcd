/**
 * Joins and leaves during ramps never count as losses: publishers pause while connections
 * come and go, and a subscriber counts a part exactly only when it was there for all of it.
 * With the server's own publisher, which never pauses, joiners count from the first seq seen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { planFrom } from '../helpers/run.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});

describe('fan-out across ramps', () => {
  it('chat growing 2 → 6 and shrinking to 3 at a connect rate: nothing lost, every publish counted', async () => {
    const plan = planFrom(
      {
        name: 'chat-ramps',
        role: 'pubsub',
        phases: [
          { duration: '700ms', connections: 2, load: { rate: 30 } },
          { duration: '700ms', connections: 6, connectRate: 20, load: { rate: 30 } },
          { duration: '500ms', connections: 3, connectRate: 20, load: { rate: 30 } },
        ],
      },
      { target: `ws://127.0.0.1:${server.port}/broadcast`, workers: 2 },
    );
    const { result, outcome } = await runScenario(plan);
    const c = result.counters;
    expect(outcome).toBe('completed');
    expect(c.connections_opened).toBe(6);
    expect(c.msgs_sent).toBeGreaterThan(100);
    expect(c.msgs_lost).toBe(0);
    expect(c.msgs_duplicated).toBe(0);
    expect(c.deliveries_received).toBe(c.deliveries_expected);
    // Each publish reached at least the 2 first clients and at most all 6.
    expect(c.deliveries_expected).toBeGreaterThan(c.msgs_sent * 2);
    expect(c.deliveries_expected).toBeLessThan(c.msgs_sent * 6);
  });

  it('the embedded server publishing all along: subscribers joining mid-stream lose nothing', async () => {
    const plan = planFrom(
      {
        name: 'broadcast-ramp',
        role: 'subscriber',
        server: { publishRate: 50 },
        phases: [
          { duration: '600ms', connections: 3 },
          { duration: '600ms', connections: 8, connectRate: 10 },
        ],
      },
      { workers: 2 },
    );
    expect(plan.embeddedServer.publishIntervalMs).toBe(20);
    const { result, outcome } = await runScenario(plan);
    const c = result.counters;
    expect(outcome).toBe('completed');
    expect(c.connections_opened).toBe(8);
    expect(c.deliveries_received).toBeGreaterThan(50);
    expect(c.msgs_lost).toBe(0);
    expect(c.deliveries_received).toBe(c.deliveries_expected);
    expect(result.fanout).toMatchObject({ publishers: 0, subscribers: 8, serverPublishRatePerSec: 50 });
    expect(result.fanout!.serverPublished).toBeGreaterThan(40);
  });
});
