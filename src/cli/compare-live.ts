/**
 * Live comparison: the same scenario against each `--target name=url`, in interleaved rounds
 * (A B A B ..., so drift of the machine over time hits every target alike), with a cool-down
 * between runs so one server's backlog or TIME_WAIT sockets do not hit the next. Each target's
 * rounds are saved as one rounds file, which `compare`, `gate` and `report` read back.
 */
import os from 'node:os';
import { join } from 'node:path';
import { compareEntries, type CompareOptions } from '../compare/compare.js';
import { roundsFileText } from '../compare/result-file.js';
import { ExitCode, UsageError } from '../errors.js';
import type { RunResult } from '../metrics/result.js';
import type { ReportFormat } from '../report/reporters.js';
import { safeFileName } from '../report/hgrm.js';
import { runScenario, type RunOutcome } from '../runner/run-scenario.js';
import { loadScenario } from '../scenario/load.js';
import type { RunPlan } from '../scenario/plan.js';
import { resolvePlan } from '../scenario/resolve.js';
import { validateScenario } from '../scenario/validate.js';
import { formatCount, formatDurationMs, formatUs } from '../units.js';
import { openFilesLimit } from '../open-files.js';
import { onInterrupt, pauseUnlessAborted } from './interrupts.js';
import { countFlag, durationFlag, repeatedFlag } from './options.js';
import { checkReportOut, emitComparison } from './report-output.js';
import { checkOutputFolder, writeOutputFile } from './result-file.js';
import { redactText } from '../redact.js';
import { adviseOnGenerator, toOverrides } from './run-action.js';

interface LiveTarget {
  name: string;
  plan: RunPlan;
  runs: RunResult[];
  outcomes: RunOutcome[];
}

/** Runs the live comparison and returns the exit code (130 interrupted, 3 a target never reachable, 1 crash). */
export async function compareLive(
  args: Record<string, unknown>,
  inputs: string[],
  options: CompareOptions,
  format: ReportFormat,
): Promise<ExitCode> {
  if (inputs.length > 1)
    throw new UsageError(
      `with --target, give one scenario (got ${inputs.map((i) => JSON.stringify(i)).join(' ')})`,
      'to compare saved results, leave out --target',
    );
  const rounds = args.rounds === undefined ? 3 : countFlag('rounds', args.rounds, { integer: true, min: 1 });
  const cooldownMs = args.cooldown === undefined ? 1000 : durationFlag('cooldown', args.cooldown, 's');
  const targets = planTargets(args, inputs[0] ?? 'echo');
  // Where the rounds and the report go is checked before the first round, not after the last.
  checkReportOut(args, format);
  if (args.save !== false) {
    const dir = saveDirFlag(args);
    if (dir)
      checkOutputFolder(
        dir,
        '--save-dir',
        args.force === true,
        targets.map((t) => `${safeFileName(t.name)}.json`),
      );
    else checkOutputFolder('reports', 'the default reports folder', true);
  }

  const controller = new AbortController();
  const releaseInterrupt = onInterrupt(() => {
    process.stderr.write(
      '\nrtbench: interrupted; finishing this run and rendering the rounds done so far (Ctrl-C again to quit at once)\n',
    );
    controller.abort();
  });
  try {
    for (let round = 0; round < rounds && !controller.signal.aborted; round++) {
      for (const t of targets) {
        if (controller.signal.aborted) break;
        if (round > 0 || t !== targets[0]) await pauseUnlessAborted(cooldownMs, controller.signal);
        if (controller.signal.aborted) break;
        const { result, outcome } = await runScenario(t.plan, { signal: controller.signal });
        // The name given on the command line is the label the comparison and files use.
        result.target.label = t.name;
        t.runs.push(result);
        t.outcomes.push(outcome);
        if (!args.quiet) process.stderr.write(`${progressLine(round, rounds, t.name, result, outcome)}\n`);
        adviseOnGenerator(result);
        if (outcome === 'crashed') controller.abort();
      }
    }
  } finally {
    releaseInterrupt();
  }

  const ran = targets.filter((t) => t.runs.length > 0);
  if (ran.length === 0) return ExitCode.Interrupted;
  saveRounds(args, ran);
  emitComparison(
    compareEntries(
      ran.map((t) => ({ label: t.name, runs: t.runs })),
      options,
    ),
    format,
    args,
  );

  const outcomes = targets.flatMap((t) => t.outcomes);
  if (outcomes.includes('crashed')) return ExitCode.Internal;
  if (outcomes.includes('interrupted') || controller.signal.aborted) return ExitCode.Interrupted;
  const neverReached = targets.filter((t) => t.outcomes.length > 0 && t.outcomes.every((o) => o === 'unreachable'));
  for (const t of neverReached) {
    const where = redactText(t.plan.target.launch ? `server command '${t.plan.target.launch.command}'` : t.plan.target.url);
    process.stderr.write(`rtbench: ${t.name} (${where}) could not be reached in any round\n`);
  }
  return neverReached.length > 0 ? ExitCode.Unreachable : ExitCode.Ok;
}

/**
 * Parses every `--target name=url` (a server already running) and `--server name=CMD` (a command
 * rtbench starts afresh for each of its rounds, and stops before the next target's round, so at
 * most one target server runs at a time) and resolves one plan each, before any load starts.
 */
function planTargets(args: Record<string, unknown>, scenarioName: string): LiveTarget[] {
  const named = (flag: 'target' | 'server', example: string) =>
    repeatedFlag(args[flag]).map((spec) => {
      const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(spec);
      if (!m)
        throw new UsageError(
          `--${flag} must be name=${flag === 'target' ? 'url' : 'command'} for compare, such as ${example} (got ${JSON.stringify(spec)})`,
        );
      return flag === 'target' ? { name: m[1]!, url: m[2]! } : { name: m[1]!, command: m[2]! };
    });
  const specs: Array<{ name: string; url?: string; command?: string }> = [
    ...named('target', 'node=ws://127.0.0.1:9001/ws'),
    ...named('server', "ref='rtbench serve --port {port}'"),
  ];
  if (specs.length < 2) throw new UsageError('a live comparison needs at least two targets: --target name=url or --server name=command');
  const dup = specs.find((s, i) => specs.findIndex((o) => o.name === s.name) !== i);
  if (dup) throw new UsageError(`target name "${dup.name}" is given twice; names label the columns and must differ`);
  if (/^(wss?|https?):\/\//.test(scenarioName))
    throw new UsageError('with --target or --server, the positional argument is the scenario (e.g. echo), not a URL');

  const { source, raw } = loadScenario(scenarioName);
  const scenario = validateScenario(raw, source);
  const overrides = toOverrides({
    ...args,
    target: undefined,
    server: undefined,
    header: args.header === undefined ? undefined : repeatedFlag(args.header),
  });
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return specs.map((s) => {
    const where = s.url !== undefined ? { target: s.url } : { serverCommand: s.command! };
    const plan = resolvePlan(scenario, { ...overrides, ...where }, cores, openFilesLimit());
    return { name: s.name, plan, runs: [], outcomes: [] };
  });
}

function saveRounds(args: Record<string, unknown>, targets: LiveTarget[]): void {
  if (args.save === false) return;
  const first = targets[0]!.runs[0]!;
  const dir = saveDirFlag(args) ?? join('reports', `compare-${first.scenario.name}-${first.startedAt.replace(/[:.]/g, '-')}`);
  const force = args.force === true;
  let kept = 0;
  for (const t of targets) {
    const path = join(dir, `${safeFileName(t.name)}.json`);
    if (writeOutputFile(path, roundsFileText(t.name, t.runs), force) === path) kept++;
  }
  if (kept > 0) process.stderr.write(`rtbench: rounds written to ${dir}/ (one file per target: rtbench compare ${dir}/*.json)\n`);
}

function saveDirFlag(args: Record<string, unknown>): string | undefined {
  return args['save-dir'] === undefined || args['save-dir'] === '' ? undefined : String(args['save-dir']);
}

function progressLine(round: number, rounds: number, name: string, r: RunResult, outcome: RunOutcome): string {
  const m = r.metrics.latency;
  const rate = m && r.measuredMs > 0 ? `${formatCount(Math.round(m.count / (r.measuredMs / 1000)))} msg/s` : 'no replies';
  const errors = Object.values(r.errors).reduce((a, v) => a + v, 0);
  const status = outcome === 'completed' ? '' : ` [${r.interruption ?? outcome}]`;
  return (
    `rtbench: round ${round + 1}/${rounds} ${name}: p99 ${m?.count ? formatUs(m.p99) : '-'}, ${rate}, ` +
    `errors ${errors} (${formatDurationMs(r.durationMs)})${status}`
  );
}
