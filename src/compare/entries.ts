/**
 * Turns loaded result files into comparison entries. Runs are matched by scenario name, then
 * target label (or the label given as `label=file`), never by position: files with the same
 * label are rounds of one entry, files with different labels are different entries.
 */
import { UsageError } from '../errors.js';
import type { RunResult } from '../metrics/result.js';
import type { CompareEntry } from './compare.js';
import type { LoadedResults } from './result-file.js';

/** Groups runs by label, in the order labels first appear; every run must share one scenario. */
export function entriesFromFiles(files: readonly LoadedResults[]): CompareEntry[] {
  assertOneScenario(files);
  const byLabel = new Map<string, RunResult[]>();
  for (const f of files) {
    for (const run of f.runs) {
      const label = f.label ?? run.target.label;
      const runs = byLabel.get(label) ?? [];
      runs.push(run);
      byLabel.set(label, runs);
    }
  }
  return [...byLabel].map(([label, runs]) => ({ label, runs }));
}

/** Throws a UsageError (exit 2) naming the files when they ran different scenarios. */
export function assertOneScenario(files: readonly LoadedResults[]): void {
  const seen = new Map<string, string>();
  for (const f of files) for (const r of f.runs) if (!seen.has(r.scenario.name)) seen.set(r.scenario.name, f.path);
  if (seen.size > 1) {
    const list = [...seen].map(([name, path]) => `${path} ran "${name}"`).join(', ');
    throw new UsageError(
      `cannot compare runs of different scenarios: ${list}`,
      'runs are matched by scenario name, then target label; give files of one scenario',
    );
  }
}

/**
 * Warnings (not errors) when runs of one scenario name ran with different settings: a
 * different connection count or rate makes the comparison unfair, but may be the point.
 */
export function settingsWarnings(files: readonly LoadedResults[]): string[] {
  const first = files[0];
  if (!first?.runs[0]) return [];
  const reference = fingerprint(first.runs[0]);
  const differing = files.filter((f) => f.runs.some((r) => fingerprint(r) !== reference)).map((f) => f.path);
  if (differing.length === 0) return [];
  return [
    `${differing.join(', ')} ran scenario "${first.runs[0].scenario.name}" with other settings ` +
      `than ${first.path} (phases, message or connection options differ); the comparison may not be like for like`,
  ];
}

/** The scenario as run, minus what legitimately differs between targets. */
function fingerprint(r: RunResult): string {
  return JSON.stringify(r.scenario, (key, value: unknown) =>
    key === 'targetUrl' || key === 'thresholds' || key === 'description' ? undefined : value,
  );
}
