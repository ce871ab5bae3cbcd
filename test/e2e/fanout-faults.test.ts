/**
 * Seq gaps, repeats and reordering, injected by small real servers, are each counted exactly:
 * in rtbench publishers' streams (a relay that misdelivers per subscriber) and in a server's
 * own id-less stream (`{"seq":n,"t":ns}`), where a normal close (1000) ends the expectation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { injectingRelay, scriptedPublisher, type FanoutTestServer } from '../helpers/fanout-servers.js';
import { planFrom } from '../helpers/run.js';

const servers = new Set<FanoutTestServer>();
afterEach(async () => {
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
});

async function track<T extends FanoutTestServer>(s: Promise<T>): Promise<T> {
  const server = await s;
  servers.add(server);
  return server;
}

describe('fan-out faults', () => {
  it('a relay that drops the 5th, repeats the 10th and swaps the 15th/16th: 1 lost, 1 duplicated, 1 reordered per subscriber', async () => {
    const relay = await track(injectingRelay({ drop: [5], duplicate: [10], swapWithNext: [15] }));
    const plan = planFrom(
      {
        name: 'faults-relay',
        groups: [
          { name: 'pub', role: 'publisher', share: 1 },
          { name: 'sub', role: 'subscriber', share: 3 },
        ],
        phases: [{ duration: '1s', connections: 4, load: { rate: 40 } }],
        timeouts: { reply: '1s' },
      },
      { target: relay.url, workers: 2 },
    );
    const { result, outcome } = await runScenario(plan);
    const c = result.counters;
    expect(outcome).toBe('completed');
    expect(c.msgs_sent).toBeGreaterThan(20);
    expect(c.deliveries_expected).toBe(c.msgs_sent * 3);
    expect(c.msgs_lost).toBe(3);
    expect(c.msgs_duplicated).toBe(3);
    expect(c.msgs_reordered).toBe(3);
    expect(c.deliveries_received).toBe(c.deliveries_expected - 3);
    for (const s of result.fanout!.worstSubscribers) {
      expect(s).toMatchObject({ expected: c.msgs_sent, lost: 1, duplicated: 1, reordered: 1 });
    }
  });

  it('a relay that does not echo to the sender, with includeSender false: nothing lost, own messages not expected', async () => {
    const relay = await track(injectingRelay({ excludeSender: true }));
    const plan = planFrom(
      {
        name: 'no-echo',
        role: 'pubsub',
        fanout: { includeSender: false },
        phases: [{ duration: '1s', connections: 3, load: { rate: 20 } }],
      },
      { target: relay.url },
    );
    const { result } = await runScenario(plan);
    const c = result.counters;
    expect(c.deliveries_expected).toBe(c.msgs_sent * 2);
    expect(c.deliveries_received).toBe(c.deliveries_expected);
    expect(c.msgs_lost + c.msgs_unexpected).toBe(0);
  });

  it("a server's own stream: gaps, a repeat, a late seq and a lost tail counted; a 1000 close is a normal end", async () => {
    // Connection order decides the script; totals do not depend on which subscriber got which.
    const stream = await track(
      scriptedPublisher(
        [
          { seqs: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
          { seqs: [0, 1, 2, 4, 5, 5, 3, 7, 8] }, // 6 missing, 5 twice, 3 late; 9 (seen by another) never comes
          { seqs: [0, 1, 2, 3, 5], closeAfter: true }, // 4 missing; its stream ends normally after 5
        ],
        600,
        15,
      ),
    );
    const plan = planFrom(
      { name: 'stream', role: 'subscriber', phases: [{ duration: '1.2s', connections: 3 }], timeouts: { reply: '500ms' } },
      { target: stream.url },
    );
    const { result, outcome } = await runScenario(plan);
    const c = result.counters;
    expect(outcome).toBe('completed');
    expect(c.deliveries_expected).toBe(10 + 10 + 6);
    expect(c.deliveries_received).toBe(10 + 8 + 5);
    expect(c.msgs_lost).toBe(3);
    expect(c.msgs_duplicated).toBe(1);
    expect(c.msgs_reordered).toBe(1);
    expect(result.errors).toEqual({});
    expect(result.fanout).toMatchObject({ publishers: 0, subscribers: 3, serverPublished: 10 });
    expect(result.fanout!.worstSubscribers.map((s) => [s.expected, s.received, s.lost])).toEqual([
      [10, 8, 2],
      [6, 5, 1],
      [10, 10, 0],
    ]);
    // Stamps from this host's hrtime clock: one-way latency is meaningful and small.
    expect(result.metrics.fanout_latency!.count).toBe(c.deliveries_received);
    expect(result.metrics.fanout_latency!.max).toBeLessThan(1_000_000);
  });
});
