/**
 * A `find` result as one self-contained HTML page: the answer, the step table, and the knee
 * charts — p50 and p99 against the offered load with the SLO's latency limit and the bracket
 * where the knee lies, and what was achieved against what was offered.
 */
import { parseThreshold } from '../compare/thresholds.js';
import type { FindResult, FindStep } from '../find/result.js';
import { formatCount, formatUs } from '../units.js';
import { PALETTE } from './html-charts.js';
import { escapeHtml as esc } from './html-escape.js';
import { htmlDocument } from './html.js';
import { findContext, STEP_HEAD, stepCells } from './find-report.js';
import { latencyAxis, linearAxis, lineChartSvg, type AxisSpec, type ChartSeries, type ChartSpec } from './svg-chart.js';

const SLO_COLOR = '#cf222e';
/** Verdict cell colours, as the terminal table's: green, red, and amber for what decided nothing. */
const VERDICT_CLASS: Record<FindStep['verdict'], string> = {
  pass: 'pass',
  fail: 'fail',
  inconclusive: 'warn',
  unreachable: 'fail',
  crashed: 'fail',
  interrupted: 'warn',
};

/** The page. */
export function renderFindHtml(f: FindResult): string {
  const ok = f.answer.status === 'found' || f.answer.status === 'no_break';
  const intro =
    `<p class="${ok ? 'pass' : 'warn'}"><strong>${esc(f.answer.summary)}</strong></p>` +
    findContext(f)
      .map((l) => `<p class="context">${esc(l)}</p>`)
      .join('');
  const rows = f.steps
    .map((s, i) => {
      const cells = stepCells(s, i);
      return `<tr>${cells.map((c, j) => `<td${j === 7 ? ` class="${VERDICT_CLASS[s.verdict]}"` : ''}>${esc(c)}</td>`).join('')}</tr>`;
    })
    .join('');
  const table = `<h2>Steps</h2><table class="num"><tr>${STEP_HEAD.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>${rows}</table>`;
  const charts = kneeFigures(f)
    .map(
      (c) =>
        `<figure><figcaption><strong>${esc(c.title)}</strong> ${esc(c.caption)}</figcaption>${lineChartSvg(c.spec)}${legend(c.spec)}</figure>`,
    )
    .join('\n');
  return htmlDocument(
    `rtbench find · ${f.scenario} · ${f.dimension.name}`,
    intro,
    `<section class="tables">${table}</section>\n<section class="charts">${charts}</section>`,
    [`Each step's full results are in the find result's JSON (steps[].windows[].result).`],
  );
}

interface KneeFigure {
  title: string;
  caption: string;
  spec: ChartSpec;
}

/** The two knee charts; none when no step measured anything. */
export function kneeFigures(f: FindResult): KneeFigure[] {
  const steps = [...f.steps].sort((a, b) => a.value - b.value);
  if (steps.length === 0) return [];
  const x = offeredAxis(`offered (${f.dimension.unit})`, steps);
  const bands = bracketBand(f, x);
  const metric = steps[0]!.latencyMetric;
  const latencyPoints = (pick: (s: FindStep) => number | null) =>
    steps.filter((s) => pick(s) !== null).map((s) => [x.at(s.value), pick(s)!] as [number, number]);
  const limits = sloLatencyLimits(f.slo, metric);
  // Latency far past the knee would flatten the interesting part: the axis ends a little above
  // the SLO's limit and the passing steps, and a line past the top is drawn at the top.
  const passing = steps.filter((s) => s.verdict === 'pass').map((s) => s.p99Us ?? 0);
  const all = steps.map((s) => s.p99Us ?? 0);
  const top = Math.max(
    ...limits.map((l) => l.us * 2),
    ...passing.map((v) => v * 1.5),
    limits.length || passing.length ? 0 : Math.max(...all),
  );
  const latencySeries: ChartSeries[] = [
    { id: 'p50', label: `${metric} p50`, color: PALETTE[0]!, points: latencyPoints((s) => s.p50Us), markers: true },
    { id: 'p99', label: `${metric} p99`, color: PALETTE[1]!, points: latencyPoints((s) => s.p99Us), markers: true },
    ...limits.map((l) => ({
      id: 'slo',
      label: `SLO ${l.text}`,
      color: SLO_COLOR,
      dashed: true,
      points: [
        [x.spec.min, l.us],
        [x.spec.max, l.us],
      ] as Array<[number, number]>,
    })),
  ];
  const achieved = steps.filter((s) => s.achieved !== null).map((s) => [x.at(s.value), s.achieved!] as [number, number]);
  const achievedMax = Math.max(0, ...achieved.map(([, v]) => v), ...(comparable(f) ? steps.map((s) => s.value) : []));
  const achievedSeries: ChartSeries[] = [
    { id: 'achieved', label: f.dimension.achievedUnit, color: PALETTE[3]!, points: achieved, markers: true },
    ...(comparable(f)
      ? [
          {
            id: 'ideal',
            label: 'achieved = offered',
            color: '#8c959f',
            dashed: true,
            points: steps.map((s) => [x.at(s.value), s.value] as [number, number]),
          },
        ]
      : []),
  ];
  return [
    {
      title: 'Latency against offered load',
      caption:
        `${metric} p50 and p99 at each step; dashed: the SLO's limit; shaded: the bracket the knee lies in. ` +
        'Values above the top are drawn at the top.',
      spec: { title: 'latency against offered load', x: x.spec, y: latencyAxis(metric, top || 1), series: latencySeries, bands },
    },
    {
      title: 'Achieved against offered',
      caption: `${f.dimension.achievedUnit} at each step${comparable(f) ? '; dashed: achieved = offered' : ''}.`,
      spec: {
        title: 'achieved against offered load',
        x: x.spec,
        y: linearAxis(f.dimension.achievedUnit, achievedMax || 1, formatCount),
        series: achievedSeries,
        bands,
      },
    },
  ];
}

/** True when the achieved figure is in the offered load's own unit (so the two can be drawn as a diagonal). */
function comparable(f: FindResult): boolean {
  if (f.dimension.name === 'rate' || f.dimension.name === 'total-rate') return f.steps[0]?.latencyMetric === 'latency';
  return true;
}

/** An offered-load axis, logarithmic when the steps span more than a factor of 8 (a geometric climb). */
function offeredAxis(label: string, steps: FindStep[]): { spec: AxisSpec; at: (v: number) => number } {
  const lo = steps[0]!.value;
  const hi = steps.at(-1)!.value;
  if (hi / lo <= 8) {
    const pad = (hi - lo) * 0.05 || lo * 0.05 || 1;
    const spec = linearAxis(label, hi + pad, formatCount);
    const min = Math.max(0, lo - pad);
    return { spec: { ...spec, min, ticks: spec.ticks.filter((t) => t.value >= min) }, at: (v) => v };
  }
  const ticks: AxisSpec['ticks'] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo / 1.5 && v <= hi * 1.5) ticks.push({ value: Math.log10(v), label: formatCount(v) });
    }
  }
  return {
    spec: { label: `${label}, log scale`, min: Math.log10(lo / 1.2), max: Math.log10(hi * 1.2), ticks },
    at: (v) => Math.log10(v),
  };
}

/** The shaded bracket: between the last pass and the step that broke (or the generator's limit). */
function bracketBand(f: FindResult, x: { at: (v: number) => number }): ChartSpec['bands'] {
  const a = f.answer;
  const lo = 'sustains' in a ? a.sustains : undefined;
  const hi = 'breaksAt' in a ? a.breaksAt : 'limitAt' in a ? a.limitAt : undefined;
  if (lo === undefined || hi === undefined) return [];
  return [{ from: x.at(lo), to: x.at(hi), label: a.status === 'generator_limited' ? 'generator limit' : 'knee' }];
}

/** The SLO's upper limits on the charted latency metric, in µs (`latency.p99<5ms` → 5000). */
function sloLatencyLimits(slo: string[], metric: string): Array<{ text: string; us: number }> {
  const out: Array<{ text: string; us: number }> = [];
  for (const text of slo) {
    const parsed = parseThreshold(text);
    if (!('threshold' in parsed)) continue;
    const t = parsed.threshold;
    if (t.ref.kind === 'histogram' && t.ref.metric === metric && t.ref.stat !== 'count' && (t.op === '<' || t.op === '<=')) {
      out.push({ text: `${t.text} (${formatUs(t.limit.value)})`, us: t.limit.value });
    }
  }
  return out;
}

/** Legend buttons that hide and show a chart's series (the page's script). */
function legend(spec: ChartSpec): string {
  const seen = new Set<string>();
  return `<div class="legend">${spec.series
    .filter((s) => !seen.has(s.id) && seen.add(s.id))
    .map(
      (s) =>
        `<button type="button" data-series="${esc(s.id)}" aria-pressed="true">` +
        `<span class="swatch" style="background:${s.color}"></span>${esc(s.label)}</button>`,
    )
    .join('')}</div>`;
}
