/**
 * The terminal report: a latency table (count, p50 … max per metric), a counters and
 * throughput block, errors by class, load model and generator health in plain words, and one
 * line per metric saying what it times. Pure: returns a string.
 */
import Table from 'cli-table3';
import { METRIC_DESCRIPTIONS, METRIC_IDS } from '../metrics/metric-ids.js';
import type { FanoutResult, RunResult } from '../metrics/result.js';
import { formatBytes, formatCount, formatDurationMs, formatUs } from '../units.js';
import { describePhases, errorTotal, measuredRate } from './describe-run.js';
import type { ReportOptions, Reporter } from './reporter.js';

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
    out.push(`measured ${formatDurationMs(r.measuredMs)}${warm}; run took ${formatDurationMs(r.durationMs)} with ${r.health.workers} worker${r.health.workers === 1 ? '' : 's'}`);
    if (r.partial) out.push(c.red(`PARTIAL RESULT: ${r.interruption ?? 'the run did not finish'}`));
    out.push('');

    const latency = new Table({ head: ['metric', 'count', 'mean', ...PERCENTILE_COLUMNS.map(([h]) => h)], style: tableStyle(options.color) });
    const shown = METRIC_IDS.filter((id) => r.metrics[id] && r.metrics[id]!.count > 0);
    for (const id of shown) {
      const m = r.metrics[id]!;
      latency.push([id, formatCount(m.count), formatUs(m.mean), ...PERCENTILE_COLUMNS.map(([, k]) => formatUs(m[k]))]);
    }
    if (shown.length > 0) out.push(latency.toString());
    else out.push('no latency samples were recorded');

    const k = r.counters;
    const counters = new Table({ head: ['counter', 'total', 'per second'], style: tableStyle(options.color) });
    const perSec = (n: number) => formatCount(Math.round(measuredRate(n, r)));
    const replies = r.metrics.latency?.count ?? 0;
    counters.push(['connections opened / failed / closed', `${k.connections_opened} / ${k.connections_failed} / ${k.connections_closed}`, '']);
    if (k.reconnects) counters.push(['reconnects', formatCount(k.reconnects), '']);
    counters.push(['msgs sent / received', `${formatCount(k.msgs_sent)} / ${formatCount(k.msgs_received)}`, '']);
    if (replies) counters.push(['replies measured (throughput)', formatCount(replies), perSec(replies)]);
    counters.push(['payload bytes sent / received', `${formatBytes(k.bytes_sent)} / ${formatBytes(k.bytes_received)}`, '']);
    if (k.wire_bytes_sent || k.wire_bytes_received) {
      counters.push(['wire bytes sent / received (TCP)', `${formatBytes(k.wire_bytes_sent)} / ${formatBytes(k.wire_bytes_received)}`, '']);
    }
    counters.push(['msgs lost / duplicated / reordered', `${k.msgs_lost} / ${k.msgs_duplicated} / ${k.msgs_reordered}`, '']);
    if (k.msgs_unexpected) counters.push(['unexpected messages (no matching send)', formatCount(k.msgs_unexpected), '']);
    if (k.deliveries_expected || k.deliveries_received) {
      counters.push(['deliveries expected / received', `${formatCount(k.deliveries_expected)} / ${formatCount(k.deliveries_received)}`, perSec(k.deliveries_received)]);
    }
    // SSE throughput from the histograms, like replies: each event is one sample of event_gap
    // or (a stream's first) first_event_time, so warm-up events stay out of the rate.
    const eventsMeasured = (r.metrics.event_gap?.count ?? 0) + (r.metrics.first_event_time?.count ?? 0);
    if (k.events_expected) {
      counters.push(['events expected / received', `${formatCount(k.events_expected)} / ${formatCount(k.events_received)}`, perSec(eventsMeasured)]);
    } else if (k.events_received) counters.push(['events received', formatCount(k.events_received), perSec(eventsMeasured)]);
    if (k.sends_missed) counters.push(['sends late by the generator (>10 ms)', formatCount(k.sends_missed), '']);
    if (k.sends_waited_for_reply) counters.push(['sends that waited for a reply (server slow)', formatCount(k.sends_waited_for_reply), '']);
    out.push(counters.toString());
    if (r.fanout) out.push(...fanoutLines(r, r.fanout, options.color));

    const total = errorTotal(r);
    if (total > 0) {
      const errors = Object.entries(r.errors).sort((a, b) => b[1] - a[1]).map(([cls, n]) => `${cls} ${n}`);
      out.push(c.red(`errors: ${total} (${errors.join(', ')})`));
    } else out.push('errors: none');

    const h = r.health;
    const figures = `event loop delay p99 ${h.loop_delay_p99_ms.toFixed(1)} ms, CPU max ${h.cpu_percent_max.toFixed(0)}%, worst send lag ${h.max_send_lag_ms.toFixed(1)} ms`;
    if (h.warnings.length === 0) out.push(`generator health: ok (${figures})`);
    else {
      out.push(c.yellow(`generator health: BEHIND (${figures})`));
      for (const w of h.warnings) out.push(c.yellow(`  ! ${w}`));
    }
    for (const note of r.notes) out.push(`note: ${note}`);
    if (r.verdicts?.length) {
      for (const v of r.verdicts) out.push(v.pass ? c.green(`✓ ${v.check} (actual ${v.actual ?? '-'}${v.unit})`) : c.red(`✗ ${v.check} (actual ${v.actual ?? '-'}${v.unit})`));
    }
    out.push('');
    for (const id of shown) out.push(c.dim(`${id}: ${METRIC_DESCRIPTIONS[id]}`));
    return `${out.join('\n')}\n`;
  },
};

/**
 * The capacity view of a fan-out run: who published to how many, publish rate next to
 * delivery rate (one publish becomes N receives, on the server and on the generator), the
 * one-way latency percentiles, and the subscribers that fared worst.
 */
function fanoutLines(r: RunResult, f: FanoutResult, color: boolean): string[] {
  const k = r.counters;
  const rate = (n: number) => formatCount(Math.round(measuredRate(n, r)));
  const sources: string[] = [];
  if (f.publishers > 0) sources.push(`${formatCount(f.publishers)} publisher${f.publishers === 1 ? '' : 's'}`);
  if (f.serverPublished > 0 || f.serverPublishRatePerSec) {
    const pace = f.serverPublishRatePerSec ? `${formatCount(f.serverPublishRatePerSec)} msg/s, ` : '';
    sources.push(`the server's own publisher (${pace}${formatCount(f.serverPublished)} seqs seen)`);
  }
  const sender = f.publishers > 0 ? (f.includeSender ? ' (senders receive their own messages)' : ' (senders excluded)') : '';
  const lines = [`fan-out: ${sources.join(' + ') || 'no publisher seen'} → ${formatCount(f.subscribers)} subscriber${f.subscribers === 1 ? '' : 's'}${sender}`];
  const published = f.published + f.serverPublished;
  lines.push(`  publish rate ${rate(published)}/s (${formatCount(published)} published) · fan-out throughput ${rate(k.deliveries_received)} deliveries/s`);
  lines.push(`  deliveries ${formatCount(k.deliveries_received)} received of ${formatCount(k.deliveries_expected)} expected · lost ${k.msgs_lost} · duplicated ${k.msgs_duplicated} · reordered ${k.msgs_reordered}`);
  const m = r.metrics.fanout_latency;
  if (m && m.count > 0) {
    lines.push(`  fanout_latency, one-way (shared clock): p50 ${formatUs(m.p50)} · p90 ${formatUs(m.p90)} · p99 ${formatUs(m.p99)} · p99.9 ${formatUs(m.p99_9)} · max ${formatUs(m.max)}`);
  }
  if (f.worstSubscribers.length > 0) {
    const late = `late >${formatDurationMs(f.lateAfterMs)}`;
    lines.push(`worst subscribers (most lost, then most ${late}, then slowest):`);
    const t = new Table({ head: ['subscriber', 'expected', 'received', 'lost', 'duplicated', 'reordered', late, 'max latency'], style: tableStyle(color) });
    for (const s of f.worstSubscribers) {
      t.push([s.subscriber, formatCount(s.expected), formatCount(s.received), s.lost, s.duplicated, s.reordered, formatCount(s.late), formatUs(s.maxLatencyUs)]);
    }
    lines.push(t.toString());
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
