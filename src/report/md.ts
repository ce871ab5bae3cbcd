/**
 * Markdown (GitHub-flavoured) for pull-request comments and job summaries: one run, or a
 * comparison with one column per entry and the hyperfine-style summary. Pure: returns a string.
 */
import { summaryLines, type Comparison } from '../compare/compare.js';
import { formatSpread, formatValue } from '../compare/quantity.js';
import { METRIC_DESCRIPTIONS, METRIC_IDS } from '../metrics/metric-ids.js';
import type { RunResult } from '../metrics/result.js';
import { formatCount, formatDurationMs, formatUs } from '../units.js';
import { describeErrors, describePhases, describeSendTiming } from './describe-run.js';
import { escapeMdText as text, mdCode, mdTable } from './md-table.js';
import type { Reporter } from './reporter.js';
import { counterRows, fanoutSummary, serverSummary, type FanoutSummary } from './run-rows.js';

const STAT_COLUMNS = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p99.9', 'p99_9'],
  ['p99.99', 'p99_99'],
  ['max', 'max'],
] as const;

/** One run as Markdown: latency table, counters, fan-out summary, verdicts, warnings, folded notes. */
export const mdReporter: Reporter = {
  format: 'md',
  render(r: RunResult): string {
    const out: string[] = [];
    out.push(`### rtbench · ${mdCode(r.scenario.name)} · ${r.target.embedded ? 'embedded reference server' : mdCode(r.target.url)}`, '');
    if (r.partial) out.push(`> [!WARNING]\n> Partial result: ${text(r.interruption ?? 'the run did not finish')}`, '');
    for (const line of describePhases(r)) out.push(`- ${text(line)}`);
    const warm = r.scenario.warmupMs > 0 ? ` after ${formatDurationMs(r.scenario.warmupMs)} warm-up` : '';
    out.push(`- measured ${formatDurationMs(r.measuredMs)}${warm}; ${text(runContext(r))}`, '');

    const shown = METRIC_IDS.filter((id) => (r.metrics[id]?.count ?? 0) > 0);
    if (shown.length > 0) {
      const rows = shown.map((id) => {
        const m = r.metrics[id]!;
        return [`\`${id}\``, formatCount(m.count), formatUs(m.mean), ...STAT_COLUMNS.map(([, k]) => formatUs(m[k]))];
      });
      out.push(
        mdTable(
          ['metric', 'count', 'mean', ...STAT_COLUMNS.map(([h]) => h)],
          ['l', ...STAT_COLUMNS.map(() => 'r' as const), 'r', 'r'],
          rows,
        ),
        '',
      );
    } else out.push('No latency samples were recorded.', '');

    // The terminal table's rows, plus the errors the terminal prints on a line of its own.
    const counters = counterRows(r).map((row) => [row.label, row.total, row.perSecond]);
    counters.push(['errors', describeErrors(r), '']);
    out.push(mdTable(['counter', 'total', 'per second'], ['l', 'r', 'r'], counters), '');
    const sendTiming = describeSendTiming(r);
    if (sendTiming) out.push(`- ${text(sendTiming)}`, '');
    const fanout = fanoutSummary(r);
    if (fanout) out.push(...fanoutMd(fanout));
    const server = serverSummary(r);
    if (server) out.push(`**${text(server.headline)}**`, '', ...server.figures.map((line) => `- ${text(line)}`), '');

    if (r.verdicts?.length) {
      const rows = r.verdicts.map((v) => [
        mdCode(v.check),
        v.actual === null ? '-' : `${v.actual}${v.unit}`,
        v.pass ? '✅ pass' : '❌ fail',
        v.detail ?? '',
      ]);
      out.push(mdTable(['check', 'actual', 'result', 'detail'], ['l', 'r', 'l', 'l'], rows), '');
    }
    for (const w of r.health.warnings) out.push(`> [!WARNING]\n> ${text(w)}`, '');
    // Folded, so a PR comment shows the numbers first; blank lines let GitHub render the list.
    const notes = [...r.notes.map(text), ...shown.map((id) => `\`${id}\`: ${text(METRIC_DESCRIPTIONS[id])}`)];
    out.push('<details><summary>Notes</summary>', '', ...notes.map((n) => `- ${n}`), '', '</details>');
    return `${out.join('\n').trimEnd()}\n`;
  },
};

/** The fan-out headline, its figures as a list, the worst subscribers as a table. */
function fanoutMd(f: FanoutSummary): string[] {
  const out = [text(f.headline), '', ...f.figures.map((line) => `- ${text(line)}`), ''];
  if (f.worstSubscribers) {
    const { title, head, rows } = f.worstSubscribers;
    // Subscriber ids come from scenario group names: a code span keeps them from rendering as Markdown or HTML.
    const cells = rows.map(([subscriber, ...figures]) => [mdCode(subscriber!), ...figures]);
    out.push(`${text(title)}:`, '', mdTable(head, ['l', ...head.slice(1).map(() => 'r' as const)], cells), '');
  }
  return out;
}

/** The comparison as Markdown: a table with one column per entry, best value in bold, and the summary. */
export function renderComparisonMd(c: Comparison): string {
  const out: string[] = [];
  const rounds = Math.max(...c.entries.map((e) => e.runs.length));
  out.push(`### rtbench compare · ${mdCode(c.scenario)}`, '');
  out.push(
    rounds > 1 ? `Median of ${rounds} rounds per target ± the spread between rounds (median absolute deviation).` : 'One round per target.',
    '',
  );
  const head = ['metric', ...c.entries.map((e) => (e.flagged ? `${e.label} ⚠️` : e.label))];
  const rows = c.rows.map((row) => [
    `\`${row.key}\``,
    ...row.cells.map((cell, i) => {
      const text = formatSpread(cell, row.kind);
      return row.best === i ? `**${text}**` : text;
    }),
  ]);
  out.push(mdTable(head, ['l', ...c.entries.map(() => 'r' as const)], rows), '');
  const [title, ...lines] = summaryLines(c);
  out.push(`**${text(title!)}**`, '', ...lines.map((l) => `- ${text(l.trim())}`));
  for (const e of c.entries.filter((x) => x.partialRounds > 0))
    out.push(`- ${text(e.label)}: ${e.partialRounds} round(s) ended early (partial)`);
  if (c.entries.some((e) => e.flagged))
    out.push('', `⚠️ error rate over ${formatValue(c.maxErrorRatePercent, 'percent')}: shown, not ranked.`);
  return `${out.join('\n').trimEnd()}\n`;
}

/** "2026-11-26 11:53 UTC · Node v20 · 2 × Intel Xeon · open loop". */
export function runContext(r: RunResult): string {
  const e = r.environment;
  const when = r.startedAt.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
  const model = r.loadModel === 'open' || r.loadModel === 'closed' ? `${r.loadModel} loop` : `${r.loadModel} load`;
  return `${when} · Node ${e.node} · ${e.cores} × ${e.cpu_model} · ${model}`;
}
