/**
 * Fan-out scenarios as files and flags: the shipped ones, defaults, the validation messages,
 * how --rate becomes the embedded server's publish rate when every group only subscribes, and
 * the table's fan-out block.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../dist/errors.js';
import { tableReporter } from '../../dist/report/table.js';
import { resolvePlan } from '../../dist/scenario/resolve.js';
import { validateScenario } from '../../dist/scenario/validate.js';
import { makeResult, metricOf, evenly } from '../helpers/results.js';
import { validatedBuiltin, validationIssues } from '../helpers/scenarios.js';

const phase = (load?: Record<string, unknown>) => ({ duration: '1s', connections: 2, ...(load ? { load } : {}) });

describe('fan-out scenarios', () => {
  it('ships broadcast, chat and whiteboard on /broadcast', () => {
    const broadcast = validatedBuiltin('broadcast');
    expect(broadcast.groups.map((g) => [g.role, g.path])).toEqual([['subscriber', '/broadcast']]);
    expect(broadcast.server).toEqual({ publishRatePerSec: 10 });
    expect(broadcast.phases[0]!.load).toBeUndefined();
    const chat = validatedBuiltin('chat');
    expect(chat.groups[0]!.role).toBe('pubsub');
    expect(chat.fanout).toEqual({ includeSender: true, lateAfterMs: 100 });
    expect(chat.phases[0]).toMatchObject({ connections: 200, load: { kind: 'open', ratePerSec: 1 } });
    const whiteboard = validatedBuiltin('whiteboard');
    expect(whiteboard.phases[0]).toMatchObject({ connections: 50, load: { kind: 'open', ratePerSec: 30 } });
    expect(whiteboard.groups[0]!.message.template).toContain('"stamp":"{stamp}"');
  });

  it('defaults fan-out roles to /broadcast and fills the fanout defaults', () => {
    const s = validateScenario(
      {
        name: 's',
        groups: [{ name: 'p', role: 'publisher' }, { name: 'e' }, { name: 'x', role: 'subscriber', path: '/room' }],
        phases: [phase({ rate: 1 })],
      },
      't',
    );
    expect(s.groups.map((g) => g.path)).toEqual(['/broadcast', '/websocket', '/room']);
    expect(s.fanout).toEqual({ includeSender: true, lateAfterMs: 100 });
    expect(validateScenario({ name: 'e', phases: [phase({ rate: 1 })] }, 't').fanout).toBeUndefined();
  });

  it('reports fan-out mistakes with their field paths', () => {
    expect(validationIssues({ name: 'a', role: 'pubsub', phases: [phase({ inFlight: 1 })] })).toEqual([
      'x.json: phases[0].load.model: must be "open" (rate or totalRate): ' +
        'group "main" publishes (role "pubsub"), and a publisher sends at a rate, not on replies',
    ]);
    expect(validationIssues({ name: 'b', role: 'subscriber', phases: [phase({ rate: 5 })] })).toEqual([
      'x.json: phases[0].load: has nothing to drive: every group only subscribes ' +
        "(the server publishes; server.publishRate sets the embedded server's rate)",
    ]);
    expect(validationIssues({ name: 'c', fanout: { includeSender: 'yes', extra: 1 }, server: {}, phases: [phase()] })).toEqual([
      'x.json: fanout: applies to scenarios with a group of role "publisher", "subscriber" or "pubsub"',
      'x.json: fanout.extra: unknown field (allowed: includeSender, lateAfter)',
      'x.json: server.publishRate: is required',
    ]);
    expect(
      validationIssues({
        name: 'd',
        role: 'pubsub',
        fanout: { includeSender: 'yes', lateAfter: '0ms' },
        server: { publishRate: -1 },
        phases: [phase({ rate: 1 })],
      }),
    ).toEqual([
      'x.json: fanout.includeSender: must be true or false, got "yes"',
      'x.json: fanout.lateAfter: must be > 0, got "0ms"',
      'x.json: server.publishRate: must be > 0, got -1',
    ]);
  });
});

describe('fan-out plans', () => {
  it('the embedded server publishes at the scenario rate, or at --rate when every group subscribes', () => {
    const broadcast = validatedBuiltin('broadcast');
    expect(resolvePlan(broadcast, {}, 2).embeddedServer.publishIntervalMs).toBe(100);
    const plan = resolvePlan(broadcast, { ratePerSec: 40, connections: 5 }, 2);
    expect(plan.embeddedServer.publishIntervalMs).toBe(25);
    expect(plan.scenario.server).toEqual({ publishRatePerSec: 40 });
    expect(plan.scenario.phases[0]!.load).toBeUndefined();
  });

  it('with a target, the target publishes by itself', () => {
    const broadcast = validatedBuiltin('broadcast');
    expect(resolvePlan(broadcast, { target: 'ws://127.0.0.1:9/b' }, 2).embeddedServer.publishIntervalMs).toBe(0);
    expect(() => resolvePlan(broadcast, { target: 'ws://127.0.0.1:9/b', ratePerSec: 5 }, 2)).toThrow(UsageError);
    expect(() => resolvePlan(broadcast, { target: 'ws://127.0.0.1:9/b', ratePerSec: 5 }, 2)).toThrow(
      /ws:\/\/127\.0\.0\.1:9\/b publishes by itself/,
    );
  });

  it('--rate drives publishers; --in-flight is refused for them', () => {
    const chat = validatedBuiltin('chat');
    expect(resolvePlan(chat, { ratePerSec: 3 }, 2).scenario.phases[0]!.load).toMatchObject({ kind: 'open', ratePerSec: 3 });
    expect(() => resolvePlan(chat, { inFlight: 2 }, 2)).toThrow(
      '--in-flight: group "main" publishes (role "pubsub"), and publishers send at a rate, not on replies; use --rate',
    );
    expect(() => resolvePlan(validatedBuiltin('broadcast'), { inFlight: 2 }, 2)).toThrow(
      "--in-flight: no connection of scenario 'broadcast' sends (every group only subscribes)",
    );
  });
});

describe('the fan-out block of the table', () => {
  it('shows publish rate, deliveries/s, one-way latency and the worst subscribers', () => {
    const r = makeResult({
      measuredMs: 2000,
      counters: { deliveries_expected: 1000, deliveries_received: 990, msgs_lost: 10, msgs_duplicated: 1, msgs_reordered: 2 },
    });
    r.metrics.fanout_latency = metricOf(evenly(990, 1000, 3000));
    r.fanout = {
      method: 'm',
      includeSender: true,
      publishers: 10,
      subscribers: 10,
      published: 100,
      serverPublished: 0,
      lateAfterMs: 100,
      worstSubscribers: [
        { subscriber: 'main#3', expected: 100, received: 90, lost: 10, duplicated: 1, reordered: 2, late: 4, maxLatencyUs: 250_000 },
      ],
    };
    const text = tableReporter.render(r, { color: false });
    expect(text).toContain('fan-out: 10 publishers → 10 subscribers (senders receive their own messages)');
    expect(text).toContain('publish rate 50/s (100 published) · fan-out throughput 495 deliveries/s');
    expect(text).toContain('deliveries 990 received of 1.00k expected · lost 10 · duplicated 1 · reordered 2');
    expect(text).toMatch(/fanout_latency, one-way \(shared clock\): p50 \S+ · p90 \S+ · p99 \S+ · p99\.9 \S+ · max 3\.00ms/);
    expect(text).toContain('worst subscribers (most lost, then most late >100ms, then slowest):');
    expect(text).toMatch(/│ main#3 +│ 100 +│ 90 +│ 10 +│ 1 +│ 2 +│ 4 +│ 250\.0ms +│/);
  });

  it("names the server's own publisher when rtbench publishes nothing", () => {
    const r = makeResult({ measuredMs: 1000, counters: { deliveries_expected: 50, deliveries_received: 50 } });
    r.fanout = {
      method: 'm',
      includeSender: true,
      publishers: 0,
      subscribers: 5,
      published: 0,
      serverPublished: 10,
      serverPublishRatePerSec: 10,
      lateAfterMs: 100,
      worstSubscribers: [],
    };
    const text = tableReporter.render(r, { color: false });
    expect(text).toContain("fan-out: the server's own publisher (10 msg/s, 10 seqs seen) → 5 subscribers");
    expect(text).toContain('publish rate 10/s (10 published) · fan-out throughput 50 deliveries/s');
  });
});
