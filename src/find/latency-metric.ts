/** The latency a run follows: the one its time series names (echo round trip, fan-out delivery, SSE push). */
import type { MetricId } from '../metrics/metric-ids.js';
import type { RunResult } from '../metrics/result.js';

/** The run's own latency metric, as its time series records it; `latency` when the series names none. */
export function latencyMetricOf(r: RunResult): MetricId {
  return r.timeseries.find((p) => p.latency_metric)?.latency_metric ?? 'latency';
}
