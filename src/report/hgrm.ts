/**
 * HdrHistogram percentile distributions (`outputPercentileDistribution`), the `.hgrm` text that
 * HdrHistogram's plotter (hdrhistogram.github.io/HdrHistogram/plotFiles.html) and wrk2 users
 * read. Values are in milliseconds, as wrk2 writes them and as the plotter labels its axis;
 * recorded values are whole microseconds, so three decimals keep them exact.
 *
 * On stdout each distribution follows a `# <metric id>` line (`# <label> <metric id>` when
 * comparing); written to a folder, each is its own file (see {@link hgrmFiles}).
 */
import type { Comparison } from '../compare/compare.js';
import { decodeHistogram, mergeHistograms } from '../metrics/histogram.js';
import { METRIC_IDS } from '../metrics/metric-ids.js';
import type { RunResult } from '../metrics/result.js';
import type { Reporter } from './reporter.js';

/** Percentile lines per halving of the distance to 100%: HdrHistogram's default. */
const TICKS_PER_HALF_DISTANCE = 5;
const US_PER_MS = 1000;

/** One `.hgrm` document. */
export interface HgrmFile {
  /** File name: `<metric>.hgrm`, or `<label>.<metric>.hgrm` when comparing. */
  name: string;
  /** What the `#` line on stdout says: the metric id, or label and metric id. */
  title: string;
  text: string;
}

/** One distribution per metric with samples. */
export function hgrmFiles(r: RunResult): HgrmFile[] {
  return METRIC_IDS.flatMap((id) => {
    const m = r.metrics[id];
    if (!m || m.count === 0) return [];
    return [{ name: `${id}.hgrm`, title: id, text: distribution([m.histogram]) }];
  });
}

/** One distribution per entry and metric; an entry's rounds are added into one histogram. */
export function comparisonHgrmFiles(c: Comparison): HgrmFile[] {
  return c.entries.flatMap((e) =>
    METRIC_IDS.flatMap((id) => {
      const encoded = e.runs.flatMap((r) => (r.metrics[id] && r.metrics[id]!.count > 0 ? [r.metrics[id]!.histogram] : []));
      if (encoded.length === 0) return [];
      return [{ name: `${safeFileName(e.label)}.${id}.hgrm`, title: `${e.label} ${id}`, text: distribution(encoded) }];
    }),
  );
}

/** The files as one stream for stdout, each after its `#` title line. */
export function joinHgrm(files: HgrmFile[]): string {
  return files.map((f) => `# ${f.title}\n${f.text}`).join('\n');
}

/** One run's distributions on stdout, each after its `# <metric id>` line. */
export const hgrmReporter: Reporter = {
  format: 'hgrm',
  render: (r: RunResult) => joinHgrm(hgrmFiles(r)),
};

function distribution(encoded: string[]): string {
  const h = mergeHistograms(encoded.map(decodeHistogram));
  return h.outputPercentileDistribution(TICKS_PER_HALF_DISTANCE, US_PER_MS);
}

/** A label as a file name: `node`, `127.0.0.1_9001_ws`. */
export function safeFileName(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'run';
}
