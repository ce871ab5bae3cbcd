/**
 * Reporters for comparisons (several entries, each with one or more rounds), in every report
 * format, so `compare --format html` and `report a.json b.json --format md` need no special
 * cases. The single-run registry is reporter.ts; both are checked against REPORT_FORMATS.
 */
import { summaryLines, type Comparison } from '../compare/compare.js';
import { SCHEMA_VERSION } from '../metrics/result.js';
import { renderComparisonTable } from './compare-table.js';
import type { REPORT_FORMATS } from './formats.js';
import { comparisonHgrmFiles, joinHgrm } from './hgrm.js';
import { renderComparisonHtml } from './html.js';
import { renderComparisonMd } from './md.js';
import type { ReportOptions } from './reporter.js';

/** Turns a comparison into a string. */
export interface ComparisonReporter {
  render(c: Comparison, options: ReportOptions): string;
}

/** One comparison reporter per report format (the same keys as `reporters`). */
export const comparisonReporters = {
  table: { render: renderComparisonTable },
  json: { render: (c) => `${JSON.stringify(comparisonDocument(c), null, 2)}\n` },
  md: { render: renderComparisonMd },
  hgrm: { render: (c) => joinHgrm(comparisonHgrmFiles(c)) },
  html: { render: renderComparisonHtml },
} satisfies Record<(typeof REPORT_FORMATS)[number], ComparisonReporter>;

/**
 * The comparison as JSON: the table's numbers (per-round values included) and the summary,
 * without the runs themselves, which live in their own result files.
 */
export function comparisonDocument(c: Comparison) {
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'comparison' as const,
    scenario: c.scenario,
    rankBy: c.rankBy,
    better: c.better,
    maxErrorRatePercent: c.maxErrorRatePercent,
    entries: c.entries.map((e) => ({
      label: e.label,
      rounds: e.runs.length,
      partialRounds: e.partialRounds,
      errorRatePercent: e.errorRate,
      flagged: e.flagged,
    })),
    rows: c.rows.map((r) => ({
      key: r.key,
      better: r.better,
      best: r.best === undefined ? null : c.entries[r.best]!.label,
      cells: r.cells,
    })),
    ranking: c.ranking,
    unranked: c.unranked,
    summary: summaryLines(c)
      .slice(1)
      .map((l) => l.trim()),
  };
}
