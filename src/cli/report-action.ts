/**
 * What `rtbench report` does: read saved results and render them. One file holding one run is
 * rendered as that run; several runs (files or rounds) are rendered as a comparison, matched by
 * scenario and label as `compare` does.
 */
import { compareEntries } from '../compare/compare.js';
import { entriesFromFiles, settingsWarnings } from '../compare/entries.js';
import { ExitCode } from '../errors.js';
import { REPORT_FORMATS } from '../report/formats.js';
import { compareOptions, readLabeledFile } from './compare-action.js';
import { checkReportOut, emitComparison, emitRun, formatFlag } from './report-output.js';

/** Runs `rtbench report` and returns the exit code. */
export async function reportAction(args: Record<string, unknown>): Promise<ExitCode> {
  const format = formatFlag(args, REPORT_FORMATS, 'table');
  const options = compareOptions(args);
  checkReportOut(args, format);
  const files = ((args.files as unknown[]) ?? []).map((f) => readLabeledFile(String(f)));
  const only = files.length === 1 && files[0]!.runs.length === 1 ? files[0]!.runs[0]! : undefined;
  if (only) {
    emitRun(only, format, args);
    return ExitCode.Ok;
  }
  for (const w of settingsWarnings(files)) process.stderr.write(`rtbench: warning: ${w}\n`);
  emitComparison(compareEntries(entriesFromFiles(files), options), format, args);
  return ExitCode.Ok;
}
