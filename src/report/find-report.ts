/**
 * A `find` result as text: the answer first, then one row per step (offered, achieved, p50,
 * p99, errors, verdict, why), as a terminal table or Markdown. The HTML page with the knee
 * chart is find-html.ts.
 */
import Table from 'cli-table3';
import { latencyCell, type FindResult, type FindStep } from '../find/result.js';
import type { StepVerdict } from '../find/search.js';
import { formatCount, formatDurationMs } from '../units.js';
import { ansi, tableStyle } from './ansi.js';
import { escapeCell, mdTable } from './md-table.js';
import type { ReportOptions } from './reporter.js';

/** The step table's columns, in every format. */
export const STEP_HEAD = ['step', 'offered', 'achieved', 'p50', 'p99', 'errors', 'windows', 'verdict', 'why'];

/** One letter per window verdict for the `windows` column (the legend above the table names them). */
const TALLY: Record<StepVerdict, string> = { pass: 'p', fail: 'f', inconclusive: 'i', unreachable: 'u', crashed: 'c', interrupted: 'x' };

/** The step table's cells, in HEAD's order. */
export function stepCells(s: FindStep, i: number): string[] {
  const tally = s.windows.map((w) => TALLY[w.verdict]).join('');
  return [
    String(i + 1),
    formatCount(s.value),
    s.achieved === null ? '-' : formatCount(Math.round(s.achieved * 10) / 10),
    latencyCell(s.p50Us),
    latencyCell(s.p99Us),
    formatCount(s.errors),
    tally,
    s.verdict,
    s.why,
  ];
}

/** The lines above the table: what was searched and how. */
export function findContext(f: FindResult): string[] {
  const s = f.search;
  const latency = f.steps[0]?.latencyMetric ?? 'latency';
  return [
    `rtbench ${f.tool.version} · find · ${f.scenario} · ${f.target.url || f.target.label}${f.target.embedded ? ' (embedded reference server)' : ''}`,
    `varied ${f.dimension.name} (${f.dimension.unit}) from ${formatCount(s.from)} to ${formatCount(s.to)}: ` +
      `×${s.factor} until the SLO breaks, then bisected to ${+(s.precision * 100).toFixed(2)} %; ` +
      `a step needs ${s.confirm} agreeing window${s.confirm === 1 ? '' : 's'}`,
    `SLO: ${f.slo.join(', ')}; p50/p99 are ${latency}; achieved is ${f.dimension.achievedUnit}; ` +
      `windows: p pass, f fail, i inconclusive (generator behind), u unreachable, c crashed, x interrupted; took ${formatDurationMs(f.durationMs)}`,
  ];
}

/** The answer, the context and the step table, for a terminal. */
export function renderFindTable(f: FindResult, options: ReportOptions): string {
  const c = ansi(options.color);
  const table = new Table({ head: STEP_HEAD, style: tableStyle(options.color) });
  f.steps.forEach((s, i) => {
    const cells = stepCells(s, i);
    cells[7] = s.verdict === 'pass' ? c.green(s.verdict) : s.verdict === 'fail' ? c.red(s.verdict) : c.yellow(s.verdict);
    table.push(cells);
  });
  const ok = f.answer.status === 'found' || f.answer.status === 'no_break';
  return `${[(ok ? c.bold : c.yellow)(`rtbench find: ${f.answer.summary}`), '', ...findContext(f), table.toString()].join('\n')}\n`;
}

/** The answer, the context and the step table, as Markdown (a CI job summary). */
export function renderFindMarkdown(f: FindResult): string {
  const rows = f.steps.map(stepCells);
  const align = STEP_HEAD.map((h) => (['offered', 'achieved', 'p50', 'p99', 'errors', 'step'].includes(h) ? 'r' : 'l') as 'l' | 'r');
  return `${[
    `### rtbench find: ${escapeCell(f.answer.summary)}`,
    '',
    ...findContext(f).map((l) => `${escapeCell(l)}  `),
    '',
    mdTable(STEP_HEAD, align, rows),
  ].join('\n')}\n`;
}
