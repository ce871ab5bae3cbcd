/**
 * The generator-health verdict from interval reports: only steady intervals count, the loop
 * delay and CPU limits, and a share of late sends rather than any single one.
 */
import { describe, expect, it } from 'vitest';
import { Aggregator, isGeneratorWarning } from '../../dist/metrics/aggregate.js';
import { zeroCounters } from '../../dist/metrics/counters.js';

function report(atMs: number, health: { loop: number; cpu: number; isMeasured: boolean }, sent = 0) {
  const counters = zeroCounters();
  counters.msgs_sent = sent;
  return {
    snapshot: { measured: {}, warmup: {}, counters, errors: {} },
    health: {
      loopDelayP99Ms: health.loop,
      loopDelayMaxMs: health.loop,
      cpuPercent: health.cpu,
      maxSendLagUs: 0,
      rssBytes: 50e6,
      isMeasured: health.isMeasured,
    },
    connectionsOpen: 10,
    connectionsLive: 10,
    atMs,
  };
}

describe('generator health', () => {
  it('ignores ramp, warm-up and drain intervals, judges measured ones', () => {
    const a = new Aggregator(0, 1000);
    a.add(0, report(1000, { loop: 900, cpu: 99, isMeasured: false }));
    a.add(0, report(2000, { loop: 2, cpu: 40, isMeasured: true }, 1000));
    a.add(0, report(3000, { loop: 700, cpu: 95, isMeasured: false }));
    const h = a.healthResult(1, 0);
    expect(h.warnings).toEqual([]);
    expect(h.loop_delay_p99_ms).toBe(2);
    expect(h.cpu_percent_max).toBe(40);
    // The time series still shows every interval.
    expect(a.timeseries().map((p) => p.loop_delay_p99_ms)).toEqual([900, 2, 700]);
  });

  it('warns in plain words past 10 ms of loop delay, 90% CPU, or 1% late sends', () => {
    const a = new Aggregator(0, 1000);
    a.add(0, report(1000, { loop: 14.5, cpu: 97, isMeasured: true }, 10_000));
    a.add(0, report(2000, { loop: 3, cpu: 95, isMeasured: true }));
    const h = a.healthResult(1, 101, [
      'phase 1 ramped at 500 connections/s, below the 1000/s asked (the generator or the server could not keep up)',
    ]);
    expect(h.warnings).toEqual([
      'phase 1 ramped at 500 connections/s, below the 1000/s asked (the generator or the server could not keep up)',
      'generator event loop delay p99 reached 14.5 ms (> 10 ms): the client may be the bottleneck; latency includes its own delay',
      '101 of 10000 sends went out more than 10 ms behind schedule: ' +
        'the generator could not keep the requested rate (latency is still measured from the intended time)',
      'a generator process reached 97% CPU: the generator, not the server, may have set the pace',
    ]);
    expect(a.healthResult(1, 100).warnings).toHaveLength(2); // 1% exactly: counted, not a verdict
  });

  it('needs two reports of one process over 90% CPU: one alone is its start-up', () => {
    const a = new Aggregator(0, 1000);
    a.add(0, report(1000, { loop: 1, cpu: 93, isMeasured: true }, 200));
    a.add(1, report(1000, { loop: 1, cpu: 95, isMeasured: true }, 200));
    expect(a.healthResult(2, 0).warnings).toEqual([]);
    a.add(1, report(2000, { loop: 1, cpu: 91, isMeasured: true }, 200));
    expect(a.healthResult(2, 0).warnings).toEqual([
      'a generator process reached 95% CPU: the generator, not the server, may have set the pace',
    ]);
  });

  it('needs more than one hiccup of late sends: 9 of 100 is a pause, 10 of 100 the generator behind', () => {
    const a = new Aggregator(0, 1000);
    a.add(0, report(1000, { loop: 1, cpu: 20, isMeasured: true }, 100));
    expect(a.healthResult(1, 9).warnings).toEqual([]);
    expect(a.healthResult(1, 10).warnings).toEqual([
      '10 of 100 sends went out more than 10 ms behind schedule: ' +
        'the generator could not keep the requested rate (latency is still measured from the intended time)',
    ]);
  });
});

describe('isGeneratorWarning', () => {
  it('tells the three findings about the generator from a ramp warning (the advice names --workers only for them)', () => {
    const a = new Aggregator(0, 1000);
    a.add(0, report(1000, { loop: 14.5, cpu: 97, isMeasured: true }, 10_000));
    a.add(0, report(2000, { loop: 3, cpu: 95, isMeasured: true }));
    const ramp = 'phase 1 ramped at 500 connections/s, below the 1000/s asked (the generator or the server could not keep up)';
    const h = a.healthResult(1, 101, [ramp]);
    expect(h.warnings.map(isGeneratorWarning)).toEqual([false, true, true, true]);
  });
});
