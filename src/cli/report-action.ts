/**
 * What `rtbench report` does: read saved results and render them. One file holding one run is
 * rendered as that run; several runs (files or rounds) are rendered as a comparison, matched by
 * scenario and label as `compare` does.
 */
import { readFileSync } from 'node:fs';
import { compareEntries } from '../compare/compare.js';
import { entriesFromFiles, settingsWarnings } from '../compare/entries.js';
import { ExitCode, UsageError } from '../errors.js';
import { type FindResult, isFindResult } from '../find/result.js';
import { renderFindHtml } from '../report/find-html.js';
import { renderFindMarkdown, renderFindTable } from '../report/find-report.js';
import { REPORT_FORMATS } from '../report/formats.js';
import { compareOptions, readLabeledFile } from './compare-action.js';
import { checkReportOut, colorFlag, emitComparison, emitReport, emitRun, formatFlag, outIsFile } from './report-output.js';

/** Runs `rtbench report` and returns the exit code. */
export async function reportAction(args: Record<string, unknown>): Promise<ExitCode> {
  const format = formatFlag(args, REPORT_FORMATS, 'table');
  checkReportOut(args, format);
  const paths = ((args.files as unknown[]) ?? []).map(String);
  const find = paths.length === 1 ? findResultIn(paths[0]!) : undefined;
  if (find) {
    emitFind(find, format, args);
    return ExitCode.Ok;
  }
  const options = compareOptions(args);
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

/** The find result in `path`, or undefined when the file holds something else (read as results then). */
function findResultIn(path: string): FindResult | undefined {
  try {
    const doc: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return isFindResult(doc) ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** A find result in `format`: its answer and steps (table, md), the document (json), or the knee chart page (html). */
function emitFind(f: FindResult, format: string, args: Record<string, unknown>): void {
  const force = args.force === true;
  switch (format) {
    case 'table':
      return emitReport(renderFindTable(f, { color: colorFlag(args, outIsFile(args.out)) }), args.out, force);
    case 'md':
      return emitReport(renderFindMarkdown(f), args.out, force);
    case 'json':
      return emitReport(`${JSON.stringify(f, null, 2)}\n`, args.out, force);
    case 'html':
      return emitReport(renderFindHtml(f), args.out, force);
    default:
      throw new UsageError(`a find result renders as table, md, json or html (got --format ${format}); each step's runs are in its JSON`);
  }
}
