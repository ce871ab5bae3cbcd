/**
 * The counts of a run as data, worded and formatted once so the terminal table, Markdown and
 * HTML show the same rows and numbers: the counter rows, and the fan-out summary with its
 * worst subscribers. Pure functions of a RunResult; each reporter only lays them out.
 */
import type { RunResult } from '../metrics/result.js';
import { formatBytes, formatCount, formatDurationMs, formatUs } from '../units.js';
import { measuredRate } from './describe-run.js';

/** One counter row; `perSecond` is '' where a rate would mean nothing. */
export interface CounterRow {
  label: string;
  total: string;
  perSecond: string;
}

/** A small table as text cells. */
export interface TextTable {
  head: string[];
  rows: string[][];
}

/** The capacity view of a fan-out run. */
export interface FanoutSummary {
  /** Who published to how many: "fan-out: 10 publishers → 10 subscribers (…)". */
  headline: string;
  /** Publish rate beside delivery rate, delivery totals, one-way latency: one line each. */
  figures: string[];
  /** The subscribers that fared worst, when the run listed any. */
  worstSubscribers?: TextTable & { title: string };
}

/**
 * The counter rows, in the terminal table's order. Rows for counters that do not apply to the
 * run (reconnects, wire bytes, deliveries, events, …) are left out while they are 0.
 */
export function counterRows(r: RunResult): CounterRow[] {
  const k = r.counters;
  const perSec = (n: number) => formatCount(Math.round(measuredRate(n, r)));
  const rows: CounterRow[] = [];
  const add = (label: string, total: string, perSecond = '') => rows.push({ label, total, perSecond });
  const replies = r.metrics.latency?.count ?? 0;
  add('connections opened / failed / closed', `${k.connections_opened} / ${k.connections_failed} / ${k.connections_closed}`);
  if (k.reconnects) add('reconnects', formatCount(k.reconnects));
  add('msgs sent / received', `${formatCount(k.msgs_sent)} / ${formatCount(k.msgs_received)}`);
  if (replies) add('replies measured (throughput)', formatCount(replies), perSec(replies));
  add('payload bytes sent / received', `${formatBytes(k.bytes_sent)} / ${formatBytes(k.bytes_received)}`);
  if (k.wire_bytes_sent || k.wire_bytes_received) {
    add('wire bytes sent / received (TCP)', `${formatBytes(k.wire_bytes_sent)} / ${formatBytes(k.wire_bytes_received)}`);
  }
  add('msgs lost / duplicated / reordered', `${k.msgs_lost} / ${k.msgs_duplicated} / ${k.msgs_reordered}`);
  if (k.msgs_unexpected) add('unexpected messages (no matching send)', formatCount(k.msgs_unexpected));
  if (k.deliveries_expected || k.deliveries_received) {
    add(
      'deliveries expected / received',
      `${formatCount(k.deliveries_expected)} / ${formatCount(k.deliveries_received)}`,
      perSec(k.deliveries_received),
    );
  }
  // SSE throughput from the histograms, like replies: each event is one sample of event_gap
  // or (a stream's first) first_event_time, so warm-up events stay out of the rate.
  const eventsMeasured = (r.metrics.event_gap?.count ?? 0) + (r.metrics.first_event_time?.count ?? 0);
  if (k.events_expected) {
    add('events expected / received', `${formatCount(k.events_expected)} / ${formatCount(k.events_received)}`, perSec(eventsMeasured));
  } else if (k.events_received) add('events received', formatCount(k.events_received), perSec(eventsMeasured));
  if (k.sends_missed) add('sends late by the generator (>10 ms)', formatCount(k.sends_missed));
  if (k.sends_held_by_server) add('sends held while the server did not read (socket buffer full)', formatCount(k.sends_held_by_server));
  if (k.sends_waited_for_reply) add('sends that waited for a reply (request/response emulation)', formatCount(k.sends_waited_for_reply));
  if (k.replies_late) add('replies after their message was given up (counted lost)', formatCount(k.replies_late));
  return rows;
}

/**
 * Who published to how many, publish rate next to delivery rate (one publish becomes N
 * receives, on the server and on the generator), the one-way latency percentiles, and the
 * subscribers that fared worst. Undefined for a run that is not a fan-out run.
 */
export function fanoutSummary(r: RunResult): FanoutSummary | undefined {
  const f = r.fanout;
  if (!f) return undefined;
  const k = r.counters;
  const rate = (n: number) => formatCount(Math.round(measuredRate(n, r)));
  const sources: string[] = [];
  if (f.publishers > 0) sources.push(`${formatCount(f.publishers)} publisher${f.publishers === 1 ? '' : 's'}`);
  if (f.serverPublished > 0 || f.serverPublishRatePerSec) {
    const pace = f.serverPublishRatePerSec ? `${formatCount(f.serverPublishRatePerSec)} msg/s, ` : '';
    sources.push(`the server's own publisher (${pace}${formatCount(f.serverPublished)} seqs seen)`);
  }
  const sender = f.publishers > 0 ? (f.includeSender ? ' (senders receive their own messages)' : ' (senders excluded)') : '';
  const headline =
    `fan-out: ${sources.join(' + ') || 'no publisher seen'} ` +
    `→ ${formatCount(f.subscribers)} subscriber${f.subscribers === 1 ? '' : 's'}${sender}`;

  const published = f.published + f.serverPublished;
  const figures = [
    `publish rate ${rate(published)}/s (${formatCount(published)} published) ` +
      `· fan-out throughput ${rate(k.deliveries_received)} deliveries/s`,
    `deliveries ${formatCount(k.deliveries_received)} received of ${formatCount(k.deliveries_expected)} ` +
      `expected · lost ${k.msgs_lost} · duplicated ${k.msgs_duplicated} · reordered ${k.msgs_reordered}`,
  ];
  const m = r.metrics.fanout_latency;
  if (m && m.count > 0) {
    figures.push(
      `fanout_latency, one-way (shared clock): p50 ${formatUs(m.p50)} · p90 ${formatUs(m.p90)} ` +
        `· p99 ${formatUs(m.p99)} · p99.9 ${formatUs(m.p99_9)} · max ${formatUs(m.max)}`,
    );
  }
  if (f.worstSubscribers.length === 0) return { headline, figures };

  const late = `late >${formatDurationMs(f.lateAfterMs)}`;
  return {
    headline,
    figures,
    worstSubscribers: {
      title: `worst subscribers (most lost, then most ${late}, then slowest)`,
      head: ['subscriber', 'expected', 'received', 'lost', 'duplicated', 'reordered', late, 'max latency'],
      rows: f.worstSubscribers.map((s) => [
        s.subscriber,
        formatCount(s.expected),
        formatCount(s.received),
        String(s.lost),
        String(s.duplicated),
        String(s.reordered),
        formatCount(s.late),
        formatUs(s.maxLatencyUs),
      ]),
    },
  };
}

/**
 * The target server's cost over the measured window, in words: a headline and one line per
 * figure. Undefined when the result has no `server` section (a remote target).
 */
export function serverSummary(r: RunResult): { headline: string; figures: string[] } | undefined {
  const s = r.server;
  if (!s) return undefined;
  const how =
    s.source === 'embedded' ? 'the embedded server' : s.source === 'launched' ? 'the command rtbench started' : 'the process given';
  const processes = s.processes === 1 ? '1 process' : `${s.processes} processes`;
  const figures = [
    `CPU ${s.cpu_percent.mean.toFixed(1)}% of one core on average, ${s.cpu_percent.max.toFixed(1)}% at most ` +
      `(${s.cpu_seconds.toFixed(2)} CPU-s)`,
    `RSS ${formatBytes(s.rss_bytes.start)} at the start, ${formatBytes(s.rss_bytes.peak)} at the peak, ` +
      `${formatBytes(s.rss_bytes.end)} at the end`,
    `threads ${s.threads}, open file descriptors ${s.open_fds}`,
  ];
  const per: string[] = [];
  if (s.msgs_per_cpu_second !== null) per.push(`${formatCount(s.msgs_per_cpu_second)} messages per CPU-second`);
  if (s.rss_bytes_per_connection !== null) per.push(`${formatBytes(s.rss_bytes_per_connection)} of RSS per connection`);
  if (per.length > 0) figures.push(per.join(', '));
  return { headline: `target server (${how}, pid ${s.pid}, ${processes}), measured window:`, figures };
}
