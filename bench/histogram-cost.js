/**
 * Benchmark 5, histogram cost: what rtbench's latency histograms cost per second of a busy
 * run, to show the hot path is not the histograms. Measured in this process with the code
 * rtbench runs (dist/metrics):
 * - record: `Recorder.record('latency', us)` per value (the worker's hot path: map lookup,
 *   rounding, clamping, HDR record), and the bare `recordValue` under it;
 * - per 1-s interval at 100k msgs/s (a histogram holding 100k values): the worker encodes it
 *   (`Recorder.takeSnapshot` → compressed base64), the main process decodes it twice (the
 *   run total and the time-series bucket, src/metrics/aggregate.ts) and adds each.
 * The figures are expressed against baselines of the same invocation: one core (the share of
 * a core a 100k msgs/s run spends on histograms), and, when the overhead benchmark ran first,
 * rtbench's own CPU per echo message (the share of its per-message cost).
 */
import { createLatencyHistogram, decodeHistogram, encodeHistogram } from '../dist/metrics/histogram.js';
import { Recorder } from '../dist/metrics/recorder.js';
import { median } from './lib/stats.js';

const SETTINGS = {
  full: { values: 1_000_000, intervalValues: 100_000, codecLoops: 200, msgsPerSec: 100_000 },
  smoke: { values: 100_000, intervalValues: 20_000, codecLoops: 20, msgsPerSec: 100_000 },
};

export const title = 'Histogram cost: recording and merging latency histograms (dist/metrics)';

/**
 * Latencies in µs, log-normal around 2 ms (σ = 1.2) like a loaded echo run: spread over many
 * HDR buckets, so encoding is not flattered by a narrow distribution. Seeded, so every
 * repetition records the same values.
 */
function latencySamples(n) {
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const normal = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    out[i] = Math.exp(Math.log(2000) + 1.2 * normal);
  }
  return out;
}

function timeNs(fn) {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0);
}

function measureOnce(s, samples, intervalSamples) {
  const recorder = new Recorder();
  recorder.measuring = true;
  const recordNs =
    timeNs(() => {
      for (let i = 0; i < samples.length; i++) recorder.record('latency', samples[i]);
    }) / samples.length;

  const h = createLatencyHistogram();
  const rounded = Int32Array.from(samples, (v) => Math.max(1, Math.round(v)));
  const recordValueNs =
    timeNs(() => {
      for (let i = 0; i < rounded.length; i++) h.recordValue(rounded[i]);
    }) / rounded.length;

  const interval = createLatencyHistogram();
  for (const v of intervalSamples) interval.recordValue(Math.max(1, Math.round(v)));
  let encoded = '';
  const encodeUs =
    timeNs(() => {
      for (let i = 0; i < s.codecLoops; i++) encoded = encodeHistogram(interval);
    }) /
    s.codecLoops /
    1000;
  let decoded;
  const decodeUs =
    timeNs(() => {
      for (let i = 0; i < s.codecLoops; i++) decoded = decodeHistogram(encoded);
    }) /
    s.codecLoops /
    1000;
  const total = createLatencyHistogram();
  const addUs =
    timeNs(() => {
      for (let i = 0; i < s.codecLoops; i++) total.add(decoded);
    }) /
    s.codecLoops /
    1000;

  // Per second of a run at msgsPerSec with one worker: every reply recorded, one snapshot
  // encoded, two decodes and two adds in the main process.
  const perSecondUs = (s.msgsPerSec * recordNs) / 1000 + encodeUs + 2 * (decodeUs + addUs);
  return {
    recordNs,
    recordValueNs,
    encodeUs,
    decodeUs,
    addUs,
    encodedBytes: encoded.length,
    perSecondUs,
    coreSharePercent: perSecondUs / 1e4,
  };
}

/** Runs the benchmark; returns its figures and every repetition's raw numbers. */
export async function run(ctx) {
  const s = ctx.smoke ? SETTINGS.smoke : SETTINGS.full;
  const samples = latencySamples(s.values);
  const intervalSamples = samples.subarray(0, s.intervalValues);
  ctx.log('histogram: warm-up pass (JIT)');
  measureOnce(s, samples.subarray(0, Math.min(samples.length, 200_000)), intervalSamples);
  const reps = [];
  for (let i = 0; i < ctx.reps; i++) {
    ctx.log(`histogram rep ${i + 1}/${ctx.reps}`);
    reps.push(measureOnce(s, samples, intervalSamples));
  }
  const m = (k) => median(reps.map((r) => r[k]));
  const overhead = ctx.results?.overhead?.figures?.find((f) => f.id === 'cpu_us_per_msg');
  const rtbenchNsPerMsg = overhead?.candidate ? overhead.candidate * 1000 : null;
  const notes = [];
  if (rtbenchNsPerMsg === null)
    notes.push(
      'rtbench CPU per message is taken from the overhead benchmark of the same invocation; ' +
        'run with --only overhead,histogram to get that ratio',
    );
  const fig = (id, label, unit, candidate, baseline) => ({
    id,
    label,
    unit,
    candidate,
    baseline,
    ratio: candidate !== null && baseline ? candidate / baseline : null,
    ratioMin: null,
    ratioMax: null,
    reps: reps.length,
  });
  return {
    title,
    candidate: 'histograms',
    baseline: 'baseline',
    baselineDescription: 'per row: rtbench CPU per echo message (overhead benchmark, same invocation), a 1-s interval, or one core',
    settings: s,
    figures: [
      fig('record_ns_vs_msg_cpu', 'Recorder.record ns/value vs rtbench CPU ns per echo msg', 'ns', m('recordNs'), rtbenchNsPerMsg),
      fig('record_value_ns', 'HDR recordValue alone, ns/value', 'ns', m('recordValueNs'), null),
      fig('encode_us', `encode a 1-s interval (${s.intervalValues} values), µs vs 1 s`, 'µs', m('encodeUs'), 1e6),
      fig('decode_us', 'decode it (main process), µs vs 1 s', 'µs', m('decodeUs'), 1e6),
      fig('add_us', 'add it into the run total, µs vs 1 s', 'µs', m('addUs'), 1e6),
      fig('core_share_percent', `histogram CPU at ${s.msgsPerSec / 1000}k msgs/s, % of one core`, '%', m('coreSharePercent'), 100),
    ],
    notes,
    reps,
  };
}
