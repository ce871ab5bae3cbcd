/**
 * Side-by-side comparison of runs, as pure code (hyperfine `relative_speed.rs`): each entry is
 * one target (or one saved run) with one or more rounds; each row is one number (a latency
 * percentile, a throughput, errors) with the median and spread over the entry's rounds. Entries
 * whose error rate is over the limit are flagged and left out of the ranking: a server that
 * failed most requests must not win on the latency of the few it answered.
 */
import { isGeneratorWarning } from '../metrics/aggregate.js';
import { METRIC_IDS } from '../metrics/metric-ids.js';
import type { RunResult } from '../metrics/result.js';
import {
  betterWhen,
  errorRatePercent,
  metricRefText,
  readMetric,
  THROUGHPUTS,
  valueKind,
  type MetricRef,
  type Stat,
  type ValueKind,
} from './metric-ref.js';
import { formatValue } from './quantity.js';
import { ratioOf, spreadOf, type Spread } from './spread.js';

/** One side of a comparison: a label and its rounds (one or more runs of the same scenario). */
export interface CompareEntry {
  label: string;
  runs: RunResult[];
}

/** An entry after comparison. */
export interface ComparedEntry {
  label: string;
  runs: RunResult[];
  /** Rounds that ended early (`partial: true`). */
  partialRounds: number;
  /** Error rate over the rounds, percent. */
  errorRate: Spread | null;
  /** Error rate median over the limit: shown, never ranked. */
  flagged: boolean;
}

/** One table row: a number for every entry (null where the entry has no data for it). */
export interface CompareRow {
  key: string;
  kind: ValueKind;
  better: 'lower' | 'higher';
  cells: Array<Spread | null>;
  /** Index of the best unflagged entry, when at least two have data and one wins beyond the spread. */
  best?: number;
}

/** The winner against one other entry on the ranking metric. */
export interface RankLine {
  winner: string;
  other: string;
  /** ≥ 1: how many times lower (or higher, for throughput) the winner's median is. */
  ratio: number;
  /** Uncertainty of the ratio from the spreads; 0 when both had one round. */
  spread: number;
  /** The ratio minus its spread does not clear 1: the rounds overlap. */
  withinNoise: boolean;
}

/** The result of comparing entries: rows for the table, the ranking for the summary. */
export interface Comparison {
  scenario: string;
  /** The ranking metric, e.g. `latency.p99`. */
  rankBy: string;
  better: 'lower' | 'higher';
  maxErrorRatePercent: number;
  entries: ComparedEntry[];
  rows: CompareRow[];
  ranking: RankLine[];
  /** Entries left out of the ranking, with the reason. */
  unranked: Array<{ label: string; reason: string }>;
}

/** What to rank by and when to flag an entry. */
export interface CompareOptions {
  rankBy: MetricRef;
  /** Entries whose median error rate is above this (percent) are flagged. */
  maxErrorRatePercent: number;
}

/** Percentile rows shown for each histogram metric. */
const ROW_STATS: Stat[] = ['p50', 'p90', 'p99', 'p99_9', 'max'];

/** Compares entries; the caller has checked they ran the same scenario. */
export function compareEntries(entries: CompareEntry[], options: CompareOptions): Comparison {
  const compared: ComparedEntry[] = entries.map((e) => {
    const errorRate = spreadOf(e.runs.map(errorRatePercent));
    return {
      label: e.label,
      runs: e.runs,
      partialRounds: e.runs.filter((r) => r.partial).length,
      errorRate,
      flagged: errorRate !== null && errorRate.median > options.maxErrorRatePercent,
    };
  });
  const rows = rowRefs(entries).map((ref) => rowFor(ref, compared));
  const rankRow = rowFor(options.rankBy, compared);
  const unranked: Comparison['unranked'] = [];
  const eligible: Array<{ label: string; value: Spread }> = [];
  compared.forEach((e, i) => {
    const value = rankRow.cells[i];
    const behind = e.runs.filter((r) => r.health.warnings.some(isGeneratorWarning)).length;
    if (e.flagged)
      unranked.push({
        label: e.label,
        reason: `error rate ${formatValue(e.errorRate!.median, 'percent')} is over the ${options.maxErrorRatePercent}% limit`,
      });
    // A round whose generator fell behind measured the generator: it cannot rank servers.
    else if (behind > 0)
      unranked.push({
        label: e.label,
        reason: `the generator fell behind in ${behind} of ${e.runs.length} round${e.runs.length === 1 ? '' : 's'}`,
      });
    else if (!value) unranked.push({ label: e.label, reason: `no data for ${rankRow.key}` });
    else eligible.push({ label: e.label, value });
  });
  const better = rankRow.better;
  eligible.sort((a, b) => (better === 'lower' ? a.value.median - b.value.median : b.value.median - a.value.median));
  const ranking: RankLine[] = [];
  const winner = eligible[0];
  for (const other of eligible.slice(1)) {
    const r = better === 'lower' ? ratioOf(other.value, winner!.value) : ratioOf(winner!.value, other.value);
    if (!r) {
      unranked.push({ label: other.label, reason: `${rankRow.key} is 0, so no ratio can be formed` });
      continue;
    }
    ranking.push({ winner: winner!.label, other: other.label, ratio: r.ratio, spread: r.spread, withinNoise: r.ratio - r.spread <= 1 });
  }
  return {
    scenario: entries[0]?.runs[0]?.scenario.name ?? '',
    rankBy: rankRow.key,
    better,
    maxErrorRatePercent: options.maxErrorRatePercent,
    entries: compared,
    rows,
    ranking,
    unranked,
  };
}

/**
 * The summary under the table, hyperfine style:
 * `node: p99 1.80 ± 0.10 × lower than go`.
 */
export function summaryLines(c: Comparison): string[] {
  const rounds = Math.max(...c.entries.map((e) => e.runs.length));
  const how = rounds > 1 ? `medians over rounds, ± from the spread between rounds` : 'one round each: run more rounds to see the spread';
  const lines = [`Summary by ${c.rankBy} (${c.better} is better; ${how})`];
  const name = shortName(c.rankBy);
  for (const r of c.ranking) {
    if (r.ratio === 1 && r.spread === 0) {
      lines.push(`  ${r.winner}: ${name} equal to ${r.other}`);
      continue;
    }
    const pm = r.spread > 0 ? ` ± ${r.spread.toFixed(2)}` : '';
    const noise = r.withinNoise && r.spread > 0 ? ' (within the spread between rounds)' : '';
    lines.push(`  ${r.winner}: ${name} ${r.ratio.toFixed(2)}${pm} × ${c.better} than ${r.other}${noise}`);
  }
  if (c.entries.length === 1) lines.push(`  one entry (${c.entries[0]!.label}): nothing to rank`);
  else if (c.ranking.length === 0 && c.unranked.length < c.entries.length) lines.push('  only one entry could be ranked');
  for (const u of c.unranked) lines.push(`  not ranked: ${u.label} (${u.reason})`);
  return lines;
}

/** `latency.p99` reads as `p99` (the "p99 1.8 ± 0.1 × lower"); other keys stay whole. */
function shortName(key: string): string {
  return key.startsWith('latency.') ? key.slice('latency.'.length) : key;
}

function rowFor(ref: MetricRef, entries: ComparedEntry[]): CompareRow {
  const better = betterWhen(ref);
  const cells = entries.map((e) => spreadOf(e.runs.map((r) => readMetric(r, ref))));
  const candidates = cells.map((cell, i) => ({ cell, i })).filter((x) => x.cell && !entries[x.i]!.flagged);
  const row: CompareRow = { key: metricRefText(ref), kind: valueKind(ref), better, cells };
  if (candidates.length >= 2) {
    // Best only when it wins clearly: its range over rounds clears every other entry's range.
    // A tie, or a lead inside the spread between rounds, marks nothing (that would be noise).
    const sign = better === 'lower' ? 1 : -1;
    const best = candidates.reduce((a, b) => (sign * b.cell!.median < sign * a.cell!.median ? b : a));
    // The best's worst round must beat every other entry's best round.
    const bestWorst = best.cell!.median + sign * best.cell!.spread;
    const clear = candidates.every((c) => c === best || sign * bestWorst < sign * (c.cell!.median - sign * c.cell!.spread));
    if (clear) row.best = best.i;
  }
  return row;
}

/** Rows: percentiles of every histogram with samples, throughputs, then errors and error rate. */
function rowRefs(entries: CompareEntry[]): MetricRef[] {
  const runs = entries.flatMap((e) => e.runs);
  const present = METRIC_IDS.filter((id) => runs.some((r) => (r.metrics[id]?.count ?? 0) > 0));
  const refs: MetricRef[] = present.flatMap((metric) => ROW_STATS.map((stat): MetricRef => ({ kind: 'histogram', metric, stat })));
  for (const [name, metric] of Object.entries(THROUGHPUTS) as Array<
    [keyof typeof THROUGHPUTS, (typeof THROUGHPUTS)[keyof typeof THROUGHPUTS]]
  >) {
    if (present.includes(metric)) refs.push({ kind: 'throughput', name });
  }
  if (runs.some((r) => r.counters.msgs_lost > 0)) refs.push({ kind: 'counter', name: 'msgs_lost' });
  if (runs.some((r) => r.server)) {
    for (const figure of ['cpu_percent.mean', 'cpu_percent.max', 'rss.peak', 'msgs_per_cpu_second', 'rss_per_connection'] as const) {
      refs.push({ kind: 'server', figure });
    }
  }
  refs.push({ kind: 'errors' }, { kind: 'error_rate' });
  return refs;
}
