/**
 * Latency histograms: integer microseconds, 3 significant digits, 1 µs .. 10 min
 * (docs/architecture.md §5.2). Plain-JS hdr-histogram-js (no WebAssembly, nothing to destroy).
 * Results merge by adding histograms, never by averaging percentiles.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** Highest value recorded as is; larger values are clamped to it and counted. */
export const HIGHEST_TRACKABLE_US = 600_000_000;
const BIT_BUCKET_SIZE = 32;

/** A new, empty latency histogram. */
export function createLatencyHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: BIT_BUCKET_SIZE,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Compressed base64 encoding (the HdrHistogram interchange format). */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** Decodes {@link encodeHistogram}'s output; an empty string gives an empty histogram. */
export function decodeHistogram(encoded: string): Histogram {
  if (!encoded) return createLatencyHistogram();
  const decoded = hdr.decodeFromCompressedBase64(encoded, BIT_BUCKET_SIZE, false);
  // Re-home into a histogram built with our settings so later merges never overflow.
  const h = createLatencyHistogram();
  h.add(decoded);
  return h;
}

/** Adds every histogram into a fresh one. */
export function mergeHistograms(parts: Iterable<Histogram>): Histogram {
  const out = createLatencyHistogram();
  for (const p of parts) out.add(p);
  return out;
}

/** Percentiles and moments of one histogram, in microseconds (docs/result-format.md §3 `metrics.<id>`). */
export interface HistogramSummary {
  unit: 'us';
  count: number;
  min: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  p99_99: number;
  max: number;
}

/** Summarises a histogram; an empty one gives count 0 and zeros. */
export function summarizeHistogram(h: Histogram): HistogramSummary {
  const count = h.totalCount;
  if (count === 0) {
    return { unit: 'us', count: 0, min: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0, p99_9: 0, p99_99: 0, max: 0 };
  }
  const round = (v: number) => Math.round(v * 100) / 100;
  // The JS histogram has these methods; the package's `Histogram` interface leaves them out.
  const buckets = h as Histogram & { lowestEquivalentValue(v: number): number; highestEquivalentValue(v: number): number };
  return {
    unit: 'us',
    count,
    // Bucket-equivalent extremes, so a summary reads the same before and after encoding/merging.
    min: h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : buckets.lowestEquivalentValue(h.minNonZeroValue),
    mean: round(h.mean),
    stddev: round(h.stdDeviation),
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p99_9: h.getValueAtPercentile(99.9),
    p99_99: h.getValueAtPercentile(99.99),
    max: buckets.highestEquivalentValue(h.maxValue),
  };
}
