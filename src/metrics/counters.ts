/**
 * The counters every run reports (docs/result-format.md §4). A counter that does not apply stays 0.
 * Plain number fields so the hot path increments a property, nothing more.
 */

export const COUNTER_NAMES = [
  'connections_opened',
  'connections_failed',
  'connections_closed',
  'reconnects',
  'msgs_sent',
  'msgs_received',
  'bytes_sent',
  'bytes_received',
  'wire_bytes_sent',
  'wire_bytes_received',
  'msgs_lost',
  'msgs_duplicated',
  'msgs_reordered',
  'msgs_unexpected',
  // Replies to messages already given up on (reply timeout, outstanding limit): counted lost.
  'replies_late',
  'replies_matched_fifo',
  'deliveries_expected',
  'deliveries_received',
  // SSE: events due per the scenario's expectEvents (streams that ended) vs events received.
  'events_expected',
  'events_received',
  'sends_missed',
  'sends_waited_for_reply',
  // Due sends held back while the socket's buffer was over 4 MiB: the server was not reading.
  'sends_held_by_server',
  'values_clamped',
] as const;

export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Record<CounterName, number>;

/** A counter set with every counter at 0. */
export function zeroCounters(): Counters {
  return Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Counters;
}

/** Adds `b` into `a` (in place) and returns `a`. */
export function addCounters(a: Counters, b: Partial<Counters>): Counters {
  for (const n of COUNTER_NAMES) a[n] += b[n] ?? 0;
  return a;
}

/** Adds error counts by class from `b` into `a` (in place). */
export function addErrorCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
  return a;
}
