/** What `rtbench merge` does: read, merge exactly, write the result document. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readResultFile } from '../compare/result-file.js';
import { ExitCode } from '../errors.js';
import { mergeRunResults } from '../metrics/merge.js';
import { formatCount, formatUs } from '../units.js';
import { outIsFile } from './report-output.js';

/** Runs `rtbench merge` and returns the exit code. */
export async function mergeAction(args: Record<string, unknown>): Promise<ExitCode> {
  const files = ((args.files as unknown[]) ?? []).map((f) => readResultFile(String(f)));
  const runs = files.flatMap((f) => f.runs);
  const merged = mergeRunResults(runs);
  const text = `${JSON.stringify(merged, null, 2)}\n`;
  if (outIsFile(args.out)) {
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, text);
  } else process.stdout.write(text);
  const m = merged.metrics.latency;
  const latency = m?.count ? `, latency ${formatCount(m.count)} samples, p99 ${formatUs(m.p99)}` : '';
  const where = outIsFile(args.out) ? ` to ${args.out}` : '';
  process.stderr.write(
    `rtbench: merged ${runs.length} results of ` +
      `"${merged.scenario.name}"${latency}${merged.partial ? ' (partial: a part ended early)' : ''}${where}\n`,
  );
  return ExitCode.Ok;
}
