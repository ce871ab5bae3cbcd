/**
 * The `find` result document: the answer, the search's settings, and every step with every
 * window's full RunResult (so any step can be re-rendered, compared or gated on its own).
 */
import type { MetricId } from '../metrics/metric-ids.js';
import type { RunResult } from '../metrics/result.js';
import { formatCount, formatUs } from '../units.js';
import type { Dimension, DimensionName } from './dimensions.js';
import type { SearchEnd, StepVerdict } from './search.js';
import { latencyMetricOf } from './latency-metric.js';
import type { FindWindow } from './step.js';

export const FIND_SCHEMA_VERSION = 1;

/** One load the search measured. */
export interface FindStep {
  /** The offered load, in the dimension's unit. */
  value: number;
  verdict: StepVerdict;
  why: string;
  /** Figures of the window that speaks for the step (see representative()). */
  achieved: number | null;
  latencyMetric: MetricId;
  p50Us: number | null;
  p99Us: number | null;
  errors: number;
  windows: FindWindow[];
}

export interface FindResult {
  kind: 'find';
  schemaVersion: typeof FIND_SCHEMA_VERSION;
  tool: { name: 'rtbench'; version: string };
  scenario: string;
  target: RunResult['target'];
  startedAt: string;
  durationMs: number;
  dimension: { name: DimensionName; unit: string; achievedUnit: string };
  slo: string[];
  search: { from: number; to: number; factor: number; precision: number; confirm: number; cooldownMs: number };
  answer: SearchEnd & { summary: string };
  steps: FindStep[];
}

/** True for a parsed JSON document that is a find result. */
export function isFindResult(doc: unknown): doc is FindResult {
  return typeof doc === 'object' && doc !== null && (doc as { kind?: unknown }).kind === 'find';
}

/** The step's row figures, from the window that decided it. */
export function stepOf(value: number, verdict: StepVerdict, why: string, windows: FindWindow[], dim: Dimension): FindStep {
  const w = representative(windows, verdict);
  const r = w?.result;
  const metric = r ? latencyMetricOf(r) : 'latency';
  const m = r?.metrics[metric];
  return {
    value,
    verdict,
    // The why of the window whose figures the row shows, so the two agree.
    why: w?.verdict === verdict ? w.why : why,
    achieved: r ? dim.achieved(r) : null,
    latencyMetric: metric,
    p50Us: m && m.count > 0 ? m.p50 : null,
    p99Us: m && m.count > 0 ? m.p99 : null,
    errors: r ? Object.values(r.errors).reduce((a, v) => a + v, 0) : 0,
    windows,
  };
}

/**
 * The window whose figures the step shows: among the windows that agree with the verdict, the
 * one with the median p99 (one window: itself).
 */
function representative(windows: FindWindow[], verdict: StepVerdict): FindWindow | undefined {
  const agreeing = windows.filter((w) => w.verdict === verdict);
  const pool = agreeing.length > 0 ? agreeing : windows;
  const p99 = (w: FindWindow) => w.result.metrics[latencyMetricOf(w.result)]?.p99 ?? 0;
  return [...pool].sort((a, b) => p99(a) - p99(b))[Math.floor((pool.length - 1) / 2)];
}

/** A load with its unit: `41.2k msgs/s total`, `300 connections`. */
export function formatLoad(value: number, unit: string): string {
  return `${formatCount(value)} ${unit}`;
}

/** The answer in one sentence, first thing the user reads. */
export function answerSummary(end: SearchEnd, steps: FindStep[], dim: { unit: string }, slo: string[], precision: number): string {
  const load = (v: number) => formatLoad(v, dim.unit);
  const sloText = slo.join(' and ');
  const whyAt = (v: number | undefined) => steps.find((s) => s.value === v && s.verdict !== 'pass')?.why ?? '';
  const pct = `${+(precision * 100).toFixed(2)} %`;
  switch (end.status) {
    case 'found':
      return `sustains ${load(end.sustains)} (±${pct}) with ${sloText}; breaks at ${formatCount(end.breaksAt)} on ${whyAt(end.breaksAt)}`;
    case 'no_break':
      return `sustains ${load(end.sustains)}, the upper bound (--to), with ${sloText}; no break found below it: raise --to`;
    case 'fails_at_from':
      return `the SLO fails even at --from ${load(end.breaksAt)}: ${whyAt(end.breaksAt)}; lower --from`;
    case 'generator_limited':
      return (
        `${end.sustains !== undefined ? `sustains at least ${load(end.sustains)} with ${sloText}; ` : ''}` +
        `at ${load(end.limitAt)} the generator fell behind, so the server's knee was not reached: ` +
        'add --workers, or run shards on more machines'
      );
    case 'unreachable':
    case 'crashed':
    case 'interrupted':
    case 'step_limit': {
      const last = steps.at(-1);
      const why = end.status === 'step_limit' ? 'the step limit (--max-steps) was reached' : (last?.why ?? end.status);
      const sofar = end.sustains !== undefined ? `; so far it sustains ${load(end.sustains)} with ${sloText}` : '';
      return `the search stopped after ${steps.length} step${steps.length === 1 ? '' : 's'}: ${why}${sofar}`;
    }
  }
}

/** A latency cell: `1.21ms`, or `-` when nothing was measured. */
export function latencyCell(us: number | null): string {
  return us === null ? '-' : formatUs(us);
}
