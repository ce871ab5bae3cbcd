/**
 * Plain-words descriptions of a run shared by reporters: the load model line, the phases,
 * measured rates. Pure functions of a RunResult.
 */
import type { RunResult } from '../metrics/result.js';
import type { LoadModel } from '../scenario/types.js';
import { formatCount, formatDurationMs, formatUs } from '../units.js';

/** "open loop, 10 msg/s per connection (latency from the intended send time)". */
export function describeLoad(load: LoadModel | undefined): string {
  if (!load) return 'idle (connections only)';
  if (load.kind === 'open') {
    const rate = load.ratePerSec >= 1 ? `${formatCount(load.ratePerSec)} msg/s` : `1 msg every ${formatDurationMs(1000 / load.ratePerSec)}`;
    const poisson = load.arrival === 'poisson' ? ' (Poisson arrivals)' : '';
    if (load.maxInFlight > 0) {
      const cap = load.maxInFlight === 1 ? 'one message awaiting a reply' : `at most ${load.maxInFlight} messages awaiting a reply`;
      return (
        `open loop, request/response emulation: ${rate} per connection${poisson}, ${cap} per connection (a due send ` +
        `waits for a reply, as wrk2 over HTTP/1.1); latency from the intended send time (coordinated omission corrected)`
      );
    }
    return (
      `open loop, ${rate} per connection${poisson}, each sent at its intended time whatever ` +
      `awaits a reply; latency from the intended send time (coordinated omission corrected)`
    );
  }
  const think = load.thinkTimeMs > 0 ? `, ${formatDurationMs(load.thinkTimeMs)} think time` : '';
  return (
    `closed loop, ${load.inFlight} in flight per connection${think}; the next message ` +
    `waits for a reply, so server stalls slow the load instead of showing as latency`
  );
}

/** One line per phase: connections, ramp, duration, load (in the words of the groups' roles). */
export function describePhases(r: RunResult): string[] {
  const roles = new Set(r.scenario.groups.map((g) => g.role));
  const sends = roles.has('echo') || roles.has('publisher') || roles.has('pubsub');
  const publishRate = r.target.embedded ? r.scenario.server?.publishRatePerSec : undefined;
  return r.scenario.phases.map((p, i) => {
    const ramp = p.connectRatePerSec ? ` (ramp at ${formatCount(p.connectRatePerSec)}/s)` : '';
    let load: string;
    if (!sends) {
      load = publishRate
        ? `listening; the embedded server publishes ${formatCount(publishRate)} msg/s`
        : 'listening to what the server sends';
    } else if (!roles.has('echo') && p.load?.kind === 'open') {
      load = `each publisher sends ${formatCount(p.load.ratePerSec)} msg/s (open loop); latency is one-way, publisher to each recipient`;
    } else load = describeLoad(p.load);
    return `phase ${i + 1}: ${formatCount(p.connections)} connections${ramp}, ${formatDurationMs(p.durationMs)}: ${load}`;
  });
}

/**
 * Why `latency` (from the intended send time) and `latency_uncorrected` (from the actual send)
 * differ, in plain words: they differ only where a send left after its time, so name who held
 * it back. Undefined for runs without both series.
 */
export function describeSendTiming(r: RunResult): string | undefined {
  const corrected = r.metrics.latency;
  const uncorrected = r.metrics.latency_uncorrected;
  if (!corrected?.count || !uncorrected?.count) return undefined;
  const k = r.counters;
  const gap = `p50 ${formatUs(corrected.p50)} vs ${formatUs(uncorrected.p50)} uncorrected`;
  const sends = (n: number) => `${formatCount(n)} send${n === 1 ? '' : 's'}`;
  const causes: string[] = [];
  if (k.sends_waited_for_reply) causes.push(`${sends(k.sends_waited_for_reply)} waited for a reply (request/response emulation)`);
  if (k.sends_held_by_server) causes.push(`${sends(k.sends_held_by_server)} waited for the server to read (its socket's buffer was full)`);
  if (k.sends_missed) causes.push(`${sends(k.sends_missed)} left over 10 ms late (the generator was behind)`);
  if (causes.length === 0) {
    return `send timing: every send left within 10 ms of its intended time (${gap}); the two latency series differ only by that`;
  }
  return `send timing: ${causes.join('; ')}; latency counts those waits, latency_uncorrected does not (${gap})`;
}

/** Messages (replies) per second over the measured window. */
export function measuredRate(count: number, r: RunResult): number {
  return r.measuredMs > 0 ? count / (r.measuredMs / 1000) : 0;
}

/** Total errors over all classes. */
export function errorTotal(r: RunResult): number {
  return Object.values(r.errors).reduce((a, v) => a + v, 0);
}

/** "7 (reset 5, connect_refused 2)", most frequent class first; "none" without errors. */
export function describeErrors(r: RunResult): string {
  const total = errorTotal(r);
  if (total === 0) return 'none';
  const classes = Object.entries(r.errors)
    .sort((a, b) => b[1] - a[1])
    .map(([cls, n]) => `${cls} ${n}`);
  return `${total} (${classes.join(', ')})`;
}
