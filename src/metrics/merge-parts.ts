/**
 * The per-part view a merge keeps (docs/result-format.md §13): each part's shard record and
 * generator health, the part whose generator fared worst, and what a reader must know about
 * the parts' clocks. A merged result's own `parts` are carried through, so merges of merges
 * keep every shard.
 */
import type { HealthResult, PartRecord, RunResult } from './result.js';

/** Every part's record, in order (a merged part contributes the records it already holds). */
export function partRecords(parts: readonly RunResult[]): PartRecord[] {
  return parts.flatMap(
    (p, i) =>
      p.parts ?? [
        {
          label: p.shard && p.shard.count > 1 ? `shard ${p.shard.index}/${p.shard.count}` : `part ${i + 1}`,
          hostname: p.environment.hostname,
          startedAt: p.startedAt,
          ...(p.shard ? { shard: p.shard } : {}),
          health: p.health,
        },
      ],
  );
}

/**
 * The part whose generator fared worst, in words: most warnings first, then the highest loop
 * delay p99, then the busiest CPU. A behind generator measured itself, so it is named.
 */
export function worstPart(records: readonly PartRecord[]): string | undefined {
  if (records.length < 2) return undefined;
  const score = (h: HealthResult) => [h.warnings.length, h.loop_delay_p99_ms, h.cpu_percent_max] as const;
  const worst = records.reduce((a, b) => {
    const [sa, sb] = [score(a.health), score(b.health)];
    const cmp = sb[0] - sa[0] || sb[1] - sa[1] || sb[2] - sa[2];
    return cmp > 0 ? b : a;
  });
  const h = worst.health;
  const state = h.warnings.length > 0 ? `BEHIND: ${h.warnings.join('; ')}` : 'kept up';
  return (
    `${worst.label} on ${worst.hostname} (loop delay p99 ${h.loop_delay_p99_ms} ms, ` +
    `CPU max ${h.cpu_percent_max}%, ${h.workers} worker${h.workers === 1 ? '' : 's'}): ${state}`
  );
}

/**
 * What a merged result says about clocks: where parts ran on several hosts, one-way latencies
 * (fan-out between shards) compare wall clocks, so they are as exact as the hosts agree; each
 * shard's measured offset to the target is listed where the target told its time.
 */
export function clockNotes(parts: readonly RunResult[], records: readonly PartRecord[]): string[] {
  const hosts = new Set(records.map((r) => r.hostname));
  const oneWay = parts.some((p) => p.fanout !== undefined || p.metrics.push_latency !== undefined);
  if (hosts.size < 2 && !records.some((r) => r.shard && r.shard.count > 1)) return [];
  const offsets = records
    .filter((r) => r.shard)
    .map((r) => {
      const c = r.shard!.clock;
      const offset =
        c.targetOffsetMs === null
          ? 'not measured (the target tells no time)'
          : `${signed(c.targetOffsetMs)} ms ± ${Math.round(c.targetRttMs! * 500) / 1000} ms`;
      const start = r.shard!.startOffsetMs === undefined ? '' : `, load started ${signed(r.shard!.startOffsetMs)} ms after --start-at`;
      return `${r.label} (${r.hostname}): target clock ${offset}${start}`;
    });
  return [
    `clock assumption: the parts ran on ${hosts.size} host${hosts.size === 1 ? '' : 's'}; ` +
      (oneWay
        ? 'one-way latencies between them (fanout_latency across shards) compare wall clocks and are only as exact as those clocks agree ' +
          '(keep them synchronised, e.g. NTP or chrony); round trips (latency, connect_time) are each timed on one host and are exact'
        : 'every latency here is a round trip timed on one host, so it is exact whatever the clocks'),
    ...(offsets.length > 0 ? [`measured clock offsets to the target: ${offsets.join('; ')}`] : []),
  ];
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : ''}${v}`;
}
