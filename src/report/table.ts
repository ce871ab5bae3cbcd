/**
 * The terminal report: a latency table (count, p50 … max per metric), a counters and
 * throughput block, errors by class, load model and generator health in plain words, and one
 * line per metric saying what it times. Pure: returns a string.
 */
import Table from 'cli-table3';
import { METRIC_DESCRIPTIONS, METRIC_IDS } from '../metrics/metric-ids.js';
import type { RunResult } from '../metrics/result.js';
import { formatCount, formatDurationMs, formatUs } from '../units.js';
import { describeErrors, describePhases, describeSendTiming, errorTotal } from './describe-run.js';
import type { ReportOptions, Reporter } from './reporter.js';
import { counterRows, fanoutSummary, serverSummary, type FanoutSummary } from './run-rows.js';

const PERCENTILE_COLUMNS = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p99.9', 'p99_9'],
  ['max', 'max'],
] as const;

export const tableReporter: Reporter = {
  format: 'table',
  render(r: RunResult, options: ReportOptions): string {
    const c = colors(options.color);
    const out: string[] = [];
    const targetNote = r.target.embedded ? ' (embedded reference server)' : '';
    out.push(c.bold(`rtbench ${r.tool.version} · ${r.scenario.name} · ${r.target.url}${targetNote}`));
    out.push(...describePhases(r));
    const warm = r.scenario.warmupMs > 0 ? `, first ${formatDurationMs(r.scenario.warmupMs)} warm-up excluded` : '';
    out.push(
      `measured ${formatDurationMs(r.measuredMs)}${warm}; run took ${formatDurationMs(r.durationMs)} ` +
        `with ${r.health.workers} worker${r.health.workers === 1 ? '' : 's'}`,
    );
    if (r.partial) out.push(c.red(`PARTIAL RESULT: ${r.interruption ?? 'the run did not finish'}`));
    out.push('');

    const latency = new Table({
      head: ['metric', 'count', 'mean', ...PERCENTILE_COLUMNS.map(([h]) => h)],
      style: tableStyle(options.color),
    });
    const shown = METRIC_IDS.filter((id) => r.metrics[id] && r.metrics[id]!.count > 0);
    for (const id of shown) {
      const m = r.metrics[id]!;
      latency.push([id, formatCount(m.count), formatUs(m.mean), ...PERCENTILE_COLUMNS.map(([, k]) => formatUs(m[k]))]);
    }
    if (shown.length > 0) out.push(latency.toString());
    else out.push('no latency samples were recorded');

    const counters = new Table({ head: ['counter', 'total', 'per second'], style: tableStyle(options.color) });
    for (const row of counterRows(r)) counters.push([row.label, row.total, row.perSecond]);
    out.push(counters.toString());
    const fanout = fanoutSummary(r);
    if (fanout) out.push(...fanoutLines(fanout, options.color));
    const server = serverSummary(r);
    if (server) out.push(server.headline, ...server.figures.map((line) => `  ${line}`));

    const sendTiming = describeSendTiming(r);
    if (sendTiming) out.push(sendTiming);
    const errors = `errors: ${describeErrors(r)}`;
    out.push(errorTotal(r) > 0 ? c.red(errors) : errors);

    const h = r.health;
    const figures =
      `event loop delay p99 ${h.loop_delay_p99_ms.toFixed(1)} ms, ` +
      `CPU max ${h.cpu_percent_max.toFixed(0)}%, worst send lag ${h.max_send_lag_ms.toFixed(1)} ms`;
    if (h.warnings.length === 0) out.push(`generator health: ok (${figures})`);
    else {
      out.push(c.yellow(`generator health: BEHIND (${figures})`));
      for (const w of h.warnings) out.push(c.yellow(`  ! ${w}`));
    }
    for (const note of r.notes) out.push(`note: ${note}`);
    if (r.verdicts?.length) {
      for (const v of r.verdicts)
        out.push(
          v.pass
            ? c.green(`✓ ${v.check} (actual ${v.actual ?? '-'}${v.unit})`)
            : c.red(`✗ ${v.check} (actual ${v.actual ?? '-'}${v.unit})`),
        );
    }
    out.push('');
    for (const id of shown) out.push(c.dim(`${id}: ${METRIC_DESCRIPTIONS[id]}`));
    return `${out.join('\n')}\n`;
  },
};

/** The fan-out summary: headline, figures indented under it, then the worst subscribers. */
function fanoutLines(f: FanoutSummary, color: boolean): string[] {
  const lines = [f.headline, ...f.figures.map((line) => `  ${line}`)];
  if (f.worstSubscribers) {
    const { title, head, rows } = f.worstSubscribers;
    const t = new Table({ head, style: tableStyle(color) });
    t.push(...rows);
    lines.push(`${title}:`, t.toString());
  }
  return lines;
}

function tableStyle(color: boolean) {
  return color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
}

function colors(on: boolean) {
  const wrap = (code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { bold: wrap('1'), red: wrap('31'), green: wrap('32'), yellow: wrap('33'), dim: wrap('2') };
}
