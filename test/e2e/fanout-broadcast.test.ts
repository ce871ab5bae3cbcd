/**
 * Fan-out against the reference server's /broadcast over real loopback sockets: deliveries
 * received equal expected exactly for N clients × M publishes, across two worker processes,
 * checked against the server's own /stats; the one-way latency stays bounded on loopback.
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

const broadcastUrl = () => `ws://127.0.0.1:${server.port}/broadcast`;

describe('fan-out on /broadcast', () => {
  it('chat: every client publishes and receives all, own included: received = expected = N × publishes', async () => {
    // The server's counters are cumulative: take deltas.
    const before = (await server.stats()).by_endpoint.broadcast;
    const plan = planFrom(
      { name: 'chat-test', role: 'pubsub', phases: [{ duration: '1s', connections: 4, load: { rate: 20 } }] },
      { target: broadcastUrl(), workers: 2 },
    );
    const { result, outcome } = await runScenario(plan);
    const after = (await server.stats()).by_endpoint.broadcast;
    const c = result.counters;
    expect(outcome).toBe('completed');
    expect(c.msgs_sent).toBeGreaterThanOrEqual(70); // 4 × 20/s × 1 s, give or take the edges
    expect(c.deliveries_expected).toBe(c.msgs_sent * 4);
    expect(c.deliveries_received).toBe(c.deliveries_expected);
    expect(c.msgs_lost + c.msgs_duplicated + c.msgs_reordered + c.msgs_unexpected).toBe(0);
    // What the server took in and wrote out is exactly what rtbench sent and received.
    expect(after.msgs_received - before.msgs_received).toBe(c.msgs_sent);
    expect(after.msgs_sent - before.msgs_sent).toBe(c.deliveries_received);
    expect(after.msgs_dropped_slow - before.msgs_dropped_slow).toBe(0);
    // One latency sample per delivery (no warm-up), one way and bounded on loopback.
    const m = result.metrics.fanout_latency!;
    expect(m.count).toBe(c.deliveries_received);
    expect(m.min).toBeGreaterThan(0);
    expect(m.p99).toBeLessThan(1_000_000);
    expect(m.max).toBeLessThan(plan.scenario.connection.replyTimeoutMs * 1000);
    expect(result.fanout).toMatchObject({ publishers: 4, subscribers: 4, published: c.msgs_sent, includeSender: true, serverPublished: 0 });
    expect(result.fanout!.worstSubscribers).toHaveLength(4);
    for (const s of result.fanout!.worstSubscribers) expect(s).toMatchObject({ expected: c.msgs_sent, received: c.msgs_sent, lost: 0 });
    expect(result.errors).toEqual({});
  });

  it('publishers and subscribers apart: each publish is expected once per subscriber, not by publishers', async () => {
    const plan = planFrom(
      {
        name: 'pub-sub-test',
        groups: [
          { name: 'pub', role: 'publisher', share: 2 },
          { name: 'sub', role: 'subscriber', share: 3 },
        ],
        message: { size: 256 },
        phases: [{ duration: '1s', connections: 5, load: { rate: 25 } }],
      },
      { target: broadcastUrl(), workers: 2 },
    );
    const { result } = await runScenario(plan);
    const c = result.counters;
    expect(c.msgs_sent).toBeGreaterThanOrEqual(45);
    expect(c.deliveries_expected).toBe(c.msgs_sent * 3);
    expect(c.deliveries_received).toBe(c.deliveries_expected);
    expect(c.msgs_lost).toBe(0);
    // Publishers get the server's copies too; they are received bytes, not deliveries.
    expect(c.msgs_received).toBe(c.msgs_sent * 5);
    expect(c.bytes_sent).toBe(c.msgs_sent * 256);
    expect(result.fanout).toMatchObject({ publishers: 2, subscribers: 3 });
    expect(result.metrics.fanout_latency!.count).toBe(c.deliveries_received);
  });
});
