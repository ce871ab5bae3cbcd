/**
 * One step of a search: measured windows at one load until `confirm` of them agree, so one noisy
 * window neither makes nor breaks the answer. Each window is a run of its own (fresh
 * connections, and a fresh server when rtbench starts it), judged by the SLO.
 */
import { evaluateThresholds, type Threshold } from '../compare/thresholds.js';
import { isGeneratorWarning } from '../metrics/aggregate.js';
import type { RunResult, Verdict } from '../metrics/result.js';
import type { RunOutcome } from '../runner/run-scenario.js';
import type { StepVerdict } from './search.js';

/** One measured window and what it concluded. */
export interface FindWindow {
  verdict: StepVerdict;
  /** Why, in a few words: the SLO checks that failed, the generator's finding, the run's interruption. */
  why: string;
  outcome: RunOutcome;
  result: RunResult;
}

/** What a window of `outcome` with `result` concludes under `slo`. Sets the result's verdicts. */
export function judgeWindow(result: RunResult, outcome: RunOutcome, slo: readonly Threshold[]): FindWindow {
  const window = (verdict: StepVerdict, why: string): FindWindow => ({ verdict, why, outcome, result });
  switch (outcome) {
    case 'interrupted':
      return window('interrupted', 'interrupted');
    case 'unreachable':
      return window('unreachable', `${result.interruption ?? 'target unreachable'}${errorsOf(result)}`);
    case 'crashed':
      return window('crashed', result.interruption ?? 'the run crashed');
    case 'target_lost':
      // Everything the server held went away under this load: a break, whatever the SLO says.
      result.verdicts = evaluateThresholds(result, slo);
      return window('fail', `${result.interruption ?? 'the target closed every connection'}${errorsOf(result)}`);
    case 'completed':
      break;
  }
  result.verdicts = evaluateThresholds(result, slo);
  const failed = result.verdicts.filter((v) => !v.pass);
  const generator = result.health.warnings.filter(isGeneratorWarning);
  // The generator's limit is never the server's knee: when it fell behind, only a failure its
  // lateness cannot cause (connections refused, closed, reset) still counts against the server.
  if (generator.length > 0) {
    const servers = result.verdicts.filter((v, i) => !v.pass && !lateGeneratorCanCause(slo[i]!, result));
    if (servers.length > 0) return window('fail', servers.map(describeFailure).join(', '));
    // The finding up to its explanation: `generator event loop delay p99 reached 26.1 ms (> 10 ms)`.
    return window('inconclusive', generator[0]!.split(': ')[0]!.trim());
  }
  return failed.length > 0 ? window('fail', failed.map(describeFailure).join(', ')) : window('pass', '');
}

/** Error classes a late generator can cause itself: replies it gave up on while it was behind. */
const LATENESS_ERRORS = new Set(['reply_timeout', 'outstanding_limit']);

/**
 * True when a check can fail because the generator fell behind: latencies and throughputs it
 * measures late, counters of messages (lost, late, missed), server figures under a changed
 * load, and errors that are only replies it gave up on. Other errors and failed connections
 * are the server's.
 */
function lateGeneratorCanCause(t: Threshold, r: RunResult): boolean {
  switch (t.ref.kind) {
    case 'errors':
    case 'error_rate': {
      const errorClass = t.ref.kind === 'errors' ? t.ref.errorClass : undefined;
      if (errorClass !== undefined) return LATENESS_ERRORS.has(errorClass);
      return Object.entries(r.errors).every(([k, v]) => v === 0 || LATENESS_ERRORS.has(k));
    }
    case 'counter':
      return t.ref.name !== 'connections_failed';
    default:
      return true;
  }
}

/** ` (connect_refused 2, reset 1)`: the errors behind an unreachable or lost target. */
function errorsOf(r: RunResult): string {
  const entries = Object.entries(r.errors).filter(([, n]) => n > 0);
  return entries.length > 0 ? ` (${entries.map(([k, n]) => `${k} ${n}`).join(', ')})` : '';
}

/** `latency.p99 = 71ms` for a failed check `latency.p99<50ms`. */
export function describeFailure(v: Verdict): string {
  const ref = v.check.split(/[<>=]/)[0]!.trim();
  return v.actual === null ? `${ref}: ${v.detail ?? 'no value'}` : `${ref} = ${+v.actual.toPrecision(4)}${v.unit}`;
}

/**
 * Runs windows until `confirm` agree on pass or on fail, out of at most 2·confirm − 1 that
 * decide. A window where the generator fell behind decides nothing and is run again, up to
 * `confirm` times per step (a passing hiccup of the machine); one more such window makes the
 * step inconclusive. A window that stops the search (interrupted, unreachable, crashed) ends the
 * step at once.
 */
export async function measureStep(
  confirm: number,
  runWindow: () => Promise<FindWindow>,
  beforeWindow: (index: number) => Promise<boolean>,
): Promise<{ verdict: StepVerdict; why: string; windows: FindWindow[] }> {
  const windows: FindWindow[] = [];
  let passes = 0;
  let fails = 0;
  let behind = 0;
  // Bounded: every window adds to one of the three counts, and each has its limit.
  while (passes < confirm && fails < confirm && behind <= confirm) {
    if (!(await beforeWindow(windows.length))) return { verdict: 'interrupted', why: 'interrupted', windows };
    const w = await runWindow();
    windows.push(w);
    if (w.verdict === 'pass') passes++;
    else if (w.verdict === 'fail') fails++;
    else if (w.verdict === 'inconclusive') behind++;
    else return { verdict: w.verdict, why: w.why, windows };
  }
  const last = (v: StepVerdict) => windows.filter((x) => x.verdict === v).at(-1)!.why;
  if (passes >= confirm) return { verdict: 'pass', why: '', windows };
  if (fails >= confirm) return { verdict: 'fail', why: last('fail'), windows };
  return { verdict: 'inconclusive', why: last('inconclusive'), windows };
}
