import { describe, expect, it } from 'vitest';
import { builtinScenarioNames, loadScenario } from '../../dist/scenario/load.js';
import { resolvePlan } from '../../dist/scenario/resolve.js';
import { validateScenario } from '../../dist/scenario/validate.js';
import { validatedBuiltin, validationIssues } from '../helpers/scenarios.js';

describe('scenario validation', () => {
  it('every built-in scenario validates', () => {
    const names = builtinScenarioNames();
    expect(names).toEqual(expect.arrayContaining(['echo', 'echo-closed', 'hyperlane-seed']));
    for (const name of names) {
      const { source, raw } = loadScenario(name);
      expect(() => validateScenario(raw, source), name).not.toThrow();
      expect((validateScenario(raw, source) as { thresholds: string[] }).thresholds, `${name} carries no thresholds`).toEqual([]);
    }
  });

  it('reports every problem with its field path, one per line', () => {
    expect(
      validationIssues({
        name: 'bad name!',
        bogus: 1,
        target: 'http://example/',
        message: { size: 'big' },
        phases: [
          { duration: '10s', connections: 10, load: { rate: 10 } },
          { duration: 'forever', connections: -1, load: { rate: -5, inFlight: 2 } },
        ],
        warmup: '1h',
      }),
    ).toEqual([
      'x.json: bogus: unknown field (allowed: $schema, name, description, target, groups, protocol, role, share, path, ' +
        'message, replies, sse, phases, warmup, timeouts, maxMessage, maxOutstanding, reconnect, thresholds, fanout, server)',
      `x.json: name: must use letters, digits, '.', '_' or '-' only, got "bad name!"`,
      'x.json: message.size: must be a size such as 512, 4KiB or 1MiB, got "big"',
      'x.json: target: must use ws:// or wss:// for protocol "ws", got "http://example/"',
      'x.json: phases[1].duration: must be a duration such as 500ms, 10s or 2m, got "forever"',
      'x.json: phases[1].connections: must be >= 0, got -1',
      'x.json: phases[1].load.rate: applies to the open model only; closed runs send on reply',
      'x.json: warmup: must be shorter than phases[0].duration (10000ms), got 3600000ms',
    ]);
  });

  it('needs a name and phases', () => {
    expect(validationIssues({})).toEqual(['x.json: name: is required', 'x.json: phases: is required (a list of at least one phase)']);
    expect(validationIssues([])).toEqual(['x.json: must be an object, got []']);
  });

  it('fills defaults: one echo group on /websocket, open loop that never waits for replies', () => {
    const s = validateScenario({ name: 'a', phases: [{ duration: '5s', connections: 3, load: { rate: 2 } }] }, 'a');
    expect(s.groups).toEqual([
      {
        name: 'main',
        protocol: 'ws',
        role: 'echo',
        share: 1,
        path: '/websocket',
        message: { sizeBytes: 32, binary: false },
        replies: { perMessage: 1, skipFirst: 0 },
      },
    ]);
    expect(s.phases[0]!.load).toEqual({ kind: 'open', ratePerSec: 2, arrival: 'uniform', maxInFlight: 0 });
    expect(s.connection.replyTimeoutMs).toBe(10_000);
    expect(s.connection.handshakeTimeoutMs).toBe(5_000);
    expect(s.connection.maxMessageBytes).toBe(100 * 1024 * 1024);
  });
});

describe('resolvePlan', () => {
  const base = validateScenario({ name: 'a', phases: [{ duration: '5s', connections: 3, load: { rate: 2 } }] }, 'a');

  it('flags override the file; --in-flight turns the run closed loop', () => {
    const plan = resolvePlan(base, { connections: 50, inFlight: 4, durationMs: 2000 }, 2);
    expect(plan.scenario.phases[0]).toEqual({ durationMs: 2000, connections: 50, load: { kind: 'closed', inFlight: 4, thinkTimeMs: 0 } });
    expect(plan.target.embedded).toBe(true);
    expect(plan.workers).toBe(1);
    expect(Object.isFrozen(plan.scenario.phases[0])).toBe(true);
  });

  it('rejects --rate with --in-flight, and a warm-up as long as the run', () => {
    expect(() => resolvePlan(base, { ratePerSec: 1, inFlight: 1 }, 2)).toThrow('--rate and --in-flight exclude each other');
    expect(() => resolvePlan(base, { warmupMs: 5000 }, 2)).toThrow('the warm-up (5s) must be shorter than the steady duration (5s)');
  });

  it('labels an external target by host and path', () => {
    const plan = resolvePlan(base, { target: 'ws://127.0.0.1:9000/ws' }, 2);
    expect(plan.target).toEqual({ url: 'ws://127.0.0.1:9000/ws', embedded: false, label: '127.0.0.1:9000/ws' });
    expect(plan.workers).toBe(1);
  });

  it('spreads a run over enough processes for the open-files limit, and says so', () => {
    const big = validateScenario({ name: 'big', phases: [{ duration: '10s', connections: 100_000 }] }, 'big');
    const plan = resolvePlan(big, {}, 2, 20_000);
    expect(plan.workers).toBe(6);
    expect(plan.embeddedServer.processes).toBe(6);
    expect(plan.notes).toEqual([
      '6 generator processes so that each stays under the open-files limit of 20000',
      'the embedded server ran as 6 processes (open-files limit 20000 per process)',
    ]);
    expect(() => resolvePlan(big, { workers: 2 }, 2, 20_000)).toThrow(
      '50000 connections per worker exceed the open-files limit of 20000 per process',
    );
    const external = resolvePlan(big, { target: 'ws://127.0.0.1:9/' }, 2, 20_000);
    expect(external.embeddedServer.processes).toBe(1);
    expect(resolvePlan(base, {}, 2, 20_000).notes).toEqual([]);
  });
});

describe('request/response emulation flags', () => {
  const open = () => validatedBuiltin('echo');

  it('--request-response is --max-in-flight 1; the default open loop never waits', async () => {
    const { toOverrides } = await import('../../dist/cli/run-action.js');
    expect(resolvePlan(open(), {}, 2).scenario.phases[0]!.load).toMatchObject({ kind: 'open', maxInFlight: 0 });
    const o = toOverrides({ 'request-response': true });
    expect(o.maxInFlight).toBe(1);
    expect(resolvePlan(open(), o, 2).scenario.phases[0]!.load).toMatchObject({ kind: 'open', maxInFlight: 1 });
    expect(() => toOverrides({ 'request-response': true, 'max-in-flight': '2' })).toThrow('--request-response means --max-in-flight 1');
  });

  it('refuses a cap on a closed loop, and a cap above --max-outstanding', () => {
    expect(() => resolvePlan(validatedBuiltin('echo-closed'), { maxInFlight: 1 }, 2)).toThrow('apply to the open model');
    expect(() => resolvePlan(open(), { maxInFlight: 1, inFlight: 2 }, 2)).toThrow('apply to the open model');
    expect(() => resolvePlan(open(), { maxInFlight: 50, maxOutstanding: 10 }, 2)).toThrow(
      '--max-in-flight 50 exceeds --max-outstanding 10',
    );
    expect(
      validationIssues({
        name: 'x',
        maxOutstanding: 4,
        phases: [{ duration: '1s', connections: 1, load: { model: 'closed', inFlight: 8 } }],
      }),
    ).toEqual(['x.json: phases[0].load.inFlight: must be at most maxOutstanding (4), got 8']);
  });
});
