/**
 * One self-contained HTML file: summary tables, a latency percentile spectrum per metric, and
 * latency and throughput over time, with several runs overlaid when comparing. Charts are
 * inline SVG drawn here (svg-chart.ts); the only script toggles series from the legend. A
 * Content-Security-Policy forbids every network load, so the file opens the same offline, from
 * a CI artifact or an email.
 */
import { summaryLines, type CompareEntry, type Comparison } from '../compare/compare.js';
import { formatSpread } from '../compare/quantity.js';
import { METRIC_IDS } from '../metrics/metric-ids.js';
import type { RunResult } from '../metrics/result.js';
import { formatCount, formatDurationMs, formatUs } from '../units.js';
import { describeErrors, describePhases, describeSendTiming } from './describe-run.js';
import { escapeHtml as esc } from './html-escape.js';
import { buildFigures, PALETTE, type Figure } from './html-charts.js';
import { runContext } from './md.js';
import type { Reporter } from './reporter.js';
import { counterRows, fanoutSummary, serverSummary, type CounterRow, type FanoutSummary } from './run-rows.js';
import { lineChartSvg } from './svg-chart.js';

/** One run as a self-contained HTML page with its charts. */
export const htmlReporter: Reporter = {
  format: 'html',
  render(r: RunResult): string {
    const entries: CompareEntry[] = [{ label: r.target.label, runs: [r] }];
    const title = `rtbench · ${r.scenario.name}`;
    const intro = [
      `<p class="target">${esc(r.target.embedded ? `${r.target.url} (embedded reference server)` : r.target.url)}</p>`,
      `<ul class="phases">${describePhases(r)
        .map((l) => `<li>${esc(l)}</li>`)
        .join('')}</ul>`,
      `<p class="context">measured ${esc(formatDurationMs(r.measuredMs))} · ${esc(runContext(r))}</p>`,
      sendTimingHtml(r),
      r.partial ? `<p class="warn">Partial result: ${esc(r.interruption ?? 'the run did not finish')}</p>` : '',
    ].join('');
    return page(title, intro, runTables(r), buildFigures(entries), entries, r.notes);
  },
};

function sendTimingHtml(r: RunResult): string {
  const text = describeSendTiming(r);
  return text ? `<p class="context">${esc(text)}</p>` : '';
}

/** The comparison as a page: the comparison table and summary, then the overlaid charts. */
export function renderComparisonHtml(c: Comparison): string {
  const entries: CompareEntry[] = c.entries.map((e) => ({ label: e.label, runs: e.runs }));
  const rounds = Math.max(...c.entries.map((e) => e.runs.length));
  const first = c.entries[0]?.runs[0];
  const intro = [
    `<p class="target">${c.entries
      .map((e) => `${esc(e.label)}${e.flagged ? ' <span class="warn">(error rate over limit, not ranked)</span>' : ''}`)
      .join(' · ')}</p>`,
    first
      ? `<ul class="phases">${describePhases(first)
          .map((l) => `<li>${esc(l)}</li>`)
          .join('')}</ul>`
      : '',
    `<p class="context">${rounds > 1 ? `median of ${rounds} rounds ± their median absolute deviation` : 'one round each'}` +
      `${first ? ` · ${esc(runContext(first))}` : ''}</p>`,
  ].join('');
  const head = `<tr><th></th>${c.entries.map((e) => `<th>${esc(e.label)}</th>`).join('')}</tr>`;
  const rows = c.rows
    .map(
      (row) =>
        `<tr><th><code>${esc(row.key)}</code></th>${row.cells
          .map((cell, i) => `<td${row.best === i ? ' class="best"' : ''}>${esc(formatSpread(cell, row.kind))}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  const [summaryTitle, ...summary] = summaryLines(c);
  const tables =
    `<table class="num">${head}${rows}</table><h2>${esc(summaryTitle!)}</h2>` +
    `<ul class="summary">${summary.map((l) => `<li>${esc(l.trim())}</li>`).join('')}</ul>`;
  return page(`rtbench compare · ${c.scenario}`, intro, tables, buildFigures(entries), entries, []);
}

function runTables(r: RunResult): string {
  const shown = METRIC_IDS.filter((id) => (r.metrics[id]?.count ?? 0) > 0);
  const cols = ['count', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max'];
  const metricRows = shown
    .map((id) => {
      const m = r.metrics[id]!;
      const values = [
        formatCount(m.count),
        formatUs(m.mean),
        formatUs(m.p50),
        formatUs(m.p90),
        formatUs(m.p99),
        formatUs(m.p99_9),
        formatUs(m.p99_99),
        formatUs(m.max),
      ];
      return `<tr><th><code>${esc(id)}</code></th>${values.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`;
    })
    .join('');
  // The terminal table's rows, plus the errors the terminal prints on a line of its own.
  const counters: CounterRow[] = [...counterRows(r), { label: 'errors', total: describeErrors(r), perSecond: '' }];
  const fanout = fanoutSummary(r);
  const verdicts = (r.verdicts ?? [])
    .map(
      (v) =>
        `<li class="${v.pass ? 'pass' : 'fail'}">${v.pass ? '✓' : '✗'} <code>${esc(v.check)}</code> ` +
        `(actual ${esc(v.actual === null ? '-' : `${v.actual}${v.unit}`)})${v.detail ? ` ${esc(v.detail)}` : ''}</li>`,
    )
    .join('');
  return [
    shown.length
      ? `<table class="num"><tr><th>metric</th>${cols.map((c) => `<th>${c}</th>`).join('')}</tr>${metricRows}</table>`
      : '<p>No latency samples were recorded.</p>',
    `<table class="counters"><tr><th>counter</th><th>total</th><th>per second</th></tr>` +
      `${counters.map((c) => `<tr><th>${esc(c.label)}</th><td>${esc(c.total)}</td><td>${esc(c.perSecond)}</td></tr>`).join('')}</table>`,
    fanout ? fanoutHtml(fanout) : '',
    serverHtml(r),
    verdicts ? `<h2>Thresholds</h2><ul class="verdicts">${verdicts}</ul>` : '',
    r.health.warnings.map((w) => `<p class="warn">⚠ ${esc(w)}</p>`).join(''),
  ].join('');
}

/** The target server's cost: the headline and its figures as a list. */
function serverHtml(r: RunResult): string {
  const s = serverSummary(r);
  if (!s) return '';
  const items = s.figures.map((line) => `<li>${esc(line)}</li>`).join('');
  return `<h2>Target server</h2><p>${esc(s.headline)}</p><ul class="server">${items}</ul>`;
}

/** The fan-out headline, its figures as a list, the worst subscribers as a table. */
function fanoutHtml(f: FanoutSummary): string {
  const parts = [
    `<h2>Fan-out</h2><p>${esc(f.headline)}</p><ul class="fanout">${f.figures.map((line) => `<li>${esc(line)}</li>`).join('')}</ul>`,
  ];
  if (f.worstSubscribers) {
    const { title, head, rows } = f.worstSubscribers;
    const body = rows
      .map(
        ([subscriber, ...figures]) =>
          `<tr><th><code>${esc(subscriber!)}</code></th>${figures.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`,
      )
      .join('');
    parts.push(`<h3>${esc(title)}</h3><table class="num"><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${body}</table>`);
  }
  return parts.join('');
}

function figureHtml(f: Figure, entries: CompareEntry[]): string {
  const legend = entries
    .map(
      (e, i) =>
        `<button type="button" data-series="e${i}" aria-pressed="true">` +
        `<span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${esc(e.label)}</button>`,
    )
    .join('');
  return (
    `<figure><figcaption><strong>${esc(f.title)}</strong> ${esc(f.caption)}</figcaption>` +
    `${lineChartSvg(f.spec)}<div class="legend">${legend}</div></figure>`
  );
}

function page(title: string, intro: string, tables: string, figures: Figure[], entries: CompareEntry[], notes: string[]): string {
  const main =
    `<section class="tables">${tables}</section>\n` +
    `<section class="charts">${figures.map((f) => figureHtml(f, entries)).join('\n')}</section>`;
  return htmlDocument(title, intro, main, notes);
}

/**
 * The page every HTML report shares: header, `main`, notes and the footer, with the stylesheet,
 * the legend script and a policy that forbids every network load.
 */
export function htmlDocument(title: string, intro: string, main: string, notes: string[]): string {
  return (
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(title)}</h1>${intro}</header>
<main>
${main}
</main>
<footer>${notes.map((n) => `<p>${esc(n)}</p>`).join('')}<p>Generated by rtbench. ` +
    `Latencies are HDR histograms (3 significant digits); percentiles are never averaged.</p></footer>
<script>${SCRIPT}</script>
</body>
</html>
`
  );
}

const CSS =
  `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #fff; --card: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 980px; padding: 24px; ` +
  `font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 20px 0 6px; } h3 { font-size: 14px; margin: 14px 0 4px; }
.target { margin: 0; font-family: ui-monospace, monospace; color: var(--muted); }
.phases { margin: 6px 0; padding-left: 18px; } .context { color: var(--muted); margin: 4px 0 16px; }
table { border-collapse: collapse; margin: 8px 0 12px; }
th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: left; }
table.num td { text-align: right; font-variant-numeric: tabular-nums; }
table.counters td { text-align: right; }
th { background: var(--card); font-weight: 600; }
td.best { font-weight: 700; color: #1a7f37; }
.warn { color: #9a6700; } .verdicts { list-style: none; padding: 0; } .pass { color: #1a7f37; } .fail { color: #cf222e; }
.summary, .fanout { padding-left: 18px; }
figure { margin: 18px 0; padding: 12px; border: 1px solid var(--line); border-radius: 8px; background: var(--card); }
figcaption { margin-bottom: 6px; color: var(--muted); } figcaption strong { color: var(--fg); margin-right: 6px; }
svg.chart { width: 100%; height: auto; display: block; background: #fff; }
svg .grid { stroke: #eaeef2; } svg .frame { fill: none; stroke: #8c959f; }
svg .tick { font-size: 11px; fill: var(--muted); } svg .axis-label { font-size: 12px; fill: var(--fg); }
svg .line { fill: none; stroke-width: 2; stroke-linejoin: round; } svg .band { fill: #fff8c5; }
svg .band-label { font-size: 11px; fill: #9a6700; }
.legend { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 6px; }
.legend button { font: inherit; border: 1px solid var(--line); background: #fff; border-radius: 14px; padding: 2px 10px; cursor: pointer; }
.legend button[aria-pressed="false"] { opacity: 0.4; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
footer { color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); margin-top: 24px; }
`;

/** Legend buttons show and hide every line of their entry in their figure. */
const SCRIPT = `
for (const button of document.querySelectorAll('.legend button')) {
  button.addEventListener('click', () => {
    const shown = button.getAttribute('aria-pressed') !== 'true';
    button.setAttribute('aria-pressed', String(shown));
    const figure = button.closest('figure');
    for (const g of figure.querySelectorAll('g[data-series="' + button.dataset.series + '"]')) {
      g.style.display = shown ? '' : 'none';
    }
  });
}
`;
