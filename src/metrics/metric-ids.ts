/**
 * Metric ids (snake_case, the same in tables, thresholds and JSON) and what each one times.
 */
export const METRIC_IDS = [
  'latency',
  'latency_uncorrected',
  'connect_time',
  'fanout_latency',
  'first_event_time',
  'event_gap',
  'push_latency',
] as const;

export type MetricId = (typeof METRIC_IDS)[number];

/** One line per metric, printed under the table so every number says what it is. */
export const METRIC_DESCRIPTIONS: Record<MetricId, string> = {
  latency: 'echo round trip, from the intended send time (open loop) or the send (closed loop)',
  latency_uncorrected: 'echo round trip from the actual send (open loop only; hides stalls)',
  connect_time: 'TCP connect + WebSocket handshake (SSE: request start to response headers)',
  fanout_latency: "publisher's stamp to each recipient's receive (one-way, shared clock)",
  first_event_time: 'SSE: request start to first event',
  event_gap: 'SSE: time between consecutive events of one stream',
  push_latency: "SSE: server's stamp to receive (one-way, shared clock)",
};
