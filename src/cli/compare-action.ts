/**
 * What `rtbench compare` does: with `--target`, run live rounds (compare-live.ts); otherwise
 * read the saved result files, match them by scenario and label, and render the comparison.
 */
import { compareEntries, type CompareOptions } from '../compare/compare.js';
import { entriesFromFiles, settingsWarnings } from '../compare/entries.js';
import { parseMetricRef } from '../compare/metric-ref.js';
import { readResultFile, type LoadedResults } from '../compare/result-file.js';
import { ExitCode, UsageError } from '../errors.js';
import { REPORT_FORMATS } from '../report/formats.js';
import { LIVE_ONLY_FLAGS } from './commands/compare.js';
import { compareLive } from './compare-live.js';
import { checkReportOut, emitComparison, formatFlag } from './report-output.js';

/** Runs `rtbench compare` and returns the exit code. */
export async function compareAction(args: Record<string, unknown>): Promise<ExitCode> {
  const inputs = ((args.inputs as string[] | undefined) ?? []).map(String);
  const format = formatFlag(args, REPORT_FORMATS, 'table');
  const options = compareOptions(args);
  if (args.target !== undefined || args.server !== undefined) return compareLive(args, inputs, options, format);

  const given = LIVE_ONLY_FLAGS.filter((f) => args[f] !== undefined);
  if (given.length > 0) {
    throw new UsageError(
      `--${given[0]} applies to live comparisons only (with --target name=url)`,
      'saved results are compared as they were run',
    );
  }
  if (inputs.length === 0)
    throw new UsageError('name the result files to compare, or give --target name=url at least twice for a live comparison');
  checkReportOut(args, format);
  const files = inputs.map(readLabeledFile);
  const entries = entriesFromFiles(files);
  if (entries.length < 2) {
    throw new UsageError(
      `nothing to compare: every run is "${entries[0]?.runs[0]?.scenario.name}" against "${entries[0]?.label}"`,
      'give files from different targets, or label them yourself: rtbench compare before=a.json after=b.json',
    );
  }
  for (const w of settingsWarnings(files)) process.stderr.write(`rtbench: warning: ${w}\n`);
  emitComparison(compareEntries(entries, options), format, args);
  return ExitCode.Ok;
}

/** `--rank-by` and `--max-error-rate`, each checked and named in its error. */
export function compareOptions(args: Record<string, unknown>): CompareOptions {
  const rankText = args['rank-by'] === undefined ? 'latency.p99' : String(args['rank-by']);
  const rank = parseMetricRef(rankText);
  if ('problem' in rank) throw new UsageError(`--rank-by: ${rank.problem}`);
  const rateText = args['max-error-rate'] === undefined ? '1%' : String(args['max-error-rate']);
  const m = /^(\d+(?:\.\d+)?|\.\d+)%?$/.exec(rateText.trim());
  if (!m || Number(m[1]) > 100)
    throw new UsageError(`--max-error-rate must be a percentage from 0 to 100, such as 1% or 0.5 (got ${JSON.stringify(rateText)})`);
  return { rankBy: rank.ref, maxErrorRatePercent: Number(m[1]) };
}

/**
 * Reads `[label=]file`. A `label=` prefix is taken only when the whole argument is not itself
 * an existing path, so a file whose name has `=` in it still works.
 */
export function readLabeledFile(arg: string): LoadedResults {
  const m = /^([^=/\\]+)=(.+)$/.exec(arg);
  if (m) {
    try {
      return { ...readResultFile(m[2]!), label: m[1]! };
    } catch (err) {
      try {
        return readResultFile(arg);
      } catch {
        throw err;
      }
    }
  }
  return readResultFile(arg);
}
