/**
 * A slow subscriber in a broadcast (docs/faults.md #14): the reference server skips a client whose
 * unsent bytes exceed its limit and counts each skipped message in `msgs_dropped_slow`. One
 * rtbench subscriber reaches the server through a proxy that stops reading for a while, so the
 * server sees it as slow; rtbench must count as lost exactly what the server dropped.
 *
 * Every connection publishes and subscribes, so any drop, to whichever client, is a delivery
 * rtbench expects: the two counts must match in total, not only for the slowed one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { slowReadingProxy } from '../helpers/fanout-servers.js';
import { planFrom } from '../helpers/run.js';

let server: RunningServer;
let hyperlane: RunningServer;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, slowClientLimitBytes: 256 * 1024 });
  hyperlane = await startReferenceServer({ port: 0, profile: 'hyperlane', broadcastCapacity: 100, lagPolicy: 'skip' });
});
afterAll(async () => {
  await server.close();
  await hyperlane.close();
});

/** Four pubsub connections, one of them through `proxyUrl`, publishing 32 KiB messages. */
function slowPlan(target: string, proxyUrl: string, duration = '2s') {
  return planFrom(
    {
      name: 'slow-sub',
      role: 'pubsub',
      message: { size: '32KiB' },
      groups: [
        { name: 'fast', share: 3 },
        { name: 'slow', share: 1, target: proxyUrl },
      ],
      phases: [{ duration, connections: 4, load: { rate: 80 } }],
      // Long enough for the slowed client to read its backlog once the proxy resumes.
      timeouts: { reply: '2s' },
    },
    { target, workers: 2 },
  );
}

describe('slow subscriber', () => {
  it('rtbench counts as lost exactly what the server dropped for the slow client', async () => {
    // 4 publishers × 80/s × 32 KiB ≈ 10 MB/s to each client: a 1.2 s read stall fills the
    // kernel's buffers and then the server's limit, so the server drops to that client.
    const proxy = await slowReadingProxy(server.port, 1024 * 1024, 1200);
    try {
      const plan = slowPlan(`ws://127.0.0.1:${server.port}/broadcast`, proxy.url);
      const before = (await server.stats()).by_endpoint.broadcast;
      const { result, outcome } = await runScenario(plan);
      const after = (await server.stats()).by_endpoint.broadcast;
      const dropped = after.msgs_dropped_slow - before.msgs_dropped_slow;
      const c = result.counters;
      expect(outcome).toBe('completed');
      expect(proxy.pauses).toBe(1);
      expect(dropped).toBeGreaterThan(0);
      expect(c.msgs_lost).toBe(dropped);
      expect(c.deliveries_expected).toBe(c.msgs_sent * 4);
      expect(c.deliveries_received + c.msgs_lost).toBe(c.deliveries_expected);
      expect(c.deliveries_received).toBe(after.msgs_sent - before.msgs_sent);
      expect(c.msgs_duplicated + c.msgs_reordered).toBe(0);
      // The slowed subscriber is the worst one, and it carries the losses.
      const worst = result.fanout!.worstSubscribers[0]!;
      expect(worst.subscriber).toMatch(/^slow#/);
      expect(worst.lost).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });

  it("Hyperlane profile (tokio broadcast, lagged receivers skip): rtbench's gaps equal the messages skipped", async () => {
    // Loopback's socket buffers hold ~300 of these 32 KiB messages and the ring 100 more, so
    // a 1.2 s stall (~380 behind) skips only a few, or none; 2 s (~640 behind) always skips.
    const proxy = await slowReadingProxy(hyperlane.port, 1024 * 1024, 2000);
    try {
      const plan = slowPlan(`ws://127.0.0.1:${hyperlane.port}/broadcast`, proxy.url, '3s');
      const before = (await hyperlane.stats()).by_endpoint.broadcast;
      const { result, outcome } = await runScenario(plan);
      const after = (await hyperlane.stats()).by_endpoint.broadcast;
      const skipped = after.msgs_skipped_lagged - before.msgs_skipped_lagged;
      const c = result.counters;
      expect(outcome).toBe('completed');
      expect(proxy.pauses).toBe(1);
      expect(skipped).toBeGreaterThan(0);
      expect(c.msgs_lost).toBe(skipped);
      expect(c.deliveries_received + c.msgs_lost).toBe(c.deliveries_expected);
      expect(c.msgs_duplicated + c.msgs_reordered).toBe(0);
      expect(result.fanout!.worstSubscribers[0]!.subscriber).toMatch(/^slow#/);
    } finally {
      await proxy.close();
    }
  });
});
