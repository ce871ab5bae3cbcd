/**
 * The baseline gate: `--max-regression latency.p99=10%` checks the current runs against the
 * baseline runs, and is noise-aware.
 *
 * Each side holds one or more rounds (runs of the same scenario). A check takes the median of
 * the rounds on each side and the spread of each (the median absolute deviation, see
 * spread.ts: half the range for two rounds, robust to one wild round from three on). The
 * current side *worsens* by `worse` (higher latency, lower throughput, more errors). It fails
 * only when `worse` exceeds BOTH
 *   - the tolerance: `10%` of the baseline median (relative) or `2ms` (absolute, in the
 *     metric's unit), and
 *   - the noise: baseline spread + current spread, i.e. the two sides' `median ± spread`
 *     intervals do not overlap.
 * With one round on each side the spreads are 0 and only the tolerance applies. A worsening
 * over the tolerance but inside the noise passes as `within_noise`, and the table says so: run
 * more rounds, or quieten the machine, to make that call.
 */
import { ConfigError, type ValidationIssue } from '../errors.js';
import type { RunResult, Verdict } from '../metrics/result.js';
import { betterWhen, metricRefText, parseMetricRef, readMetric, valueKind, type MetricRef, type ValueKind } from './metric-ref.js';
import { formatValue, parseQuantity, type Quantity } from './quantity.js';
import { spreadOf, type Spread } from './spread.js';
import { noDataDetail } from './thresholds.js';

/** How much worse the current side may be: a fraction of the baseline, or an amount. */
export type Tolerance = { kind: 'relative'; fraction: number } | { kind: 'absolute'; amount: Quantity };

/** One `--max-regression metric=tolerance`. */
export interface RegressionCheck {
  /** As written: `latency.p99=10%`. */
  text: string;
  ref: MetricRef;
  tolerance: Tolerance;
  /** The tolerance as written: `10%`, `2ms`. */
  toleranceText: string;
}

/** `regression` is the only failing status besides `no_data`. */
export type GateStatus = 'pass' | 'improved' | 'within_noise' | 'regression' | 'no_data';

/** The outcome of one regression check. */
export interface GateCheckResult {
  check: string;
  key: string;
  kind: ValueKind;
  better: 'lower' | 'higher';
  tolerance: string;
  baseline: Spread | null;
  current: Spread | null;
  /** Current median − baseline median, in the metric's base unit. */
  change: number | null;
  /** `change` relative to the baseline median; null when the baseline is 0. */
  changeFraction: number | null;
  /** Baseline spread + current spread: worsening smaller than this is noise. */
  noise: number;
  status: GateStatus;
  pass: boolean;
  /** One plain sentence: why it passed or failed. */
  detail: string;
}

/** Checks applied when none are given. */
export const DEFAULT_REGRESSION_CHECKS = ['latency.p99=10%', 'msgs_per_sec=10%'];

/** Parses `metric=tolerance` items; one ConfigError (exit 2) lists every bad one. */
export function parseRegressionChecks(list: readonly string[], source = '--max-regression'): RegressionCheck[] {
  const out: RegressionCheck[] = [];
  const issues: ValidationIssue[] = [];
  for (const raw of list) {
    const text = raw.trim();
    const fail = (message: string) => void issues.push({ path: JSON.stringify(text), message });
    const eq = text.indexOf('=');
    if (eq < 0 || /[<>!]|==/.test(text)) {
      fail('write metric=tolerance, e.g. latency.p99=10% or latency.p99=2ms');
      continue;
    }
    const parsedRef = parseMetricRef(text.slice(0, eq).trim());
    if ('problem' in parsedRef) {
      fail(parsedRef.problem);
      continue;
    }
    const ref = parsedRef.ref;
    const toleranceText = text.slice(eq + 1).trim();
    const relative = /^(\d+(?:\.\d+)?|\.\d+)%$/.exec(toleranceText);
    if (relative) {
      out.push({ text, ref, tolerance: { kind: 'relative', fraction: Number(relative[1]) / 100 }, toleranceText });
      continue;
    }
    const amount = parseQuantity(toleranceText, valueKind(ref), metricRefText(ref));
    if ('problem' in amount) fail(`tolerance: ${amount.problem}; or give a percentage such as 10%`);
    else out.push({ text, ref, tolerance: { kind: 'absolute', amount: amount.quantity }, toleranceText });
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
  return out;
}

/** Runs every check; `current` and `baseline` are the rounds of each side (at least one each). */
export function evaluateGate(
  current: readonly RunResult[],
  baseline: readonly RunResult[],
  checks: readonly RegressionCheck[],
): GateCheckResult[] {
  return checks.map((c) => {
    const key = metricRefText(c.ref);
    const kind = valueKind(c.ref);
    const better = betterWhen(c.ref);
    const base = spreadOf(baseline.map((r) => readMetric(r, c.ref)));
    const cur = spreadOf(current.map((r) => readMetric(r, c.ref)));
    const common = { check: c.text, key, kind, better, tolerance: c.toleranceText, baseline: base, current: cur };
    if (!base || !cur) {
      const side = !base ? 'baseline' : 'current run';
      return {
        ...common,
        change: null,
        changeFraction: null,
        noise: 0,
        status: 'no_data',
        pass: false,
        detail: `${side}: ${noDataDetail(c.ref)}`,
      };
    }
    const change = cur.median - base.median;
    const changeFraction = base.median !== 0 ? change / base.median : null;
    const worse = better === 'lower' ? change : -change;
    const noise = base.spread + cur.spread;
    const allowed = c.tolerance.kind === 'relative' ? c.tolerance.fraction * Math.abs(base.median) : c.tolerance.amount.value;
    const overTolerance = worse > allowed;
    const overNoise = worse > noise;
    const status: GateStatus = overTolerance && overNoise ? 'regression' : overTolerance ? 'within_noise' : worse < 0 ? 'improved' : 'pass';
    const changeText = describeChange(change, changeFraction, kind);
    const noiseText = noise > 0 ? `the spread between rounds (±${formatValue(noise, kind)})` : '';
    const detail =
      status === 'regression'
        ? `${changeText} is worse than the ${c.toleranceText} limit${noiseText ? ` and beyond ${noiseText}` : ''}`
        : status === 'within_noise'
          ? `${changeText} is over the ${c.toleranceText} limit but within ${noiseText}`
          : status === 'improved'
            ? `${changeText}: better than the baseline`
            : `${changeText} is within the ${c.toleranceText} limit`;
    return { ...common, change, changeFraction, noise, status, pass: status !== 'regression', detail };
  });
}

/** The checks as verdicts for a result document (actual = current median, base unit). */
export function gateVerdicts(results: readonly GateCheckResult[]): Verdict[] {
  return results.map((g) => ({
    check: g.check,
    actual: g.current ? Math.round(g.current.median * 1000) / 1000 : null,
    unit: { us: 'us', count: '', per_sec: '/s', percent: '%', bytes: 'B' }[g.kind],
    pass: g.pass,
    detail: g.detail,
  }));
}

/** `+1.60ms (+6.0%)`; when the baseline is 0 only the change itself (`+3`). */
export function describeChange(change: number, fraction: number | null, kind: ValueKind): string {
  const sign = (v: number) => (v >= 0 ? '+' : '−');
  const amount = `${sign(change)}${formatValue(Math.abs(change), kind)}`;
  return fraction === null ? amount : `${amount} (${sign(fraction)}${Math.abs(fraction * 100).toFixed(1)}%)`;
}
