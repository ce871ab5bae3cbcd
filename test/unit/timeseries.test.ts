/**
 * The time series from interval reports: a report at a phase boundary shares its bucket with a
 * regular one, so each point ends where its reports ended and `msgs / (t - previous t)` stays
 * the true rate; the progress line's rate covers only the time its bucket's reports cover.
 */
import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../dist/metrics/aggregate.js';
import { zeroCounters } from '../../dist/metrics/counters.js';

function report(atMs: number, received: number) {
  const counters = zeroCounters();
  counters.msgs_received = received;
  return {
    snapshot: { measured: {}, warmup: {}, counters, errors: {} },
    health: { loopDelayP99Ms: 1, loopDelayMaxMs: 1, cpuPercent: 10, maxSendLagUs: 0, rssBytes: 50e6, isMeasured: true },
    connectionsOpen: 10,
    connectionsLive: 10,
    atMs,
  };
}

/** Messages per second of each point, from the points alone (as the HTML chart computes it). */
function rates(points: { t: number; msgs_received: number }[]): number[] {
  let prev = 0;
  return points.map((p) => {
    const r = p.msgs_received / (p.t - prev);
    prev = p.t;
    return Math.round(r);
  });
}

describe('time series', () => {
  it('keeps a steady 100 msgs/s steady across a report at a phase boundary', () => {
    const a = new Aggregator(10_000, 1000);
    a.add(0, report(11_000, 100));
    a.add(0, report(12_000, 100));
    a.add(0, report(12_400, 40)); // phase boundary: rounds into the 2 s bucket
    a.add(0, report(13_000, 60));
    const points = a.timeseries();
    expect(points.map((p) => p.t)).toEqual([1, 2.4, 3]);
    expect(points.map((p) => p.msgs_received)).toEqual([100, 140, 60]);
    expect(rates(points)).toEqual([100, 100, 100]);
    // The latest report covers 12.4 s to 13 s: 60 messages in 0.6 s.
    expect(Math.round(a.msgsPerSecNow)).toBe(100);
  });

  it('adds workers that report out of step, each over the time its own report covers', () => {
    // Two workers at 100 msgs/s each, reporting 400 ms apart.
    const a = new Aggregator(0, 1000);
    a.add(0, report(1000, 100));
    a.add(1, report(1400, 140)); // its first report covers 1.4 s
    a.add(0, report(2000, 100));
    a.add(1, report(2400, 100));
    a.add(0, report(3000, 100));
    expect(Math.round(a.msgsPerSecNow)).toBe(200);
    const points = a.timeseries();
    // Bucket 1 holds both first reports, bucket 2 worker 0's second and worker 1's (2.4 s
    // rounds to 2), bucket 3 worker 0's third.
    expect(points.map((p) => [p.t, p.msgs_received])).toEqual([
      [1.4, 240],
      [2.4, 200],
      [3, 100],
    ]);
    expect(rates(points).slice(0, 2)).toEqual([171, 200]);
  });

  it('keeps every point within half an interval of its mark, so merges pair them by second', () => {
    const a = new Aggregator(0, 1000);
    a.add(0, report(999.9, 10));
    a.add(0, report(1499.9, 10)); // rounds to bucket 1: t must not read 1.5
    a.add(0, report(2500, 10)); // bucket 3 (2.5 rounds up), t 2.5
    expect(a.timeseries().map((p) => [p.t, Math.round(p.t)])).toEqual([
      [1.49, 1],
      [2.5, 3],
    ]);
  });
});
