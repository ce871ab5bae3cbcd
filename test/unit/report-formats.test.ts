/**
 * Single-run reporters fed a fixed result: `.hgrm` parsed back gives the same percentiles as
 * the histogram, Markdown as an inline snapshot, the HTML page is self-contained, and Markdown
 * and HTML show the terminal table's counter rows and fan-out summary, number for number.
 */
import { describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../dist/metrics/histogram.js';
import { hgrmFiles } from '../../dist/report/hgrm.js';
import { escapeHtml } from '../../dist/report/html-escape.js';
import { escapeMdText } from '../../dist/report/md-table.js';
import { reporters } from '../../dist/report/reporters.js';
import type { RunResult } from '../../dist/metrics/result.js';
import { evenly, makeResult, metricOf, timeseriesOf } from '../helpers/results.js';

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
const result = makeResult({
  latencyUs: latency,
  uncorrectedUs: latency.map((v) => Math.max(1, v - 200)),
  measuredMs: 10_000,
  timeseries: timeseriesOf(11, 1000, (t) => 1500 + 100 * t),
});

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
  it('escapes <, > and & in text from the result, and keeps names in code spans a backtick cannot end', () => {
    const hostile = {
      ...result,
      scenario: { ...result.scenario, name: 'x`<img src=x onerror=alert(1)>' },
      partial: true,
      interruption: 'no connection to ws://h/?a=1&b=<script>alert(1)</script> could be opened',
      notes: ['<b>bold</b> & more'],
    };
    const md = reporters.md.render(hostile, { color: false });
    expect(md).toContain('### rtbench · ``x`<img src=x onerror=alert(1)>`` · ');
    expect(md).toContain('> Partial result: no connection to ws://h/?a=1&amp;b=&lt;script&gt;alert(1)&lt;/script&gt; could be opened');
    expect(md).toContain('- &lt;b&gt;bold&lt;/b&gt; &amp; more');
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<b>');
  });

  it('renders GitHub tables for one run', () => {
    const withVerdicts = {
      ...result,
      verdicts: [
        { check: 'latency.p99<5ms', actual: 18.4, unit: 'ms', pass: false },
        { check: 'errors==0', actual: 0, unit: '', pass: true },
      ],
    };
    expect(reporters.md.render(withVerdicts, { color: false })).toMatchInlineSnapshot(`
      "### rtbench · \`echo\` · \`ws://127.0.0.1:9001/node\`

      - phase 1: 10 connections, 10s: open loop, 10 msg/s per connection, each sent at its intended time whatever awaits a reply; latency from the intended send time (coordinated omission corrected)
      - measured 10s; 2026-01-01 10:00 UTC · Node v20.0.0 · 4 × Test CPU · open loop

      | metric | count | mean | p50 | p90 | p99 | p99.9 | p99.99 | max |
      |:---|---:|---:|---:|---:|---:|---:|---:|---:|
      | \`latency\` | 10.0k | 2.74ms | 1.24ms | 2.00ms | 20.0ms | 110.8ms | 120.1ms | 250.1ms |
      | \`latency_uncorrected\` | 10.0k | 2.54ms | 1.04ms | 1.80ms | 19.8ms | 110.7ms | 119.8ms | 249.9ms |
      | \`connect_time\` | 10 | 1.50ms | 1.44ms | 1.89ms | 2.00ms | 2.00ms | 2.00ms | 2.00ms |

      | counter | total | per second |
      |:---|---:|---:|
      | connections opened / failed / closed | 10 / 0 / 10 |  |
      | msgs sent / received | 10.0k / 10.0k |  |
      | replies measured (throughput) | 10.0k | 1.00k |
      | payload bytes sent / received | 0 B / 0 B |  |
      | msgs lost / duplicated / reordered | 0 / 0 / 0 |  |
      | errors | none |  |

      - send timing: every send left within 10 ms of its intended time (p50 1.24ms vs 1.04ms uncorrected); the two latency series differ only by that

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

// An SSE run: 600 events due, 590 received; 580 gaps + 10 first events measured in 4 s = 147.5/s.
const sse = makeResult({ measuredMs: 4000, counters: { events_expected: 600, events_received: 590, reconnects: 3, sends_missed: 1500 } });
sse.metrics.event_gap = metricOf(evenly(580, 900, 1100));
sse.metrics.first_event_time = metricOf(evenly(10, 2000, 3000));

// A fan-out run over 2 s whose second-worst subscriber's group name holds markup.
const fanout: RunResult = makeResult({
  measuredMs: 2000,
  counters: { deliveries_expected: 1000, deliveries_received: 990, msgs_lost: 10, msgs_duplicated: 1, msgs_reordered: 2 },
});
fanout.metrics.fanout_latency = metricOf(evenly(990, 1000, 3000));
fanout.fanout = {
  method: 'm',
  includeSender: false,
  publishers: 4,
  subscribers: 10,
  published: 100,
  serverPublished: 0,
  lateAfterMs: 100,
  worstSubscribers: [
    { subscriber: 'main#3', expected: 100, received: 90, lost: 10, duplicated: 1, reordered: 2, late: 4, maxLatencyUs: 250_000 },
    { subscriber: 'chat<b>#7', expected: 100, received: 100, lost: 0, duplicated: 0, reordered: 0, late: 1, maxLatencyUs: 120_000 },
  ],
};

const render = (r: RunResult) => ({
  table: reporters.table.render(r, { color: false }),
  md: reporters.md.render(r, { color: false }),
  html: reporters.html.render(r, { color: false }),
});

/** The terminal's counter rows as [label, total, per second], read off the box-drawn table. */
function terminalCounterRows(table: string): string[][] {
  const rows = table
    .split('\n')
    .filter((l) => l.startsWith('│'))
    .map((l) =>
      l
        .split('│')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  const start = rows.findIndex((cells) => cells[0] === 'counter');
  const end = rows.findIndex((cells, i) => i > start && cells.length !== 3);
  return rows.slice(start + 1, end === -1 ? undefined : end);
}

/** The Markdown counter table's body rows. */
function mdCounterRows(md: string): string[] {
  const lines = md.split('\n');
  const start = lines.indexOf('| counter | total | per second |');
  const end = lines.indexOf('', start);
  return lines.slice(start + 2, end);
}

const mdRow = (cells: string[]) => `| ${cells.map(escapeMdText).join(' | ')} |`;
const htmlCounterRow = ([label, total, perSecond]: string[]) =>
  `<tr><th>${escapeHtml(label!)}</th><td>${escapeHtml(total!)}</td><td>${escapeHtml(perSecond!)}</td></tr>`;

describe("md and html show the terminal table's counters", () => {
  it('SSE: events expected / received with the measured event rate, in all three formats', () => {
    const out = render(sse);
    const rows = terminalCounterRows(out.table);
    expect(rows).toContainEqual(['events expected / received', '600 / 590', '148']);
    expect(rows).toContainEqual(['reconnects', '3', '']);
    expect(rows).toContainEqual(['sends late by the generator (>10 ms)', '1.50k', '']);
    // Every terminal row, in order, then the errors row the terminal prints on its own line.
    expect(mdCounterRows(out.md)).toEqual([...rows.map(mdRow), '| errors | none |  |']);
    expect(out.md).toContain('| events expected / received | 600 / 590 | 148 |');
    for (const row of rows) expect(out.html).toContain(htmlCounterRow(row));
    expect(out.html).toContain('<tr><th>events expected / received</th><td>600 / 590</td><td>148</td></tr>');
    expect(out.html).toContain('<tr><th>sends late by the generator (&gt;10 ms)</th><td>1.50k</td><td></td></tr>');
    expect(out.html).toContain('<tr><th>errors</th><td>none</td><td></td></tr>');
    // An SSE run is no fan-out run.
    expect(out.md).not.toContain('fan-out:');
    expect(out.html).not.toContain('Fan-out');
  });

  it('events received alone (no expectation) keeps its rate too', () => {
    const r = makeResult({ measuredMs: 2000, counters: { events_received: 300 } });
    r.metrics.event_gap = metricOf(evenly(300, 900, 1100));
    const out = render(r);
    expect(terminalCounterRows(out.table)).toContainEqual(['events received', '300', '150']);
    expect(out.md).toContain('| events received | 300 | 150 |');
    expect(out.html).toContain('<tr><th>events received</th><td>300</td><td>150</td></tr>');
  });

  it('fan-out: deliveries row, summary lines and worst subscribers match the terminal', () => {
    const out = render(fanout);
    const rows = terminalCounterRows(out.table);
    expect(rows).toContainEqual(['deliveries expected / received', '1.00k / 990', '495']);
    expect(mdCounterRows(out.md)).toEqual([...rows.map(mdRow), '| errors | none |  |']);
    for (const row of rows) expect(out.html).toContain(htmlCounterRow(row));

    // The summary lines, as the terminal prints them (figures indented under the headline).
    const lines = out.table.split('\n');
    const first = lines.findIndex((l) => l.startsWith('fan-out:'));
    const summary = lines
      .slice(
        first,
        lines.findIndex((l) => l.startsWith('worst subscribers')),
      )
      .map((l) => l.trim());
    expect(summary).toEqual([
      'fan-out: 4 publishers → 10 subscribers (senders excluded)',
      'publish rate 50/s (100 published) · fan-out throughput 495 deliveries/s',
      'deliveries 990 received of 1.00k expected · lost 10 · duplicated 1 · reordered 2',
      expect.stringMatching(/^fanout_latency, one-way \(shared clock\): p50 \S+ · p90 \S+ · p99 \S+ · p99\.9 \S+ · max 3\.00ms$/),
    ]);
    const [headline, ...figures] = summary;
    expect(out.md).toContain(`${headline}\n\n${figures.map((f) => `- ${f}`).join('\n')}\n`);
    expect(out.html).toContain(
      `<p>${escapeHtml(headline!)}</p><ul class="fanout">${figures.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`,
    );

    // Worst subscribers: the same title, columns and figures.
    expect(out.table).toContain('worst subscribers (most lost, then most late >100ms, then slowest):');
    expect(out.table).toMatch(/│ main#3 +│ 100 +│ 90 +│ 10 +│ 1 +│ 2 +│ 4 +│ 250\.0ms +│/);
    expect(out.md).toContain('| subscriber | expected | received | lost | duplicated | reordered | late &gt;100ms | max latency |');
    expect(out.md).toContain('| `main#3` | 100 | 90 | 10 | 1 | 2 | 4 | 250.0ms |');
    expect(out.md).toContain('| `chat<b>#7` | 100 | 100 | 0 | 0 | 0 | 1 | 120.0ms |');
    expect(out.html).toContain('<h3>worst subscribers (most lost, then most late &gt;100ms, then slowest)</h3>');
    expect(out.html).toContain('<th>late &gt;100ms</th><th>max latency</th>');
    expect(out.html).toContain(
      '<tr><th><code>main#3</code></th><td>100</td><td>90</td><td>10</td><td>1</td><td>2</td><td>4</td><td>250.0ms</td></tr>',
    );
  });

  it('the target server: its cost in all three formats, and CPU and RSS charts in html', () => {
    const r: RunResult = {
      ...makeResult(),
      server: {
        pid: 4242,
        source: 'launched',
        processes: 2,
        cpu_percent: { mean: 45.5, max: 80.25 },
        cpu_seconds: 4.55,
        rss_bytes: { start: 50 * 1024 * 1024, peak: 64 * 1024 * 1024, end: 60 * 1024 * 1024 },
        threads: 12,
        open_fds: 140,
        msgs_per_cpu_second: 21_978,
        rss_bytes_per_connection: 671_089,
        timeseries: [
          { t: 1.25, cpu_percent: 40, rss_bytes: 50 * 1024 * 1024 },
          { t: 1.5, cpu_percent: 80.25, rss_bytes: 64 * 1024 * 1024 },
        ],
      },
    };
    const lines = [
      'target server (the command rtbench started, pid 4242, 2 processes), measured window:',
      'CPU 45.5% of one core on average, 80.3% at most (4.55 CPU-s)',
      'RSS 50.0 MiB at the start, 64.0 MiB at the peak, 60.0 MiB at the end',
      'threads 12, open file descriptors 140',
      '22.0k messages per CPU-second, 655.4 KiB of RSS per connection',
    ];
    const table = reporters.table.render(r, { color: false });
    const md = reporters.md.render(r, { color: false });
    const html = reporters.html.render(r, { color: false });
    for (const line of lines) {
      expect(table).toContain(line);
      expect(md).toContain(line);
      expect(html).toContain(escapeHtml(line));
    }
    expect(html).toContain('server CPU over time');
    expect(html).toContain('server memory over time');
  });

  it('html escapes a subscriber name holding markup', () => {
    const { html } = render(fanout);
    expect(html).toContain(
      '<tr><th><code>chat&lt;b&gt;#7</code></th><td>100</td><td>100</td><td>0</td><td>0</td><td>0</td><td>1</td><td>120.0ms</td></tr>',
    );
    expect(html).not.toContain('chat<b>');
  });
});
