/**
 * Comparison math and tables from fixed results: medians and spreads over rounds, the best of
 * each row, flagged entries left out of the ranking, and the hyperfine-style summary.
 */
import { describe, expect, it } from 'vitest';
import { compareEntries, summaryLines } from '../../dist/compare/compare.js';
import { renderComparisonTable } from '../../dist/report/compare-table.js';
import { comparisonDocument } from '../../dist/report/comparison-reporter.js';
import { renderComparisonMd } from '../../dist/report/md.js';
import { evenly, makeResult } from '../helpers/results.js';

const P99 = { kind: 'histogram', metric: 'latency', stat: 'p99' } as const;
const options = { rankBy: P99, maxErrorRatePercent: 1 };

/** node: 1.0–2.0 ms (p99 about 2 ms), go: 2.0–4.0 ms (p99 about 4 ms), three rounds each, shifted a little per round. */
function rounds(label: string, fromUs: number, toUs: number, shiftsUs: number[]) {
  return shiftsUs.map((s) => makeResult({ label, latencyUs: evenly(1000, fromUs + s, toUs + s), measuredMs: 1000 + s }));
}

const node = { label: 'node', runs: rounds('node', 1000, 2000, [0, 40, 80]) };
const go = { label: 'go', runs: rounds('go', 2000, 4000, [0, 100, 200]) };

describe('compareEntries', () => {
  const c = compareEntries([node, go], options);

  it('takes the median and the median absolute deviation over rounds for each row', () => {
    const p99 = c.rows.find((r) => r.key === 'latency.p99')!;
    // p99 of 1000 evenly spread samples is the 990th; HDR keeps 3 significant digits, so
    // values above 2048 µs land on 2 µs (above 4096 µs, 4 µs) buckets' highest value.
    expect(p99.cells).toEqual([
      { median: 2030, spread: 40, values: [1990, 2030, 2071] },
      { median: 4081, spread: 100, values: [3981, 4081, 4183] },
    ]);
    expect(p99.best).toBe(0);
    const rate = c.rows.find((r) => r.key === 'msgs_per_sec')!;
    expect(rate.better).toBe('higher');
    // node 961.5 ± 35.6/s against go 909.1 ± 75.8/s: the intervals overlap, so no best is marked.
    expect(rate.best).toBeUndefined();
  });

  it('ranks with the ratio of medians and its spread', () => {
    expect(c.ranking).toHaveLength(1);
    expect(c.ranking[0]).toMatchObject({ winner: 'node', other: 'go', withinNoise: false });
    expect(c.ranking[0]!.ratio).toBeCloseTo(4081 / 2030, 9);
    expect(c.ranking[0]!.spread).toBeCloseTo((4081 / 2030) * Math.hypot(40 / 2030, 100 / 4081), 9);
    expect(summaryLines(c)).toMatchInlineSnapshot(`
      [
        "Summary by latency.p99 (lower is better; medians over rounds, ± from the spread between rounds)",
        "  node: p99 2.01 ± 0.06 × lower than go",
      ]
    `);
  });

  it('keeps the spread robust to one wild round out of three', () => {
    const wild = {
      label: 'wild',
      runs: [1000, 1100, 9000].map((ms) => makeResult({ label: 'wild', latencyUs: evenly(1000, 500, 1000), measuredMs: ms })),
    };
    const rate = compareEntries([node, wild], options).rows.find((r) => r.key === 'msgs_per_sec')!;
    // 1000/s, 909.1/s and 111.1/s: median 909.1, deviations 90.9, 0 and 798: the MAD is 90.9.
    expect(rate.cells[1]!.median).toBeCloseTo(909.09, 2);
    expect(rate.cells[1]!.spread).toBeCloseTo(90.91, 2);
  });

  it('marks no best value on a tie', () => {
    const errors = c.rows.find((r) => r.key === 'errors')!;
    expect(errors.cells.map((x) => x?.median)).toEqual([0, 0]);
    expect(errors.best).toBeUndefined();
  });

  it('flags an entry over the error-rate limit and leaves it out of the ranking', () => {
    // Fastest of all, but 5 of every 100 messages failed.
    const broken = {
      label: 'broken',
      runs: [
        makeResult({
          label: 'broken',
          latencyUs: evenly(950, 100, 200),
          errors: { reply_timeout: 50 },
          counters: { msgs_sent: 1000, msgs_lost: 50 },
        }),
      ],
    };
    const flagged = compareEntries([node, go, broken], options);
    expect(flagged.entries.map((e) => [e.label, e.flagged])).toEqual([
      ['node', false],
      ['go', false],
      ['broken', true],
    ]);
    expect(flagged.rows.find((r) => r.key === 'latency.p99')!.best).toBe(0);
    expect(summaryLines(flagged)).toMatchInlineSnapshot(`
      [
        "Summary by latency.p99 (lower is better; medians over rounds, ± from the spread between rounds)",
        "  node: p99 2.01 ± 0.06 × lower than go",
        "  not ranked: broken (error rate 4.95% is over the 1% limit)",
      ]
    `);
  });

  it('says when rounds overlap (within noise) and when there is one round', () => {
    const a = { label: 'a', runs: rounds('a', 1000, 2000, [0, 400]) };
    const b = { label: 'b', runs: rounds('b', 1000, 2000, [100, 300]) };
    expect(summaryLines(compareEntries([a, b], options))).toMatchInlineSnapshot(`
      [
        "Summary by latency.p99 (lower is better; medians over rounds, ± from the spread between rounds)",
        "  a: p99 1.00 ± 0.10 × lower than b (within the spread between rounds)",
      ]
    `);
    const one = compareEntries(
      [
        { label: 'x', runs: [node.runs[0]!] },
        { label: 'y', runs: [go.runs[2]!] },
      ],
      { ...options, rankBy: { kind: 'throughput', name: 'msgs_per_sec' } },
    );
    expect(summaryLines(one)).toMatchInlineSnapshot(`
      [
        "Summary by msgs_per_sec (higher is better; one round each: run more rounds to see the spread)",
        "  x: msgs_per_sec 1.20 × higher than y",
      ]
    `);
  });
});

describe('comparison reporters', () => {
  const c = compareEntries([node, go], options);

  it('renders the terminal table', () => {
    expect(renderComparisonTable(c, { color: false })).toMatchInlineSnapshot(`
      "rtbench compare · echo · 2 entries (median of 3 rounds ± their median absolute deviation)
      ┌────────────────────┬──────────────────┬──────────────────┐
      │                    │             node │               go │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ latency.p50        │  1.54ms ± 40µs * │   3.10ms ± 100µs │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ latency.p90        │  1.94ms ± 40µs * │   3.90ms ± 100µs │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ latency.p99        │  2.03ms ± 40µs * │   4.08ms ± 100µs │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ latency.p99_9      │  2.04ms ± 40µs * │   4.10ms ± 100µs │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ latency.max        │  2.04ms ± 40µs * │   4.10ms ± 100µs │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ connect_time.p50   │           1.44ms │           1.44ms │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ connect_time.p90   │           1.89ms │           1.89ms │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ connect_time.p99   │           2.00ms │           2.00ms │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ connect_time.p99_9 │           2.00ms │           2.00ms │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ connect_time.max   │           2.00ms │           2.00ms │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ msgs_per_sec       │ 961.5/s ± 35.6/s │ 909.1/s ± 75.8/s │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ errors             │                0 │                0 │
      ├────────────────────┼──────────────────┼──────────────────┤
      │ error_rate         │            0.00% │            0.00% │
      └────────────────────┴──────────────────┴──────────────────┘
      * best of the row, beyond the spread between rounds (lower latency and errors, higher throughput)

      Summary by latency.p99 (lower is better; medians over rounds, ± from the spread between rounds)
        node: p99 2.01 ± 0.06 × lower than go
      "
    `);
  });

  it('renders Markdown', () => {
    expect(renderComparisonMd(c)).toMatchInlineSnapshot(`
      "### rtbench compare · \`echo\`

      Median of 3 rounds per target ± the spread between rounds (median absolute deviation).

      | metric | node | go |
      |:---|---:|---:|
      | \`latency.p50\` | **1.54ms ± 40µs** | 3.10ms ± 100µs |
      | \`latency.p90\` | **1.94ms ± 40µs** | 3.90ms ± 100µs |
      | \`latency.p99\` | **2.03ms ± 40µs** | 4.08ms ± 100µs |
      | \`latency.p99_9\` | **2.04ms ± 40µs** | 4.10ms ± 100µs |
      | \`latency.max\` | **2.04ms ± 40µs** | 4.10ms ± 100µs |
      | \`connect_time.p50\` | 1.44ms | 1.44ms |
      | \`connect_time.p90\` | 1.89ms | 1.89ms |
      | \`connect_time.p99\` | 2.00ms | 2.00ms |
      | \`connect_time.p99_9\` | 2.00ms | 2.00ms |
      | \`connect_time.max\` | 2.00ms | 2.00ms |
      | \`msgs_per_sec\` | 961.5/s ± 35.6/s | 909.1/s ± 75.8/s |
      | \`errors\` | 0 | 0 |
      | \`error_rate\` | 0.00% | 0.00% |

      **Summary by latency.p99 (lower is better; medians over rounds, ± from the spread between rounds)**

      - node: p99 2.01 ± 0.06 × lower than go
      "
    `);
  });

  it('renders JSON without the runs themselves', () => {
    const doc = comparisonDocument(c);
    expect(doc).toMatchObject({ schemaVersion: 2, kind: 'comparison', scenario: 'echo', rankBy: 'latency.p99', better: 'lower' });
    expect(doc.entries).toEqual([
      { label: 'node', rounds: 3, partialRounds: 0, errorRatePercent: { median: 0, spread: 0, values: [0, 0, 0] }, flagged: false },
      { label: 'go', rounds: 3, partialRounds: 0, errorRatePercent: { median: 0, spread: 0, values: [0, 0, 0] }, flagged: false },
    ]);
    expect(doc.summary).toEqual(
      summaryLines(c)
        .slice(1)
        .map((l) => l.trim()),
    );
    expect(JSON.stringify(doc)).not.toContain('histogram');
  });
});
