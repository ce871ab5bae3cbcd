/**
 * mergeRunResults is exact: the merged histogram equals one histogram recorded with every
 * sample, counters and errors sum, and wall-clock fields follow whether the parts overlapped.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../dist/errors.js';
import { createLatencyHistogram, decodeHistogram, summarizeHistogram } from '../../dist/metrics/histogram.js';
import { mergeRunResults } from '../../dist/metrics/merge.js';
import type { FanoutResult, RunResult } from '../../dist/metrics/result.js';
import { evenly, makeResult, timeseriesOf } from '../helpers/results.js';

/** A fan-out section with `n` publishers and subscribers and one worst subscriber of each. */
function fanoutSection(n: number, serverPublished: number, worst: Array<[string, number]>): FanoutResult {
  return {
    method: 'm',
    includeSender: true,
    publishers: n,
    subscribers: n,
    published: 10 * n,
    serverPublished,
    lateAfterMs: 100,
    worstSubscribers: worst.map(([subscriber, lost]) => ({
      subscriber,
      expected: 100,
      received: 100 - lost,
      lost,
      duplicated: 0,
      reordered: 0,
      late: 0,
      maxLatencyUs: 900,
    })),
  };
}

describe('mergeRunResults', () => {
  // Two shards of one run: different distributions, overlapping in time (same start).
  const a = evenly(3000, 200, 9000);
  const b = [...evenly(1000, 5000, 80_000), 1_200_000];
  const shardA = makeResult({
    latencyUs: a,
    uncorrectedUs: a.map((v) => Math.round(v / 2)),
    errors: { reset: 2 },
    counters: { msgs_lost: 1 },
    timeseries: timeseriesOf(3, 100, () => 1000),
  });
  const shardB = makeResult({
    latencyUs: b,
    errors: { reset: 1, connect_refused: 4 },
    startedAt: '2026-01-01T10:00:00.400Z',
    measuredMs: 10_200,
    partial: true,
    timeseries: timeseriesOf(3, 50, (t) => 2000 * t),
  });
  const merged = mergeRunResults([shardA, shardB]);

  it('equals one histogram recorded with every sample', () => {
    const all = createLatencyHistogram();
    for (const v of [...a, ...b]) all.recordValue(v);
    const { histogram, ...summary } = merged.metrics.latency!;
    expect(summary).toEqual(summarizeHistogram(all));
    const decoded = decodeHistogram(histogram);
    expect(decoded.totalCount).toBe(a.length + b.length);
    for (const p of [0, 10, 50, 90, 99, 99.9, 99.99, 100]) expect(decoded.getValueAtPercentile(p)).toBe(all.getValueAtPercentile(p));
    // A metric only one part has is carried over as it is.
    expect(merged.metrics.latency_uncorrected!.count).toBe(a.length);
    expect(merged.metrics.connect_time!.count).toBe(20);
  });

  it('sums counters and errors', () => {
    expect(merged.counters.msgs_sent).toBe(a.length + b.length);
    expect(merged.counters.connections_opened).toBe(20);
    expect(merged.counters.msgs_lost).toBe(1);
    expect(merged.errors).toEqual({ reset: 3, connect_refused: 4 });
  });

  it('is partial when any part is, and says why', () => {
    expect(merged.partial).toBe(true);
    expect(merged.interruption).toBe('interrupted by the user (Ctrl-C)');
    expect(merged.notes).toContain('merged from 2 results (histograms added, counters summed)');
  });

  it('keeps one measured window for parts that overlapped, and adds the time series by second', () => {
    expect(merged.startedAt).toBe('2026-01-01T10:00:00.000Z');
    expect(merged.durationMs).toBe(10_900);
    expect(merged.measuredMs).toBe(10_200);
    expect(merged.timeseries.map((p) => [p.t, p.msgs_received, p.connections_open, p.latency_p99_us, p.warmup])).toEqual([
      [1, 150, 20, 2000, true],
      [2, 150, 20, 4000, false],
      [3, 150, 20, 6000, false],
    ]);
  });

  it('adds the measured windows of parts that ran one after another', () => {
    const first = makeResult({ measuredMs: 10_000, durationMs: 10_500 });
    const later = makeResult({ startedAt: '2026-01-01T10:01:00.000Z', measuredMs: 9_000, durationMs: 9_500 });
    const m = mergeRunResults([first, later]);
    expect(m.measuredMs).toBe(19_000);
    expect(m.durationMs).toBe(69_500);
  });

  it('keeps every section the parts have (with the MergeRules type, which wants a rule per field)', () => {
    // Parts with every optional section filled: whatever RunResult gains must survive a merge.
    const full = (startedAt: string, f: FanoutResult): RunResult => ({
      ...makeResult({ startedAt, partial: true }),
      verdicts: [{ check: 'errors==0', actual: 0, unit: '', pass: true }],
      fanout: f,
    });
    const parts = [
      full('2026-01-01T10:00:00.000Z', fanoutSection(3, 50, [['sub#1', 4]])),
      full('2026-01-01T10:00:00.000Z', fanoutSection(2, 48, [['sub#1', 7]])),
    ];
    const m = mergeRunResults(parts);
    // Verdicts judged the parts, not the whole: the one section a merge drops on purpose.
    const dropped = new Set(['verdicts']);
    for (const key of Object.keys(parts[0]!)) if (!dropped.has(key)) expect(m, `merged result lost "${key}"`).toHaveProperty(key);
    expect(m.verdicts).toBeUndefined();
  });

  it('merges the fan-out section: publishers add up, a shared server stream counts once per overlapping set', () => {
    const shard = (startedAt: string, f: FanoutResult) => ({ ...makeResult({ startedAt }), fanout: f });
    const together = mergeRunResults([
      shard('2026-01-01T10:00:00.000Z', fanoutSection(3, 50, [['sub#1', 4]])),
      shard(
        '2026-01-01T10:00:00.000Z',
        fanoutSection(2, 48, [
          ['sub#1', 7],
          ['sub#2', 1],
        ]),
      ),
    ]);
    expect(together.fanout).toMatchObject({ publishers: 5, subscribers: 5, published: 50, serverPublished: 50 });
    // Both shards had a `sub#1`: names carry their part, worst first.
    expect(together.fanout!.worstSubscribers.map((w) => [w.subscriber, w.lost])).toEqual([
      ['sub#1 (part 2)', 7],
      ['sub#1 (part 1)', 4],
      ['sub#2 (part 2)', 1],
    ]);
    const oneAfterAnother = mergeRunResults([
      shard('2026-01-01T10:00:00.000Z', fanoutSection(1, 50, [])),
      shard('2026-01-01T10:01:00.000Z', fanoutSection(1, 40, [])),
    ]);
    expect(oneAfterAnother.fanout!.serverPublished).toBe(90);
    expect(mergeRunResults([makeResult(), makeResult()]).fanout).toBeUndefined();
  });

  it('keeps the server section of shards that watched one server, and drops it for different servers', () => {
    const server = (pid: number, cpuSeconds: number) => ({
      pid,
      source: 'launched' as const,
      processes: 1,
      cpu_percent: { mean: 50, max: 80 },
      cpu_seconds: cpuSeconds,
      rss_bytes: { start: 1, peak: 3, end: 2 },
      threads: 4,
      open_fds: 20,
      msgs_per_cpu_second: 1000,
      rss_bytes_per_connection: 1,
      timeseries: [],
    });
    const part = (pid: number, cpu: number) => ({ ...makeResult(), server: server(pid, cpu) });
    expect(mergeRunResults([part(7, 1), part(7, 2)]).server!.cpu_seconds).toBe(2);
    expect(mergeRunResults([part(7, 1), part(8, 2)]).server).toBeUndefined();
  });

  it('refuses results of different scenarios', () => {
    expect(() => mergeRunResults([makeResult(), makeResult({ scenario: 'echo-closed' })])).toThrow(
      new UsageError('cannot merge results of different scenarios ("echo", "echo-closed"); merge the shards or rounds of one scenario'),
    );
  });
});
