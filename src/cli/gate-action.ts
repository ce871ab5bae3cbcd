/**
 * What `rtbench gate` does: read the current and baseline results (one run or several rounds
 * each), check each `--max-regression`, print the verdict table, and return 4 on a regression.
 */
import { assertOneScenario, settingsWarnings } from '../compare/entries.js';
import { DEFAULT_REGRESSION_CHECKS, evaluateGate, parseRegressionChecks } from '../compare/gate.js';
import { readResultFile } from '../compare/result-file.js';
import { ExitCode } from '../errors.js';
import { GATE_FORMATS } from '../report/formats.js';
import { renderGate } from '../report/gate-report.js';
import { repeatedFlag } from './options.js';
import { checkReportOut, colorFlag, emitReport, formatFlag, outIsFile } from './report-output.js';

/** Runs `rtbench gate` and returns the exit code: 0 pass, 4 regression, 2 bad input. */
export async function gateAction(args: Record<string, unknown>): Promise<ExitCode> {
  // Flags first, files second: a typo in a check should not wait for large files to load.
  const checks = parseRegressionChecks(
    args['max-regression'] === undefined ? DEFAULT_REGRESSION_CHECKS : repeatedFlag(args['max-regression']),
  );
  const format = formatFlag(args, GATE_FORMATS, 'table');
  checkReportOut(args, format);
  const current = repeatedFlag(args.current).map(readResultFile);
  const baseline = repeatedFlag(args.baseline).map(readResultFile);
  assertOneScenario([...baseline, ...current]);
  for (const w of settingsWarnings([...baseline, ...current])) process.stderr.write(`rtbench: warning: ${w}\n`);
  const currentRuns = current.flatMap((f) => f.runs);
  const baselineRuns = baseline.flatMap((f) => f.runs);
  for (const f of [...current, ...baseline]) {
    const partial = f.runs.filter((r) => r.partial).length;
    if (partial > 0)
      process.stderr.write(`rtbench: warning: ${f.path}: ${partial} run(s) ended early (partial); their numbers cover less time\n`);
  }

  const results = evaluateGate(currentRuns, baselineRuns, checks);
  const report = {
    scenario: currentRuns[0]!.scenario.name,
    baselineRounds: baselineRuns.length,
    currentRounds: currentRuns.length,
    checks: results,
  };
  emitReport(renderGate(report, format, colorFlag(args, outIsFile(args.out))), args.out, args.force === true);
  const failed = results.filter((r) => !r.pass);
  for (const r of failed) process.stderr.write(`rtbench: gate failed: ${r.check}: ${r.detail}\n`);
  return failed.length > 0 ? ExitCode.GateFailed : ExitCode.Ok;
}
