/**
 * A worker's recorder: histograms per metric, counters and errors by class, handed to the
 * main process as interval deltas. The hot path only increments and records here; encoding
 * happens once per interval in {@link Recorder.takeSnapshot}.
 *
 * Each sample lands in exactly one histogram: the measured one, or (during warm-up) the
 * warm-up one. Totals are the sum of measured deltas; the time series uses both.
 */
import type { ErrorClass } from './error-classes.js';
import { type Counters, zeroCounters } from './counters.js';
import { createLatencyHistogram, encodeHistogram, HIGHEST_TRACKABLE_US, type Histogram } from './histogram.js';
import type { MetricId } from './metric-ids.js';

/** One interval's worth of data from a worker: everything since the previous snapshot. */
export interface RecorderSnapshot {
  /** Encoded histograms of measured samples, by metric id (absent when empty). */
  measured: Partial<Record<MetricId, string>>;
  /** Encoded histograms of warm-up samples (time series only). */
  warmup: Partial<Record<MetricId, string>>;
  counters: Counters;
  errors: Record<string, number>;
}

export class Recorder {
  /** False during warm-up: samples go to the warm-up histograms. */
  measuring = false;
  counters: Counters = zeroCounters();
  private errors: Record<string, number> = {};
  private readonly measured = new Map<MetricId, Histogram>();
  private readonly warmup = new Map<MetricId, Histogram>();

  /**
   * Records one value in microseconds (rounded; clamped to 10 min and counted). `measured`
   * overrides the warm-up rule for samples that are never warm-up (every connect time counts).
   */
  record(metric: MetricId, us: number, measured: boolean = this.measuring): void {
    const map = measured ? this.measured : this.warmup;
    let h = map.get(metric);
    if (h === undefined) {
      h = createLatencyHistogram();
      map.set(metric, h);
    }
    let v = Math.round(us);
    if (v < 1)
      v = 1; // 1 µs is the floor the histogram can tell apart; loopback can beat it
    else if (v > HIGHEST_TRACKABLE_US) {
      v = HIGHEST_TRACKABLE_US;
      this.counters.values_clamped++;
    }
    h.recordValue(v);
  }

  /** Counts one error of `errorClass` (e.g. `connect_refused`, `closed_1011`). */
  error(errorClass: ErrorClass): void {
    this.errors[errorClass] = (this.errors[errorClass] ?? 0) + 1;
  }

  /** Returns everything since the last snapshot and starts a new interval. */
  takeSnapshot(): RecorderSnapshot {
    const snap: RecorderSnapshot = {
      measured: encodeAll(this.measured),
      warmup: encodeAll(this.warmup),
      counters: this.counters,
      errors: this.errors,
    };
    this.counters = zeroCounters();
    this.errors = {};
    return snap;
  }
}

function encodeAll(map: Map<MetricId, Histogram>): Partial<Record<MetricId, string>> {
  const out: Partial<Record<MetricId, string>> = {};
  for (const [id, h] of map) {
    if (h.totalCount > 0) out[id] = encodeHistogram(h);
    h.reset();
  }
  return out;
}
