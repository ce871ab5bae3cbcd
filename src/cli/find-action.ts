/**
 * What `rtbench find` does once its flags are parsed: bind the dimension to the scenario, check
 * every flag and the SLO before any load, run the search window by window with a progress line
 * per window on stderr, then write the find result (JSON) and its HTML page and print the answer.
 */
import os from 'node:os';
import { parseThresholds, type Threshold } from '../compare/thresholds.js';
import { ExitCode, UsageError } from '../errors.js';
import { type Dimension, type DimensionName, dimensionFor } from '../find/dimensions.js';
import { answerSummary, FIND_SCHEMA_VERSION, type FindResult, type FindStep, formatLoad, latencyCell, stepOf } from '../find/result.js';
import { type SearchBounds, type SearchEnd, searchKnee } from '../find/search.js';
import { type FindWindow, judgeWindow, measureStep } from '../find/step.js';
import { openFilesLimit } from '../open-files.js';
import { redactDocument } from '../redact.js';
import { renderFindHtml } from '../report/find-html.js';
import { renderFindMarkdown, renderFindTable } from '../report/find-report.js';
import { runScenario } from '../runner/run-scenario.js';
import { loadScenario } from '../scenario/load.js';
import type { RunPlan } from '../scenario/plan.js';
import { type RunOverrides, resolvePlan } from '../scenario/resolve.js';
import type { Scenario } from '../scenario/types.js';
import { validateScenario } from '../scenario/validate.js';
import { formatCount, formatDurationMs } from '../units.js';
import { TOOL_VERSION } from '../version.js';
import { onInterrupt, pauseUnlessAborted } from './interrupts.js';
import { countFlag, durationFlag, repeatedFlag } from './options.js';
import { colorFlag, formatFlag } from './report-output.js';
import { checkOutputFile, writeOutputFile } from './result-file.js';
import { toOverrides } from './run-action.js';

/** A step's default window when neither -d nor the scenario's streams say otherwise: short, many are run. */
const STEP_DURATION_MS = 6000;
const STEP_WARMUP_MS = 1000;

/** The flag each dimension replaces: giving both is a usage error. */
const VARIED_FLAG: Record<DimensionName, { key: keyof RunOverrides; flag: string } | undefined> = {
  rate: { key: 'ratePerSec', flag: '--rate' },
  'total-rate': { key: 'ratePerSec', flag: '--rate' },
  connections: { key: 'connections', flag: '--connections' },
  subscribers: undefined,
  streams: undefined,
};

/** Everything a search needs, checked before any load. */
interface SearchSetup {
  scenarioName: string;
  slo: Threshold[];
  dim: Dimension;
  bounds: SearchBounds;
  confirm: number;
  cooldownMs: number;
  planAt(value: number): RunPlan;
  /** Where the load goes, for a result with no step to tell. */
  target: FindResult['target'];
}

/** Runs the search and returns the exit code. */
export async function findAction(args: Record<string, unknown>): Promise<ExitCode> {
  const format = formatFlag(args, ['table', 'md', 'json'] as const, 'table');
  const setup = prepareSearch(args);
  const startedAt = new Date();
  const outputs = outputPaths(args, setup.scenarioName, startedAt);
  const { end, steps } = await searchWithProgress(setup, Boolean(args.quiet));
  const { dim, bounds, slo } = setup;
  const result: FindResult = {
    kind: 'find',
    schemaVersion: FIND_SCHEMA_VERSION,
    tool: { name: 'rtbench', version: TOOL_VERSION },
    scenario: setup.scenarioName,
    target: steps[0]?.windows[0]?.result.target ?? setup.target,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    dimension: { name: dim.name, unit: dim.unit, achievedUnit: dim.achievedUnit },
    slo: slo.map((t) => t.text),
    search: {
      from: bounds.from,
      to: bounds.to,
      factor: bounds.factor,
      precision: bounds.precision,
      confirm: setup.confirm,
      cooldownMs: setup.cooldownMs,
    },
    answer: {
      ...end,
      summary: answerSummary(
        end,
        steps,
        dim,
        slo.map((t) => t.text),
        bounds.precision,
      ),
    },
    steps,
  };
  // Every window's result is redacted already; the document's own target and labels are too.
  const redacted = redactDocument(result);
  writeOutputs(outputs, redacted, args.force === true);
  if (format === 'json' || outputs.json === undefined) process.stdout.write(`${JSON.stringify(redacted, null, 2)}\n`);
  else if (format === 'md') process.stdout.write(renderFindMarkdown(redacted));
  else process.stdout.write(renderFindTable(redacted, { color: colorFlag(args, false) }));
  return exitCodeOf(end);
}

/** Reads and checks every flag, the SLO and both ends of the search: a typo costs a second, not a search. */
function prepareSearch(args: Record<string, unknown>): SearchSetup {
  const { scenario, overrides } = scenarioAndOverrides(args);
  const slo = sloFlag(args);
  const name = String(args.vary) as DimensionName;
  const varied = VARIED_FLAG[name];
  if (varied && overrides[varied.key] !== undefined) throw new UsageError(`--vary ${name} sets ${varied.flag} at every step; leave it out`);
  const dim = dimensionFor(name, scenario, overrides);
  const bounds = boundsFrom(args, dim);
  const confirm = args.confirm === undefined ? 2 : countFlag('confirm', args.confirm, { integer: true, min: 1 });
  const cooldownMs = args.cooldown === undefined ? 1000 : durationFlag('cooldown', args.cooldown, 's');
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const planAt = (value: number): RunPlan => {
    const step = dim.stepInputs(value);
    return resolvePlan(step.scenario, step.overrides, cores, openFilesLimit());
  };
  planAt(bounds.from);
  const { target } = planAt(bounds.to);
  return {
    scenarioName: scenario.name,
    slo,
    dim,
    bounds,
    confirm,
    cooldownMs,
    planAt,
    target: { url: target.url, label: target.label, embedded: target.embedded },
  };
}

/** The search, window by window, with a progress line per window on stderr; Ctrl-C ends it after the window in progress. */
async function searchWithProgress(setup: SearchSetup, quiet: boolean): Promise<{ end: SearchEnd; steps: FindStep[] }> {
  const { dim, slo, confirm, cooldownMs } = setup;
  const controller = new AbortController();
  const releaseInterrupt = onInterrupt(() => {
    process.stderr.write('\nrtbench: interrupted; finishing this window and writing the steps so far (Ctrl-C again to quit at once)\n');
    controller.abort();
  });
  const steps: FindStep[] = [];
  let windowsRun = 0;
  const say = (line: string) => (quiet ? undefined : process.stderr.write(`rtbench: ${line}\n`));
  try {
    const end = await searchKnee(setup.bounds, async (value) => {
      const plan = setup.planAt(value);
      const label = formatLoad(value, dim.unit);
      let announced = false;
      const step = await measureStep(
        confirm,
        async () => {
          const { result, outcome } = await runScenario(plan, { signal: controller.signal });
          const w = judgeWindow(result, outcome, slo);
          say(`step ${steps.length + 1} · ${label}: ${windowLine(w, dim)}`);
          return w;
        },
        async () => {
          if (windowsRun++ > 0) await pauseUnlessAborted(cooldownMs, controller.signal);
          if (controller.signal.aborted) return false;
          if (!announced) say(`step ${steps.length + 1} · ${label}: measuring`);
          announced = true;
          return true;
        },
      );
      // A step interrupted before its first window measured nothing: it is not a step.
      if (step.windows.length > 0) steps.push(stepOf(value, step.verdict, step.why, step.windows, dim));
      if (step.windows.length > 1) say(`step ${steps.length} · ${label}: ${step.verdict}`);
      return step.verdict;
    });
    return { end, steps };
  } finally {
    releaseInterrupt();
  }
}

/** The scenario (positional name, file or URL) and the run flags, as `run` reads them. */
function scenarioAndOverrides(args: Record<string, unknown>): { scenario: Scenario; overrides: RunOverrides } {
  const overrides = toOverrides(args);
  const positional = String(args.scenario ?? 'echo');
  const isUrl = /^(wss?|https?):\/\//.test(positional);
  if (isUrl && overrides.target) throw new UsageError('give the target once: as the positional URL or with --target');
  if (isUrl) overrides.target = positional;
  if (overrides.thresholds?.length) throw new UsageError('find judges each step by --slo; --threshold belongs to run');
  const { source, raw } = loadScenario(isUrl ? (positional.startsWith('http') ? 'sse' : 'echo') : positional);
  const scenario = validateScenario(raw, source);
  // Steps are many and short; streams that end by design keep their own (upper-bound) duration.
  const endsByDesign = scenario.phases.some((p) => p.untilStreamsEnd) || scenario.groups.every((g) => g.sse?.reconnect === false);
  if (!endsByDesign && overrides.durationMs === undefined) {
    overrides.durationMs = STEP_DURATION_MS;
    overrides.warmupMs ??= STEP_WARMUP_MS;
  }
  return { scenario, overrides };
}

function sloFlag(args: Record<string, unknown>): Threshold[] {
  const texts = repeatedFlag(args.slo);
  if (texts.length === 0) throw new UsageError("--slo is required, e.g. --slo 'latency.p99<50ms' --slo 'errors==0'");
  return parseThresholds(texts, '--slo');
}

function boundsFrom(args: Record<string, unknown>, dim: Dimension): SearchBounds {
  const integer = dim.integer;
  const from = args.from === undefined ? dim.current : countFlag('from', args.from, { integer, min: integer ? 1 : Number.MIN_VALUE });
  if (from === undefined || !(from > 0))
    throw new UsageError(`--vary ${dim.name}: the scenario sets no ${dim.unit} to start from; give --from`);
  const to = args.to === undefined ? from * 1024 : countFlag('to', args.to, { integer });
  if (!(to > from)) throw new UsageError(`--to (${formatCount(to)}) must be above --from (${formatCount(from)})`);
  const factor = args.factor === undefined ? 2 : countFlag('factor', args.factor);
  if (!(factor > 1)) throw new UsageError(`--factor must be > 1 (got ${factor})`);
  const maxSteps = args['max-steps'] === undefined ? 30 : countFlag('max-steps', args['max-steps'], { integer: true, min: 1 });
  return { from, to, factor, precision: precisionFlag(args.precision), integer, maxSteps };
}

/** `5%` or `0.05`: a percentage, or a fraction below 1 (a bare `5` is ambiguous, so refused). */
export function precisionFlag(value: unknown): number {
  if (value === undefined) return 0.05;
  const text = String(value).trim();
  const percent = text.endsWith('%');
  const n = Number(percent ? text.slice(0, -1) : text);
  const fraction = percent ? n / 100 : n;
  if (text === '' || !Number.isFinite(fraction) || fraction <= 0 || fraction >= 1)
    throw new UsageError(`--precision must be a share above 0 and below 100 %, such as 5% or 0.05 (got ${JSON.stringify(value)})`);
  return fraction;
}

/** One window's progress line: what it measured and what it concluded. */
function windowLine(w: FindWindow, dim: Dimension): string {
  const step = stepOf(0, w.verdict, w.why, [w], dim);
  const achieved = step.achieved === null ? '-' : formatCount(Math.round(step.achieved));
  const errors = step.errors > 0 ? `, errors ${formatCount(step.errors)}` : '';
  return (
    `${dim.achievedUnit} ${achieved}, p50 ${latencyCell(step.p50Us)}, p99 ${latencyCell(step.p99Us)}${errors} ` +
    `(${formatDurationMs(w.result.durationMs)}) → ${w.verdict}${w.why ? ` (${w.why})` : ''}`
  );
}

/**
 * Where the find result and its page go, checked before any load (exit 2): not a folder, a
 * writable place, no file there already unless `--force`. `--out -` puts the result on stdout
 * (in place of the answer) and writes a page only when `--html` names one; `--no-html` none.
 */
function outputPaths(args: Record<string, unknown>, scenario: string, startedAt: Date): { json?: string; html?: string } {
  const force = args.force === true;
  const toStdout = args.out === '' || args.out === '-';
  const json =
    typeof args.out === 'string' && !toStdout
      ? args.out
      : toStdout
        ? undefined
        : `reports/find-${scenario}-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
  if (json !== undefined) checkOutputFile(json, '--out', force);
  const named = typeof args.html === 'string' && args.html !== '' ? args.html : undefined;
  const html = args.html === false ? undefined : (named ?? json?.replace(/(\.json)?$/, '.html'));
  if (html !== undefined) checkOutputFile(html, named ? '--html' : '--out (its page)', force);
  return { ...(json !== undefined ? { json } : {}), ...(html !== undefined ? { html } : {}) };
}

/** Writes the find result and its page (never half-written, 0600), and says where. */
function writeOutputs(paths: { json?: string; html?: string }, f: FindResult, force: boolean): void {
  if (paths.json !== undefined) {
    const json = writeOutputFile(paths.json, `${JSON.stringify(f, null, 2)}\n`, force);
    if (json === paths.json) process.stderr.write(`rtbench: find result written to ${json}\n`);
  }
  if (paths.html === undefined) return;
  const html = writeOutputFile(paths.html, renderFindHtml(f), force);
  if (html === paths.html) process.stderr.write(`rtbench: knee chart written to ${html}\n`);
}

function exitCodeOf(end: SearchEnd): ExitCode {
  switch (end.status) {
    case 'found':
    case 'no_break':
      return ExitCode.Ok;
    case 'fails_at_from':
      return ExitCode.GateFailed;
    case 'interrupted':
      return ExitCode.Interrupted;
    case 'crashed':
      return ExitCode.Internal;
    case 'unreachable':
    case 'generator_limited':
    case 'step_limit':
      // The search could not be carried out to an answer about the server.
      return ExitCode.Unreachable;
  }
}
