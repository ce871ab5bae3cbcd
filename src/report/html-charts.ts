/**
 * The HTML report's charts, from results to chart specs: a latency percentile spectrum per
 * metric (x: "nines", log-scaled, as HdrHistogram's plotter draws it), latency over time and
 * throughput over time. Every entry (target, or saved run) gets a colour; its rounds are drawn
 * in that colour, and the legend hides or shows them together.
 */
import type { CompareEntry } from '../compare/compare.js';
import { decodeHistogram, mergeHistograms, type Histogram } from '../metrics/histogram.js';
import { METRIC_DESCRIPTIONS, METRIC_IDS, type MetricId } from '../metrics/metric-ids.js';
import type { RunResult } from '../metrics/result.js';
import { formatBytes, formatCount } from '../units.js';
import { latencyAxis, linearAxis, type ChartSeries, type ChartSpec } from './svg-chart.js';

/** Colour-blind-friendly palette (Tableau 10). */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#bab0ac'];

/** A chart with what it shows, for the page. */
export interface Figure {
  title: string;
  caption: string;
  spec: ChartSpec;
}

const MAX_NINES = 6;
const CURVE_POINTS = 240;

/** Every figure for the entries: spectra first, then the time series. */
export function buildFigures(entries: CompareEntry[]): Figure[] {
  const figures: Figure[] = [];
  const withSamples = (id: MetricId) => entries.some((e) => e.runs.some((r) => (r.metrics[id]?.count ?? 0) > 0));
  for (const id of METRIC_IDS) {
    // The uncorrected curve is drawn dashed in the latency chart: side by side is the point.
    if (id === 'latency_uncorrected' || !withSamples(id)) continue;
    figures.push(spectrumFigure(entries, id));
  }
  if (entries.some((e) => e.runs.some((r) => r.timeseries.length > 0))) {
    figures.push(latencyOverTime(entries), throughputOverTime(entries));
  }
  if (entries.some((e) => e.runs.some((r) => (r.server?.timeseries.length ?? 0) > 0))) {
    figures.push(serverOverTime(entries, 'cpu'), serverOverTime(entries, 'rss'));
  }
  return figures;
}

/** Points of a percentile curve: x = log10(1 / (1 − q)), y = value at q, in µs. */
export function percentileCurve(h: Histogram): Array<[number, number]> {
  if (h.totalCount === 0) return [];
  // Past log10(count) nines there is less than one sample per step: the curve is just the max.
  const maxX = Math.min(MAX_NINES, Math.max(1, Math.log10(h.totalCount)));
  const points: Array<[number, number]> = [];
  for (let i = 0; i <= CURVE_POINTS; i++) {
    const x = (maxX * i) / CURVE_POINTS;
    points.push([x, h.getValueAtPercentile(100 * (1 - 10 ** -x))]);
  }
  // The tail ends at the maximum: draw it, or the worst sample would be missing from the plot.
  points.push([maxX, h.maxValue]);
  return points;
}

function spectrumFigure(entries: CompareEntry[], id: MetricId): Figure {
  const series: ChartSeries[] = [];
  entries.forEach((e, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const h = merged(e.runs, id);
    if (h) series.push({ id: `e${i}`, label: `${e.label} ${id}`, color, points: percentileCurve(h) });
    const uncorrected = id === 'latency' ? merged(e.runs, 'latency_uncorrected') : undefined;
    if (uncorrected)
      series.push({
        id: `e${i}`,
        label: `${e.label} latency_uncorrected`,
        color,
        points: percentileCurve(uncorrected),
        dashed: true,
        opacity: 0.7,
      });
  });
  const maxX = Math.ceil(Math.max(1, ...series.flatMap((s) => s.points.map(([x]) => x))) - 1e-9);
  const maxUs = Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y)));
  const ticks = Array.from({ length: maxX + 1 }, (_, k) => ({ value: k, label: ninesLabel(k) }));
  const dashedNote =
    id === 'latency' && series.some((s) => s.dashed) ? ' Dashed: from the actual send (latency_uncorrected), which hides stalls.' : '';
  return {
    title: `${id}: percentile spectrum`,
    caption: `${METRIC_DESCRIPTIONS[id]}. Each step right is one more nine.${dashedNote}`,
    spec: { title: `${id} by percentile`, x: { label: 'percentile', min: 0, max: maxX, ticks }, y: latencyAxis(id, maxUs), series },
  };
}

function latencyOverTime(entries: CompareEntry[]): Figure {
  const series: ChartSeries[] = [];
  eachRound(entries, (run, i, round, rounds) => {
    const color = PALETTE[i % PALETTE.length]!;
    const opacity = rounds > 1 ? 0.75 : undefined;
    const name = rounds > 1 ? `${entries[i]!.label} round ${round + 1}` : entries[i]!.label;
    const points = run.timeseries.filter((p) => p.latency_p99_us > 0);
    series.push({ id: `e${i}`, label: `${name} p99`, color, opacity, points: points.map((p) => [p.t, p.latency_p99_us]) });
    series.push({ id: `e${i}`, label: `${name} p50`, color, opacity, dashed: true, points: points.map((p) => [p.t, p.latency_p50_us]) });
  });
  const maxT = maxTime(entries);
  const maxUs = Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y)));
  return {
    title: 'latency over time',
    caption: 'p99 (solid) and p50 (dashed) of each interval, warm-up included; intervals are about a second.',
    spec: { title: 'latency over time', x: timeAxis(maxT), y: latencyAxis('latency', maxUs), series, bands: warmupBands(entries) },
  };
}

function throughputOverTime(entries: CompareEntry[]): Figure {
  const series: ChartSeries[] = [];
  eachRound(entries, (run, i, round, rounds) => {
    let prevT = 0;
    const points: Array<[number, number]> = [];
    for (const p of run.timeseries) {
      const dt = p.t - prevT;
      prevT = p.t;
      // A point with no time behind it (a report at t=0) has no rate; skip it rather than draw 0.
      if (dt > 0) points.push([p.t, p.msgs_received / dt]);
    }
    const name = rounds > 1 ? `${entries[i]!.label} round ${round + 1}` : entries[i]!.label;
    series.push({
      id: `e${i}`,
      label: `${name} msgs received/s`,
      color: PALETTE[i % PALETTE.length]!,
      opacity: rounds > 1 ? 0.75 : undefined,
      points,
    });
  });
  const maxRate = Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y)));
  return {
    title: 'throughput over time',
    caption: 'Messages received per second in each interval, warm-up included.',
    spec: {
      title: 'throughput over time',
      x: timeAxis(maxTime(entries)),
      y: linearAxis('msgs received per second', maxRate, (v) => formatCount(v)),
      series,
      bands: warmupBands(entries),
    },
  };
}

/** The target server's CPU (percent of one core) or RSS per 250 ms sample, over the measured window. */
function serverOverTime(entries: CompareEntry[], what: 'cpu' | 'rss'): Figure {
  const series: ChartSeries[] = [];
  eachRound(entries, (run, i, round, rounds) => {
    const samples = run.server?.timeseries ?? [];
    if (samples.length === 0) return;
    const name = rounds > 1 ? `${entries[i]!.label} round ${round + 1}` : entries[i]!.label;
    series.push({
      id: `e${i}`,
      label: `${name} server ${what === 'cpu' ? 'CPU %' : 'RSS'}`,
      color: PALETTE[i % PALETTE.length]!,
      opacity: rounds > 1 ? 0.75 : undefined,
      points: samples.map((p): [number, number] => [p.t, what === 'cpu' ? p.cpu_percent : p.rss_bytes]),
    });
  });
  const maxY = series.reduce((m, s) => s.points.reduce((a, [, y]) => Math.max(a, y), m), 1);
  const title = what === 'cpu' ? 'server CPU over time' : 'server memory over time';
  return {
    title,
    caption:
      what === 'cpu'
        ? "The target server's process tree, CPU in percent of one core, sampled every 250 ms over the measured window."
        : "The target server's process tree, resident memory, sampled every 250 ms over the measured window.",
    spec: {
      title,
      x: timeAxis(maxTime(entries)),
      y:
        what === 'cpu' ? linearAxis('CPU % of one core', maxY, (v) => `${Math.round(v)}%`) : linearAxis('RSS', maxY, (v) => formatBytes(v)),
      series,
      bands: [],
    },
  };
}

function eachRound(entries: CompareEntry[], fn: (run: RunResult, entry: number, round: number, rounds: number) => void): void {
  for (const [i, e] of entries.entries()) for (const [round, run] of e.runs.entries()) fn(run, i, round, e.runs.length);
}

function merged(runs: RunResult[], id: MetricId): Histogram | undefined {
  const encoded = runs.flatMap((r) => (r.metrics[id] && r.metrics[id]!.count > 0 ? [r.metrics[id]!.histogram] : []));
  return encoded.length ? mergeHistograms(encoded.map(decodeHistogram)) : undefined;
}

/** 0 → `0%`, 1 → `90%`, 2 → `99%`, 3 → `99.9%`, ... */
export function ninesLabel(k: number): string {
  return k === 0 ? '0%' : `${(100 - 100 / 10 ** k).toFixed(Math.max(0, k - 2))}%`;
}

function maxTime(entries: CompareEntry[]): number {
  return Math.max(1, ...entries.flatMap((e) => e.runs.flatMap((r) => r.timeseries.map((p) => p.t))));
}

function timeAxis(maxT: number) {
  return linearAxis('seconds since start', maxT, (v) => `${v}s`);
}

/** The warm-up, shaded, when every run had the same one (a comparison usually does). */
function warmupBands(entries: CompareEntry[]): ChartSpec['bands'] {
  const ends = new Set(entries.flatMap((e) => e.runs.map((r) => lastWarmupT(r))));
  const [end] = [...ends];
  return ends.size === 1 && end! > 0 ? [{ from: 0, to: end!, label: 'warm-up' }] : [];
}

function lastWarmupT(r: RunResult): number {
  return r.timeseries.reduce((t, p) => (p.warmup ? Math.max(t, p.t) : t), 0);
}
