/** What `rtbench merge` does: read, merge exactly, write the result document. */
import { readResultFile } from '../compare/result-file.js';
import { ExitCode } from '../errors.js';
import { mergeRunResults } from '../metrics/merge.js';
import { formatCount, formatUs } from '../units.js';
import { outIsFile } from './report-output.js';
import { checkOutputFile, writeOutputFile } from './result-file.js';

/** Runs `rtbench merge` and returns the exit code. */
export async function mergeAction(args: Record<string, unknown>): Promise<ExitCode> {
  const force = args.force === true;
  if (outIsFile(args.out)) checkOutputFile(args.out, '--out', force);
  const files = ((args.files as unknown[]) ?? []).map((f) => readResultFile(String(f)));
  const runs = files.flatMap((f) => f.runs);
  const merged = mergeRunResults(runs);
  const text = `${JSON.stringify(merged, null, 2)}\n`;
  const written = outIsFile(args.out) ? writeOutputFile(args.out, text, force) : undefined;
  if (written === undefined) process.stdout.write(text);
  const m = merged.metrics.latency;
  const latency = m?.count ? `, latency ${formatCount(m.count)} samples, p99 ${formatUs(m.p99)}` : '';
  const where = written && written !== '-' ? ` to ${written}` : '';
  process.stderr.write(
    `rtbench: merged ${runs.length} results of ` +
      `"${merged.scenario.name}"${latency}${merged.partial ? ' (partial: a part ended early)' : ''}${where}\n`,
  );
  return ExitCode.Ok;
}
