/**
 * A small line-chart renderer that writes inline SVG, so the HTML report needs no script
 * library and no network: axes with ticks and grid lines, shaded bands (warm-up), and one
 * `<g data-series>` per series so the page's legend can hide and show it.
 */
import { escapeHtml } from './html-escape.js';

/** One line. Series sharing an `id` are shown and hidden together (an entry's rounds). */
export interface ChartSeries {
  id: string;
  label: string;
  color: string;
  points: Array<[number, number]>;
  dashed?: boolean;
  opacity?: number;
  /** A dot on every point (measured steps), not only on a lone one. */
  markers?: boolean;
}

/** An axis: its range in data units and the ticks to label. */
export interface AxisSpec {
  label: string;
  min: number;
  max: number;
  ticks: Array<{ value: number; label: string }>;
}

/** Everything one chart shows. */
export interface ChartSpec {
  /** Accessible name of the chart. */
  title: string;
  x: AxisSpec;
  y: AxisSpec;
  series: ChartSeries[];
  /** Shaded x ranges, e.g. the warm-up. */
  bands?: Array<{ from: number; to: number; label: string }>;
}

const W = 720;
const H = 280;
// The right margin leaves room for the last x tick label (`99.99%`), centred on the edge.
const M = { left: 70, right: 30, top: 14, bottom: 46 };

/** The chart as an `<svg>` element string (scales with its container through viewBox). */
export function lineChartSvg(spec: ChartSpec): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (spec.x.max > spec.x.min ? ((x - spec.x.min) / (spec.x.max - spec.x.min)) * plotW : 0);
  const sy = (y: number) => M.top + plotH - (spec.y.max > spec.y.min ? ((y - spec.y.min) / (spec.y.max - spec.y.min)) * plotH : 0);
  const n = (v: number) => v.toFixed(1);
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(spec.title)}" xmlns="http://www.w3.org/2000/svg">`,
  );
  for (const b of spec.bands ?? []) {
    const x0 = sx(Math.max(b.from, spec.x.min));
    const x1 = sx(Math.min(b.to, spec.x.max));
    if (x1 <= x0) continue;
    parts.push(
      `<rect class="band" x="${n(x0)}" y="${M.top}" width="${n(x1 - x0)}" height="${plotH}"><title>${escapeHtml(b.label)}</title></rect>`,
    );
    parts.push(`<text class="band-label" x="${n(x0 + 4)}" y="${M.top + 12}">${escapeHtml(b.label)}</text>`);
  }
  for (const t of spec.y.ticks) {
    const y = sy(t.value);
    parts.push(`<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${n(y)}" y2="${n(y)}"/>`);
    parts.push(`<text class="tick" x="${M.left - 6}" y="${n(y + 4)}" text-anchor="end">${escapeHtml(t.label)}</text>`);
  }
  for (const t of spec.x.ticks) {
    const x = sx(t.value);
    parts.push(`<line class="grid" x1="${n(x)}" x2="${n(x)}" y1="${M.top}" y2="${M.top + plotH}"/>`);
    parts.push(`<text class="tick" x="${n(x)}" y="${M.top + plotH + 16}" text-anchor="middle">${escapeHtml(t.label)}</text>`);
  }
  parts.push(`<rect class="frame" x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}"/>`);
  parts.push(`<text class="axis-label" x="${M.left + plotW / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(spec.x.label)}</text>`);
  parts.push(
    `<text class="axis-label" transform="translate(14 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">` +
      `${escapeHtml(spec.y.label)}</text>`,
  );
  for (const s of spec.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map(([x, y], i) => `${i ? 'L' : 'M'}${n(sx(x))} ${n(sy(Math.min(y, spec.y.max)))}`).join('');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const opacity = s.opacity !== undefined ? ` stroke-opacity="${s.opacity}"` : '';
    const dotted = s.markers ? s.points : s.points.length === 1 ? s.points : [];
    const marker = dotted
      .map(([x, y]) => `<circle cx="${n(sx(x))}" cy="${n(sy(Math.min(y, spec.y.max)))}" r="3" fill="${s.color}"/>`)
      .join('');
    parts.push(
      `<g data-series="${escapeHtml(s.id)}">` +
        `<path class="line" d="${d}" stroke="${s.color}"${dash}${opacity}><title>${escapeHtml(s.label)}</title></path>${marker}</g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Room above the highest value, so a line at the maximum does not vanish into the frame. */
const HEADROOM = 1.05;

/** Round tick values from 0 to at least `max`, about `target` of them (steps of 1, 2, 2.5, 5 × 10^k). */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Math.round(v * 1e9) / 1e9);
  return ticks;
}

/** A latency axis from 0 to `maxUs`, in µs, ms or s, whichever reads best. */
export function latencyAxis(label: string, maxUs: number): AxisSpec {
  const [unit, div] = maxUs < 2000 ? ['µs', 1] : maxUs < 2_000_000 ? ['ms', 1000] : ['s', 1_000_000];
  const ticks = niceTicks((maxUs * HEADROOM) / div).map((v) => ({ value: v * div, label: `${+v.toFixed(3)}${unit}` }));
  return { label: `${label} (${unit})`, min: 0, max: ticks[ticks.length - 1]!.value, ticks };
}

/** A plain numeric axis from 0 with round ticks, labelled by `format`. */
export function linearAxis(label: string, max: number, format: (v: number) => string): AxisSpec {
  const ticks = niceTicks(max * HEADROOM).map((v) => ({ value: v, label: format(v) }));
  return { label, min: 0, max: ticks[ticks.length - 1]!.value, ticks };
}
