/**
 * SSE settings in scenarios: defaults, validation messages (exact text), what the flags
 * override, and the built-in sse, sse-ticks and mixed scenarios.
 */
import { describe, expect, it } from 'vitest';
import { resolvePlan } from '../../dist/scenario/resolve.js';
import { validateScenario } from '../../dist/scenario/validate.js';
import { validatedBuiltin, validationIssues } from '../helpers/scenarios.js';

describe('sse settings', () => {
  it('an SSE group defaults to the listener role on /sse, browser-style reconnects, the http client', () => {
    const s = validateScenario({ name: 'a', protocol: 'sse', phases: [{ duration: '5s', connections: 3 }] }, 'a');
    expect(s.groups[0]).toMatchObject({ protocol: 'sse', role: 'listener', path: '/sse', sse: { reconnect: true, client: 'http' } });
    expect(s.groups[0]!.sse!.expectEvents).toBeUndefined();
    expect(s.phases[0]!.untilStreamsEnd).toBeUndefined();
  });

  it("top-level sse settings are every SSE group's defaults; WebSocket groups get none", () => {
    const s = validateScenario(
      {
        name: 'a',
        protocol: 'sse',
        sse: { expectEvents: 10, client: 'eventsource' },
        groups: [{ name: 'one' }, { name: 'two', sse: { reconnect: false } }, { name: 'three', protocol: 'ws' }],
        phases: [{ duration: '5s', connections: 3, untilStreamsEnd: true }],
      },
      'a',
    );
    expect(s.groups.map((g) => g.sse)).toEqual([
      { reconnect: true, expectEvents: 10, client: 'eventsource' },
      { reconnect: false, expectEvents: 10, client: 'eventsource' },
      undefined,
    ]);
    expect(s.phases[0]!.untilStreamsEnd).toBe(true);
  });

  it('reports bad sse fields with their paths', () => {
    expect(
      validationIssues({
        name: 'a',
        groups: [
          { name: 'ws', protocol: 'ws', sse: { reconnect: false } },
          { name: 'sse', protocol: 'sse', sse: { reconnect: 'yes', expectEvents: -1, client: 'curl', retry: 5 } },
        ],
        phases: [{ duration: '5s', connections: 3, untilStreamsEnd: 1 }],
      }),
    ).toEqual([
      'x.json: groups[0].sse: applies to protocol "sse" only',
      'x.json: groups[1].sse.retry: unknown field (allowed: reconnect, expectEvents, client)',
      'x.json: groups[1].sse.reconnect: must be true or false, got "yes"',
      'x.json: groups[1].sse.expectEvents: must be >= 0, got -1',
      'x.json: groups[1].sse.client: must be one of "http", "eventsource", got "curl"',
      'x.json: phases[0].untilStreamsEnd: must be true or false, got 1',
    ]);
  });
});

describe('flags over sse settings', () => {
  const base = validateScenario({ name: 'a', protocol: 'sse', phases: [{ duration: '5s', connections: 3 }] }, 'a');

  it("--no-reconnect makes every stream's end final, and the run ends with the streams", () => {
    const plan = resolvePlan(base, { reconnect: false }, 2);
    expect(plan.scenario.groups[0]!.sse!.reconnect).toBe(false);
    expect(plan.scenario.connection.reconnect).toBe(false);
    expect(plan.scenario.phases[0]!.untilStreamsEnd).toBe(true);
  });

  it('--reconnect and --sse-client apply to SSE groups only', () => {
    const mixed = validatedBuiltin('mixed');
    const plan = resolvePlan(mixed, { reconnect: true, sseClient: 'eventsource' }, 2);
    expect(plan.scenario.groups.map((g) => g.sse)).toEqual([undefined, { reconnect: true, client: 'eventsource' }]);
    expect(plan.scenario.connection.reconnect).toBe(true);
    expect(plan.scenario.phases[0]!.untilStreamsEnd).toBeUndefined();
  });

  it('reconnecting streams keep the phase its full duration', () => {
    expect(resolvePlan(base, {}, 2).scenario.phases[0]!.untilStreamsEnd).toBeUndefined();
  });
});

describe('built-in SSE scenarios', () => {
  it('sse: the seed stream, each connection one complete stream of 10 events, -d an upper bound', () => {
    const s = validatedBuiltin('sse');
    expect(s.groups).toHaveLength(1);
    expect(s.groups[0]).toMatchObject({
      protocol: 'sse',
      role: 'listener',
      path: '/sse',
      sse: { reconnect: false, expectEvents: 10, client: 'http' },
    });
    expect(s.phases).toEqual([{ durationMs: 30_000, connections: 100, untilStreamsEnd: true }]);
    expect(s.warmupMs).toBe(0);
  });

  it('sse-ticks: stamped ticks with browser-style reconnects', () => {
    const s = validatedBuiltin('sse-ticks');
    expect(s.groups[0]).toMatchObject({ protocol: 'sse', path: '/sse/ticks', sse: { reconnect: true, client: 'http' } });
  });

  it('mixed: a WebSocket echo group and an SSE listener group in one run', () => {
    const s = validatedBuiltin('mixed');
    expect(s.groups.map((g) => [g.protocol, g.role, g.path])).toEqual([
      ['ws', 'echo', '/websocket'],
      ['sse', 'listener', '/sse/ticks'],
    ]);
    expect(s.phases[0]!.load).toMatchObject({ kind: 'open', ratePerSec: 10 });
  });

  it("a positional http:// target for the sse scenario is accepted; a ws:// one names the group's protocol", () => {
    const s = validatedBuiltin('sse');
    expect(resolvePlan(s, { target: 'http://127.0.0.1:60000/sse' }, 2).scenario.targetUrl).toBe('http://127.0.0.1:60000/sse');
    expect(() => resolvePlan(s, { target: 'ws://127.0.0.1:60000/sse' }, 2)).toThrow(
      '--target must use http:// or https:// for protocol "sse"',
    );
  });
});
