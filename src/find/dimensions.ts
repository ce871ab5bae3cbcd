/**
 * What `find --vary` can vary, and how one value of it becomes a run: a per-connection or total
 * message rate, the connection count, or the count of one kind of connection (fan-out
 * subscribers, SSE streams) with every other group held where the scenario puts it.
 */
import { UsageError } from '../errors.js';
import { splitByWeights } from '../load/schedule.js';
import type { RunResult } from '../metrics/result.js';
import type { RunOverrides } from '../scenario/resolve.js';
import type { Group, Scenario } from '../scenario/types.js';
import { isSubscriberOnly } from '../scenario/validate.js';
import { latencyMetricOf } from './latency-metric.js';

export const DIMENSION_NAMES = ['rate', 'total-rate', 'connections', 'subscribers', 'streams'] as const;
export type DimensionName = (typeof DIMENSION_NAMES)[number];

/** One dimension bound to a scenario: its unit, where the scenario stands, and how a value runs. */
export interface Dimension {
  name: DimensionName;
  /** The offered load's unit, after the number (`msgs/s total`, `connections`). */
  unit: string;
  /** The achieved figure's unit (what the run measured at that load). */
  achievedUnit: string;
  integer: boolean;
  /** The scenario's own value (with the command line's flags): the default `--from`. */
  current: number | undefined;
  /** The scenario and flags for one step at `value`. */
  stepInputs(value: number): { scenario: Scenario; overrides: RunOverrides };
  /** What the step achieved, in `achievedUnit`; null when nothing was measured. */
  achieved(r: RunResult): number | null;
}

const SENDING_ROLES = new Set<Group['role']>(['echo', 'publisher', 'pubsub']);

/** Binds `name` to a validated scenario and the command line's overrides; refuses a dimension the scenario cannot vary. */
export function dimensionFor(name: DimensionName, scenario: Scenario, overrides: RunOverrides): Dimension {
  if (scenario.phases.length !== 1) {
    throw new UsageError(
      `find measures one steady window per step; scenario '${scenario.name}' has ${scenario.phases.length} phases`,
      'give find a scenario with one phase (its load is what --vary changes)',
    );
  }
  const phase = scenario.phases[0]!;
  const connections = overrides.connections ?? phase.connections;
  const counts = splitByWeights(
    connections,
    scenario.groups.map((g) => g.share),
  );
  const countOf = (pick: (g: Group) => boolean) => scenario.groups.reduce((a, g, i) => a + (pick(g) ? counts[i]! : 0), 0);
  const sending = countOf((g) => SENDING_ROLES.has(g.role));
  const subscriberOnly = isSubscriberOnly(scenario.groups);
  // Where the scenario's rate stands: its open-loop rate, or (subscribe-only) the server's
  // publish rate; a closed loop has none, so --from is needed. (--rate itself is refused with
  // a rate dimension.)
  const baseRate = phase.load?.kind === 'open' ? phase.load.ratePerSec : subscriberOnly ? scenario.server?.publishRatePerSec : undefined;
  const plain = { scenario, overrides };
  const rateDims = { achievedUnit: 'msgs/s received', achieved: measuredPerSec, integer: false };

  switch (name) {
    case 'rate':
      if (overrides.inFlight !== undefined) throw new UsageError('--vary rate makes every step open loop; leave out --in-flight');
      return {
        name,
        unit: subscriberOnly ? 'msgs/s published' : 'msgs/s per connection',
        ...rateDims,
        // Per connection too, so offered and achieved read alike (fan-out: per sending connection).
        ...(subscriberOnly || sending === 0
          ? {}
          : {
              achievedUnit: 'msgs/s received per sending connection',
              achieved: (r: RunResult) => {
                const total = measuredPerSec(r);
                return total === null ? null : total / sending;
              },
            }),
        current: baseRate,
        stepInputs: (v) => ({ scenario, overrides: { ...overrides, ratePerSec: v } }),
      };
    case 'total-rate': {
      if (overrides.inFlight !== undefined) throw new UsageError('--vary total-rate makes every step open loop; leave out --in-flight');
      // The server's own publisher (a subscribe-only scenario) has one rate, which is the total.
      const senders = subscriberOnly ? 1 : sending;
      if (senders === 0) throw new UsageError(`--vary total-rate: no connection of scenario '${scenario.name}' sends messages`);
      return {
        name,
        unit: subscriberOnly ? 'msgs/s published' : 'msgs/s total',
        ...rateDims,
        current: baseRate === undefined ? undefined : baseRate * senders,
        stepInputs: (v) => ({ scenario, overrides: { ...overrides, ratePerSec: v / senders } }),
      };
    }
    case 'connections':
      return {
        name,
        unit: 'connections',
        achievedUnit: 'connections open (peak)',
        integer: true,
        current: connections,
        stepInputs: (v) => ({ ...plain, overrides: { ...overrides, connections: v } }),
        achieved: peakOpen,
      };
    case 'subscribers':
    case 'streams': {
      const pick = name === 'subscribers' ? (g: Group) => g.role === 'subscriber' : (g: Group) => g.protocol === 'sse';
      if (!scenario.groups.some(pick)) {
        throw new UsageError(
          name === 'subscribers'
            ? `--vary subscribers: scenario '${scenario.name}' has no subscriber group (try broadcast, or --vary connections)`
            : `--vary streams: scenario '${scenario.name}' has no SSE group (try sse or sse-ticks, or --vary connections)`,
        );
      }
      const others = connections - countOf(pick);
      return {
        name,
        unit: name,
        achievedUnit: `${name} open (peak)`,
        integer: true,
        current: countOf(pick),
        stepInputs: (v) => ({ scenario: withGroupCount(scenario, counts, pick, v), overrides: { ...overrides, connections: undefined } }),
        achieved: (r) => {
          const h = peakOpen(r);
          return h === null ? null : Math.max(0, h - others);
        },
      };
    }
  }
}

/**
 * The scenario with `count` connections over the groups `pick` selects (split by their shares)
 * and every other group at its own count: shares become the counts themselves.
 */
function withGroupCount(scenario: Scenario, counts: number[], pick: (g: Group) => boolean, count: number): Scenario {
  const s = structuredClone(scenario);
  const picked = s.groups.map(pick);
  const pickedCounts = splitByWeights(
    count,
    s.groups.filter((_, i) => picked[i]).map((g) => g.share),
  );
  let next = 0;
  s.groups.forEach((g, i) => {
    g.share = picked[i] ? pickedCounts[next++]! : counts[i]!;
  });
  s.phases[0]!.connections = s.groups.reduce((a, g) => a + g.share, 0);
  return s;
}

/**
 * Messages received per second while the load was steady: the time series' measured seconds,
 * less the last one, which also holds the drain. (The latency metric's count over the measured
 * window would also count replies that arrived in the drain: against a server past its
 * capacity, twice what it answered per second.) Short runs with no such second fall back to
 * the latency metric's samples per measured second.
 */
function measuredPerSec(r: RunResult): number | null {
  let received = 0;
  let seconds = 0;
  r.timeseries.forEach((p, i) => {
    if (p.warmup || i === 0 || i === r.timeseries.length - 1) return;
    received += p.msgs_received;
    seconds += p.t - r.timeseries[i - 1]!.t;
  });
  if (seconds >= 0.5 && received > 0) return received / seconds;
  const m = r.metrics[latencyMetricOf(r)];
  return m && r.measuredMs > 0 ? m.count / (r.measuredMs / 1000) : null;
}

/**
 * Connections open at once at the run's peak (the time series' most). A connection the server
 * refuses or closes before its handshake never counts; one it drops later still counted at the
 * peak, which is what an error SLO (`errors==0`) is for.
 */
function peakOpen(r: RunResult): number | null {
  return r.timeseries.length === 0 ? null : Math.max(...r.timeseries.map((p) => p.connections_open));
}
