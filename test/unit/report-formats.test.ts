/**
 * Single-run reporters fed a fixed result: `.hgrm` parsed back gives the same percentiles as
 * the histogram, Markdown as an inline snapshot, and the HTML page is self-contained.
 */
import { describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../dist/metrics/histogram.js';
import { hgrmFiles } from '../../dist/report/hgrm.js';
import { reporters } from '../../dist/report/reporter.js';
import { evenly, makeResult, timeseriesOf } from '../helpers/results.js';

/** One parsed `.hgrm` line: value (ms), percentile (0..1), cumulative count. */
interface HgrmLine {
  valueMs: number;
  percentile: number;
  totalCount: number;
}

/** Parses `.hgrm` the way HdrHistogram's plotter does: four numeric columns, `#` lines are footers. */
function parseHgrm(text: string): { lines: HgrmLine[]; footer: Record<string, number> } {
  const lines: HgrmLine[] = [];
  for (const raw of text.split('\n')) {
    const cols = raw.trim().split(/\s+/);
    if (cols.length === 4 && cols.every((c) => /^[\d.]+$|^Infinity$/.test(c))) {
      lines.push({ valueMs: Number(cols[0]), percentile: Number(cols[1]), totalCount: Number(cols[2]) });
    }
  }
  const footer: Record<string, number> = {};
  for (const m of text.matchAll(/(Mean|StdDeviation|Max|Total count)\s*=\s*([\d.]+)/g)) footer[m[1]!] = Number(m[2]);
  return { lines, footer };
}

/** The value at percentile `p` (0..100) read back from the lines: the first line at or past it. */
function valueAt(lines: HgrmLine[], p: number): number {
  return lines.find((l) => l.percentile >= p / 100 - 1e-12)!.valueMs;
}

// A long-tailed distribution: most samples near 1 ms, a tail to 250 ms.
const latency = [...evenly(9000, 300, 2000), ...evenly(900, 2000, 20_000), ...evenly(99, 20_000, 120_000), 250_000];
const result = makeResult({ latencyUs: latency, uncorrectedUs: latency.map((v) => Math.max(1, v - 200)), measuredMs: 10_000, timeseries: timeseriesOf(11, 1000, (t) => 1500 + 100 * t) });

describe('hgrm', () => {
  it('writes one distribution per metric; parsed back, it gives the same percentiles', () => {
    const files = hgrmFiles(result);
    expect(files.map((f) => f.name)).toEqual(['latency.hgrm', 'latency_uncorrected.hgrm', 'connect_time.hgrm']);
    const { lines, footer } = parseHgrm(files[0]!.text);
    const h = decodeHistogram(result.metrics.latency!.histogram);
    const m = result.metrics.latency!;
    // Every line is the histogram's own value at the line's percentile (values in ms, exact to the µs).
    for (const l of lines.slice(0, -1)) expect(Math.round(l.valueMs * 1000)).toBe(h.getValueAtPercentile(l.percentile * 100));
    // The summary's percentiles come back where the file has a line at them, the tail and the totals always.
    expect(Math.round(valueAt(lines, 50) * 1000)).toBe(m.p50);
    expect(Math.round(valueAt(lines, 90) * 1000)).toBe(m.p90);
    expect(Math.round(lines[lines.length - 1]!.valueMs * 1000)).toBe(m.max);
    expect(lines[lines.length - 1]!.totalCount).toBe(m.count);
    expect(footer['Total count']).toBe(m.count);
    expect(Math.round(footer.Max! * 1000)).toBe(m.max);
    expect(footer.Mean).toBeCloseTo(m.mean / 1000, 3);
    // p99 and p99.9: the first line at or past them holds a value at least as high, and the
    // histogram gives that same value at the line's own percentile.
    for (const p of [99, 99.9]) {
      const line = lines.find((l) => l.percentile >= p / 100)!;
      expect(Math.round(line.valueMs * 1000)).toBeGreaterThanOrEqual(m[p === 99 ? 'p99' : 'p99_9']);
      expect(Math.round(line.valueMs * 1000)).toBe(h.getValueAtPercentile(line.percentile * 100));
    }
  });

  it('prints each distribution after a "# <metric id>" line on stdout', () => {
    const text = reporters.hgrm.render(result, { color: false });
    expect(text.match(/^# .*$/gm)).toEqual(['# latency', '# latency_uncorrected', '# connect_time']);
    expect(text.split('\n')[1]).toBe('       Value     Percentile TotalCount 1/(1-Percentile)');
  });
});

describe('md', () => {
  it('renders GitHub tables for one run', () => {
    const withVerdicts = { ...result, verdicts: [{ check: 'latency.p99<5ms', actual: 18.4, unit: 'ms', pass: false }, { check: 'errors==0', actual: 0, unit: '', pass: true }] };
    expect(reporters.md.render(withVerdicts, { color: false })).toMatchInlineSnapshot(`
      "### rtbench · \`echo\` · \`ws://127.0.0.1:9001/node\`

      - phase 1: 10 connections, 10s: open loop, 10 msg/s per connection, no in-flight limit; latency from the intended send time (coordinated omission corrected)
      - measured 10s; 2026-01-01 10:00 UTC · Node v20.0.0 · 4 × Test CPU · open loop

      | metric | count | mean | p50 | p90 | p99 | p99.9 | p99.99 | max |
      |:---|---:|---:|---:|---:|---:|---:|---:|---:|
      | \`latency\` | 10.0k | 2.74ms | 1.24ms | 2.00ms | 20.0ms | 110.8ms | 120.1ms | 250.1ms |
      | \`latency_uncorrected\` | 10.0k | 2.54ms | 1.04ms | 1.80ms | 19.8ms | 110.7ms | 119.8ms | 249.9ms |
      | \`connect_time\` | 10 | 1.50ms | 1.44ms | 1.89ms | 2.00ms | 2.00ms | 2.00ms | 2.00ms |

      | counter | value |
      |:---|---:|
      | \`msgs_per_sec\` (replies measured) | 1.00k/s |
      | connections opened / failed / closed | 10 / 0 / 10 |
      | msgs sent / received | 10000 / 10000 |
      | msgs lost / duplicated / reordered | 0 / 0 / 0 |
      | bytes sent / received | 0 B / 0 B |
      | errors | none |

      | check | actual | result | detail |
      |:---|---:|:---|:---|
      | \`latency.p99<5ms\` | 18.4ms | ❌ fail |  |
      | \`errors==0\` | 0 | ✅ pass |  |

      <details><summary>Notes</summary>

      - \`latency\`: echo round trip, from the intended send time (open loop) or the send (closed loop)
      - \`latency_uncorrected\`: echo round trip from the actual send (open loop only; hides stalls)
      - \`connect_time\`: TCP connect + WebSocket handshake (SSE: request start to response headers)

      </details>
      "
    `);
  });
});

describe('html', () => {
  it('is one self-contained page that loads nothing from the network', () => {
    const html = reporters.html.render(result, { color: false });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain('latency: percentile spectrum');
    expect(html).toContain('99.9%');
  });
});
