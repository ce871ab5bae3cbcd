/**
 * Where rendered reports go and how flags pick them: `--format` (with `--json` as its
 * shorthand), colour, and `--out` (a file, `-` for stdout, or a folder for `hgrm`). Reports go
 * to stdout; everything else rtbench says goes to stderr, so `> file` captures only the report.
 */
import { join } from 'node:path';
import type { Comparison } from '../compare/compare.js';
import { UsageError } from '../errors.js';
import type { RunResult } from '../metrics/result.js';
import { comparisonReporters } from '../report/comparison-reporter.js';
import { comparisonHgrmFiles, hgrmFiles, joinHgrm, type HgrmFile } from '../report/hgrm.js';
import { reporters, type ReportFormat } from '../report/reporters.js';
import { checkOutputFile, checkOutputFolder, writeOutputFile } from './result-file.js';

/** Reads `--format`, honouring `--json` as `--format json`; `allowed` lists the valid formats. */
export function formatFlag<F extends string>(args: Record<string, unknown>, allowed: readonly F[], fallback: F): F {
  const format = args.format === undefined ? undefined : String(args.format);
  if (args.json && format !== undefined && format !== 'json') {
    throw new UsageError(`--json is short for --format json; give one of them (got --json and --format ${format})`);
  }
  const chosen = args.json ? 'json' : (format ?? fallback);
  if (!(allowed as readonly string[]).includes(chosen))
    throw new UsageError(`--format must be one of ${allowed.join(', ')} (got ${JSON.stringify(chosen)})`);
  return chosen as F;
}

/** Colour on stdout: `--color`/`--no-color`, else when stdout is a terminal and NO_COLOR is unset. */
export function colorFlag(args: Record<string, unknown>, toFile: boolean): boolean {
  if (toFile) return false;
  if (args.color !== undefined) return Boolean(args.color);
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}

/** True when `--out` names a file (not absent, not `-`). */
export function outIsFile(out: unknown): out is string {
  return typeof out === 'string' && out !== '' && out !== '-';
}

/**
 * Checks `--out` before any work: a file for most formats, a folder for `hgrm`; an existing
 * file is refused without `--force` (exit 2).
 */
export function checkReportOut(args: Record<string, unknown>, format: string): void {
  if (!outIsFile(args.out)) return;
  if (format === 'hgrm') checkOutputFolder(args.out, '--out', args.force === true);
  else checkOutputFile(args.out, '--out', args.force === true);
}

/** Writes a report to stdout, or to the `--out` file (never half-written) and says so on stderr. */
export function emitReport(text: string, out: unknown, force = false): void {
  if (!outIsFile(out)) {
    process.stdout.write(text);
    return;
  }
  checkOutputFile(out, '--out', force);
  const where = writeOutputFile(out, text, force);
  if (where === out) process.stderr.write(`rtbench: report written to ${out}\n`);
}

/** `hgrm` with `--out`: one file per distribution in the folder `out`; without, all on stdout. */
export function emitHgrm(files: HgrmFile[], out: unknown, joined: () => string, force = false): void {
  if (!outIsFile(out)) {
    process.stdout.write(joined());
    return;
  }
  checkOutputFolder(
    out,
    '--out',
    force,
    files.map((f) => f.name),
  );
  const written = files.filter((f) => writeOutputFile(join(out, f.name), f.text, force) === join(out, f.name)).length;
  process.stderr.write(`rtbench: ${written} .hgrm file${written === 1 ? '' : 's'} written to ${out}/\n`);
}

/** Renders one run in `format` to stdout or `--out` (a folder for hgrm). */
export function emitRun(r: RunResult, format: ReportFormat, args: Record<string, unknown>): void {
  const color = colorFlag(args, outIsFile(args.out));
  const force = args.force === true;
  if (format === 'hgrm') emitHgrm(hgrmFiles(r), args.out, () => joinHgrm(hgrmFiles(r)), force);
  else emitReport(reporters[format].render(r, { color }), args.out, force);
}

/** Renders a comparison in `format` to stdout or `--out` (a folder for hgrm). */
export function emitComparison(c: Comparison, format: ReportFormat, args: Record<string, unknown>): void {
  const color = colorFlag(args, outIsFile(args.out));
  const force = args.force === true;
  if (format === 'hgrm') emitHgrm(comparisonHgrmFiles(c), args.out, () => joinHgrm(comparisonHgrmFiles(c)), force);
  else emitReport(comparisonReporters[format].render(c, { color }), args.out, force);
}
