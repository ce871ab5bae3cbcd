/**
 * The terminal comparison: one column per entry (target or saved run), one row per number,
 * `median ± spread` over rounds, the best value of each row marked, flagged entries named, and
 * the hyperfine-style summary under the table. Pure: returns a string.
 */
import Table from 'cli-table3';
import { summaryLines, type Comparison } from '../compare/compare.js';
import { formatSpread, formatValue } from '../compare/quantity.js';
import { ansi, tableStyle } from './ansi.js';
import type { ReportOptions } from './reporter.js';

/** Renders a comparison for the terminal. */
export function renderComparisonTable(c: Comparison, options: ReportOptions): string {
  const col = ansi(options.color);
  const rounds = Math.max(...c.entries.map((e) => e.runs.length));
  const out: string[] = [];
  const how = rounds > 1 ? `median of ${rounds} rounds ± their median absolute deviation` : 'one round each';
  out.push(col.bold(`rtbench compare · ${c.scenario} · ${c.entries.length} entries (${how})`));
  const head = ['', ...c.entries.map((e) => (e.flagged ? `${e.label} (!)` : e.label))];
  const table = new Table({ head, style: tableStyle(options.color), colAligns: ['left', ...c.entries.map(() => 'right' as const)] });
  for (const row of c.rows) {
    table.push([
      row.key,
      ...row.cells.map((cell, i) => {
        const text = formatSpread(cell, row.kind);
        // Marked with a star as well as colour, so the best value survives NO_COLOR and logs.
        return row.best === i ? col.green(`${text} *`) : text;
      }),
    ]);
  }
  out.push(table.toString());
  if (c.rows.some((r) => r.best !== undefined))
    out.push(col.dim('* best of the row, beyond the spread between rounds (lower latency and errors, higher throughput)'));
  for (const e of c.entries) {
    if (e.flagged)
      out.push(
        col.red(
          `(!) ${e.label}: error rate ${formatValue(e.errorRate!.median, 'percent')} is over ` +
            `the ${formatValue(c.maxErrorRatePercent, 'percent')} limit (--max-error-rate); shown, not ranked`,
        ),
      );
    if (e.partialRounds > 0)
      out.push(col.yellow(`${e.label}: ${e.partialRounds} of ${e.runs.length} rounds ended early (partial results)`));
    const behind = e.runs.filter((r) => r.health.warnings.length > 0).length;
    if (behind > 0)
      out.push(col.yellow(`${e.label}: the generator fell behind in ${behind} of ${e.runs.length} rounds (details in the result files)`));
  }
  out.push('');
  const [title, ...lines] = summaryLines(c);
  out.push(col.bold(title!), ...lines);
  return `${out.join('\n')}\n`;
}
